"""Metrics on arrays: accuracy, per-class precision/recall/F1, confusion matrix, NLL, Brier, ECE,
R², AUROC.

Plain numpy and scikit-learn, so every figure can be checked by hand on a small example.
"""

from __future__ import annotations

import numpy as np


def expected_calibration_error(probs: np.ndarray, y: np.ndarray, bins: int = 15) -> float:
    """Mean |accuracy − confidence| over equal-width confidence bins, weighted by bin size."""
    conf, pred = probs.max(1), probs.argmax(1)
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (conf > lo) & (conf <= hi)
        if mask.any():
            ece += mask.mean() * abs((pred[mask] == y[mask]).mean() - conf[mask].mean())
    return float(ece)


def calibration_figures(probs: np.ndarray, y: np.ndarray) -> dict:
    n = len(y)
    onehot = np.zeros_like(probs)
    onehot[np.arange(n), y] = 1
    return {
        "nll": float(-np.log(np.clip(probs[np.arange(n), y], 1e-12, 1)).mean()),
        "brier": float(((probs - onehot) ** 2).sum(1).mean()),
        "ece": expected_calibration_error(probs, y),
    }


def confusion_matrix(y: np.ndarray, pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Rows: true class, columns: predicted class."""
    return np.bincount(y * n_classes + pred, minlength=n_classes * n_classes).reshape(
        n_classes, n_classes
    )


def classification_metrics(y: np.ndarray, probs: np.ndarray, class_names: list[str]) -> dict:
    # numpy rather than scikit-learn, whose import would slow the end of every training run
    pred = probs.argmax(1)
    matrix = confusion_matrix(y, pred, len(class_names))
    tp = np.diag(matrix).astype(float)
    support, predicted = matrix.sum(1), matrix.sum(0)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    f1 = np.divide(
        2 * precision * recall,
        precision + recall,
        out=np.zeros_like(tp),
        where=(precision + recall) > 0,
    )
    return {
        "accuracy": float((pred == y).mean()) if len(y) else float("nan"),
        **calibration_figures(probs, y),
        "per_class": [
            {
                "class": name,
                "precision": float(p),
                "recall": float(r),
                "f1": float(f),
                "support": int(s),
            }
            for name, p, r, f, s in zip(class_names, precision, recall, f1, support, strict=True)
        ],
        "confusion_matrix": matrix.tolist(),
    }


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    err = y_pred - y_true
    total = ((y_true - y_true.mean()) ** 2).sum()
    return {
        "mae": float(np.abs(err).mean()),
        "rmse": float(np.sqrt((err**2).mean())),
        "r2": float(1 - (err**2).sum() / total) if total > 0 else float("nan"),
    }


def _ranked_counts(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """True and false positives above each distinct score, highest first, as scikit-learn counts."""
    order = np.argsort(scores, kind="mergesort")[::-1]
    scores, labels = scores[order], labels[order]
    last = np.r_[
        np.flatnonzero(np.diff(scores)), len(scores) - 1
    ]  # the last index of each run of equal scores
    tps = np.cumsum(labels)[last]
    return tps, last + 1 - tps


def auroc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve, positives = labels 1, ties counting half (scikit-learn's
    roc_auc_score).

    In numpy, because importing scikit-learn's metrics costs more than computing this.
    """
    labels, scores = np.asarray(labels, dtype=np.float64), np.asarray(scores, dtype=np.float64)
    tps, fps = _ranked_counts(labels, scores)
    if tps[-1] == 0 or fps[-1] == 0:
        raise ValueError("AUROC needs both positive and negative examples")
    tpr, fpr = np.r_[0.0, tps / tps[-1]], np.r_[0.0, fps / fps[-1]]
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))  # the trapezoid rule


def average_precision(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the precision-recall curve as a step sum, positives = labels 1 (scikit-learn's
    average_precision_score)."""
    labels, scores = np.asarray(labels, dtype=np.float64), np.asarray(scores, dtype=np.float64)
    tps, fps = _ranked_counts(labels, scores)
    if tps[-1] == 0:
        raise ValueError("average precision needs positive examples")
    recall = tps / tps[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * tps / (tps + fps)))
