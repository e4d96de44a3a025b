"""Hyperparameter tuning with Optuna: the run, the search space, the stored study, the results."""

from neuroflow.tuning.run import TuneResult, tune

__all__ = ["TuneResult", "tune"]
