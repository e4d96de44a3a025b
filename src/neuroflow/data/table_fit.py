"""Learning how a table becomes numbers: the task, each column's kind, and every fitted number
(means, spreads, category lists), taken from the training rows only and kept in `preprocessing`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from neuroflow.errors import DataError

MAX_CATEGORIES = 100  # beyond this a text column is more likely an ID than a category
MAX_CLASSES_FOR_INTEGERS = 20  # an integer target with at most this many values is a class label


def infer_task(y: pd.Series) -> str:
    """Classification for text, booleans and small sets of whole numbers; regression otherwise."""
    values = y.dropna()
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return "classification"
    whole = np.all(np.isclose(values.astype(float), np.round(values.astype(float))))
    if whole and values.nunique() <= MAX_CLASSES_FOR_INTEGERS:
        return "classification"
    return "regression"


def column_kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "category"
    return "numeric" if pd.api.types.is_numeric_dtype(series) else "category"


def fit_preprocessing(df: pd.DataFrame, target: str | None, task: str) -> dict:
    """Learn every number needed to turn raw rows into features (call it on the training rows
    only)."""
    columns = [_fit_column(name, df[name]) for name in df.columns if name != target]
    prep = {"type": "table", "columns": columns, "target": target, "task": task}
    if task == "regression" and target is not None:
        y = df[target].astype(float)
        with np.errstate(over="ignore", invalid="ignore"):
            prep["target_mean"], prep["target_std"] = float(y.mean()), float(y.std(ddof=0) or 1.0)
        if not (math.isfinite(prep["target_mean"]) and math.isfinite(prep["target_std"])):
            raise DataError(
                f"the target {target!r} has numbers too large to standardise",
                "rescale it (e.g. other units) so its values stay below about 1e150",
            )
    return prep


def _fit_column(name: str, col: pd.Series) -> dict:
    """A numeric column's mean and spread, or a text column's categories (the most common ones)."""
    missing = bool(col.isna().any())
    if column_kind(col) != "numeric":
        counts = col.dropna().astype(str).value_counts()
        categories = sorted(counts.index[:MAX_CATEGORIES].tolist())
        return dict(name=name, kind="category", categories=categories, missing_indicator=missing)
    values = col.astype(float)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below, in words
        mean = float(values.mean()) if values.notna().any() else 0.0
        std = float(values.std(ddof=0)) if values.notna().sum() > 1 else 0.0
    if not (math.isfinite(mean) and math.isfinite(std)):
        raise DataError(
            f"column {name!r} has numbers too large to standardise",
            "rescale it (e.g. other units) so its values stay below about 1e150",
        )
    std = std if std > 1e-12 else 1.0
    return dict(name=name, kind="numeric", mean=mean, std=std, missing_indicator=missing)


def feature_names(prep: dict) -> list[str]:
    names = []
    for c in prep["columns"]:
        names += (
            [c["name"]] if c["kind"] == "numeric" else [f"{c['name']}={v}" for v in c["categories"]]
        )
        if c["missing_indicator"]:
            names.append(f"{c['name']} is missing")
    return names
