"""A table model's global importances: scikit-learn's permutation importance, shuffling one input
column at a time (a categorical column's one-hot block as one), scored on neuroflow's predictions.
"""

from __future__ import annotations

import numpy as np

from neuroflow.errors import UsageError
from neuroflow.explain.attributions import check_explainable, column_spans


class _Columns:
    """Rows given as one row index per input column: shuffling a column of these indices shuffles
    that column's whole block of features, so a one-hot column moves as one."""

    def __init__(self, model, features: np.ndarray):
        self.model, self.features = model, features
        spans = column_spans(model.preprocessing)
        ends = np.cumsum([w for _, w in spans])
        self.blocks = [slice(e - w, e) for e, (_, w) in zip(ends, spans, strict=True)]
        self.names = [n for n, _ in spans]

    def rows(self, index: np.ndarray) -> np.ndarray:
        index = index.astype(np.int64)
        parts = [self.features[index[:, j], b] for j, b in enumerate(self.blocks)]
        return np.concatenate(parts, axis=1)

    def fit(self, *_):  # scikit-learn's checks ask for one; the model is trained already
        return self


def _score(columns: _Columns, index: np.ndarray, y: np.ndarray) -> float:
    """Accuracy for a classifier, R² for a regression (higher is better for both)."""
    model, x = columns.model, columns.rows(index)
    logits = model.logits(x)
    if model.task == "classification":
        return float((logits.argmax(1) == y).mean())
    err = logits[:, 0] - y
    total = ((y - y.mean()) ** 2).sum()
    return float(1 - (err**2).sum() / total) if total > 0 else 0.0


def check_table_model(model) -> None:
    check_explainable(model)
    if model.kind != "table":
        raise UsageError(
            "global importances are per input column, so they need a table model",
            "for a picture model, name pictures to explain: neuroflow explain MODEL PICTURE",
        )


def permutation_importance(model, x: np.ndarray, y: np.ndarray, repeats: int = 5,
                           seed: int = 0) -> dict[str, float]:  # fmt: skip
    """Mean drop in accuracy (or R²) when each input column is shuffled, largest first."""
    from sklearn.inspection import permutation_importance as sklearn_importance

    check_table_model(model)
    columns = _Columns(model, np.asarray(x, dtype=np.float32))
    index = np.repeat(np.arange(len(x))[:, None], len(columns.names), axis=1)
    found = sklearn_importance(columns, index, np.asarray(y), scoring=_score,
                               n_repeats=repeats, random_state=seed)  # fmt: skip
    pairs = zip(columns.names, map(float, found.importances_mean), strict=True)
    return dict(sorted(pairs, key=lambda kv: -kv[1]))
