"""scikit-learn estimators over neuroflow: NeuroflowClassifier and NeuroflowRegressor train with
nf.train and save neuroflow model folders, so they join Pipeline, GridSearchCV and cross_val_score.
"""

from neuroflow.sklearn.estimators import NeuroflowClassifier, NeuroflowRegressor

__all__ = ["NeuroflowClassifier", "NeuroflowRegressor"]
