from types import SimpleNamespace

from neuroflow.evaluation.report import format_report


def test_a_classification_report_as_text():
    model = SimpleNamespace(class_names=["a", "b"], temperature=1.0)
    report = {
        "model": "m",
        "data": "d",
        "task": "classification",
        **{"accuracy": 0.75, "nll": 0.5, "brier": 0.25, "ece": 0.125},
        "per_class": [
            {"class": "a", "precision": 1.0, "recall": 0.5, "f1": 0.667, "support": 2},
            {"class": "b", "precision": 0.667, "recall": 1.0, "f1": 0.8, "support": 2},
        ],
        "confusion_matrix": [[1, 1], [0, 2]],
        "ood": {"data": "noise", "auroc": 0.9, "aupr": 0.8, "fpr_at_95_tpr": 0.3},
    }
    lines = format_report(report, model).splitlines()
    assert lines[0] == "Model m on d"
    assert lines[1] == "accuracy 0.7500   NLL 0.5000   Brier 0.2500   ECE 0.1250"
    assert "confusion matrix (rows: true, columns: predicted)" in lines
    assert lines[-1].startswith("unknown-input check against noise: AUROC 0.9000")


def test_a_regression_report_as_text():
    report = {"model": "m", "data": "d", "task": "regression", "mae": 1.5, "rmse": 2.0, "r2": 0.5}
    assert format_report(report, None).splitlines()[1] == "MAE 1.5   RMSE 2   R² 0.5000"
