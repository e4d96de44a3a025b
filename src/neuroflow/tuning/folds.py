"""How a trial is scored: on a small table, by k-fold cross-validation over the training and
validation rows.

On Iris' 30 validation rows most trials tie at accuracy 1.000 and chance picks among them; the mean
over 5 folds of all 120 rows tells them apart, as scikit-learn's GridSearchCV does. Images keep the
split.
"""

from __future__ import annotations

import dataclasses
import statistics

import numpy as np

from neuroflow.errors import UsageError

SMALL_TABLE = 2000  # rows of train + validation below which a table is cross-validated
DEFAULT_FOLDS = 5


def choose_folds(dataset, folds: int | None) -> int:
    """1 = score on the validation split; k ≥ 2 = k-fold. None: 5 for tables under 2,000 rows, else
    1."""
    if folds is not None and (isinstance(folds, bool) or not isinstance(folds, int) or folds < 1):
        raise UsageError(
            f"--folds must be a whole number of at least 1, not {folds!r}",
            "e.g. --folds 5 (cross-validation), or --folds 1 to score on the validation split",
        )
    rows = len(dataset.y_train) + len(dataset.y_val)
    if folds is None:
        if dataset.kind != "table" or rows >= SMALL_TABLE:
            return 1
        folds = min(DEFAULT_FOLDS, _smallest_class(dataset) or DEFAULT_FOLDS)
        return folds if folds >= 2 else 1
    smallest = _smallest_class(dataset)
    if folds > 1 and smallest is not None and folds > smallest:
        raise UsageError(
            f"--folds {folds} needs at least {folds} rows of every class in train + validation, "
            f"and one class has {smallest}",
            f"give --folds {smallest} or fewer (at least 2), or --folds 1",
        )
    if folds > rows:
        raise UsageError(
            f"--folds {folds} is more than the {rows} rows of train + validation",
            "give fewer folds",
        )
    return folds


def _smallest_class(dataset) -> int | None:
    if dataset.task != "classification":
        return None
    y = np.concatenate([dataset.y_train, dataset.y_val])
    return int(np.bincount(y.astype(np.int64)).min()) if len(y) else 0


def merged(dataset):
    """The dataset with validation rows added to the training rows: the chosen model is trained on
    all of them.

    The validation split stays as it is, so the trainer has figures to report each epoch; they are
    no longer held-out figures, since the model trains on those rows too.
    """
    return dataclasses.replace(
        dataset,
        x_train=np.concatenate([dataset.x_train, dataset.x_val]),
        y_train=np.concatenate([dataset.y_train, dataset.y_val]),
    )


def fold_datasets(dataset, folds: int, seed: int) -> list:
    """`folds` datasets over train + validation, each holding out one fold as its validation split.

    Stratified by class for classifiers (scikit-learn's StratifiedKFold, shuffled with `seed`); the
    test split is left as it is and never used. The preprocessing is the one fitted on the training
    split, shared by every fold (it standardises columns; refitting it per fold changes little).
    """
    from sklearn.model_selection import KFold, StratifiedKFold

    x = np.concatenate([dataset.x_train, dataset.x_val])
    y = np.concatenate([dataset.y_train, dataset.y_val])
    if dataset.task == "classification":
        splits = StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y)
    else:
        splits = KFold(folds, shuffle=True, random_state=seed).split(x)
    return [
        dataclasses.replace(dataset, x_train=x[tr], y_train=y[tr], x_val=x[va], y_val=y[va])
        for tr, va in splits
    ]


def fold_score(rows: list[dict], metric: str) -> dict:
    """Mean and spread (sample standard deviation) of the metric over folds, and the mean
    val_loss."""
    values = [float(r[metric]) for r in rows]
    return {
        "value": statistics.fmean(values),
        "spread": statistics.stdev(values) if len(values) > 1 else 0.0,
        "val_loss": statistics.fmean(float(r["val_loss"]) for r in rows),
        "folds": values,
    }


def describe_scoring(folds: int, dataset) -> str:
    """How trials were scored, in words, for summary.json, the progress line and the model card."""
    if folds == 1:
        return f"the validation split ({len(dataset.y_val)} rows)"
    kind = "stratified " if dataset.task == "classification" else ""
    rows = len(dataset.y_train) + len(dataset.y_val)
    return f"{kind}{folds}-fold cross-validation on the training and validation rows ({rows} rows)"


def add_spread(summary: dict, study, metric: str, folds: int) -> None:
    """With folds, each row of the trials table gets the spread over folds beside the mean
    metric."""
    if folds == 1:
        return
    spread = {t.number: t.user_attrs.get("spread") for t in study.get_trials(deepcopy=False)}
    column = f"{metric}_sd"
    for i, row in enumerate(summary["trials"]):
        keys = list(row)
        at = keys.index(metric) + 1
        row = {**{k: row[k] for k in keys[:at]}, column: spread.get(row["trial"])} | {
            k: row[k] for k in keys[at:]
        }
        summary["trials"][i] = row
    if summary["best"]:
        summary["best"]["spread"] = spread.get(summary["best"]["trial"])


__all__ = [
    "DEFAULT_FOLDS",
    "SMALL_TABLE",
    "add_spread",
    "choose_folds",
    "describe_scoring",
    "fold_datasets",
    "fold_score",
    "merged",
]
