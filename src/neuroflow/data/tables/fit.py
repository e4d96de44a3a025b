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
    kinds = {name: column_kind(df[name]) for name in df.columns if name != target}
    fit = TableFit(kinds, target, task)
    fit.add(df)
    return fit.result()


class TableFit:
    """The fitted numbers of a table's training rows, given whole or in consecutive parts.

    Means and spreads are merged over fixed blocks of training rows, and category counts keep the
    order values are first seen, so a table read in parts gives the same numbers, bit for bit, as
    the whole table.
    """

    def __init__(self, kinds: dict[str, str], target: str | None, task: str):
        self.kinds, self.target, self.task = kinds, target, task
        self.missing = dict.fromkeys(kinds, False)
        self.moments = {name: Moments() for name, kind in kinds.items() if kind == "numeric"}
        self.counts = {n: pd.Series(dtype="int64") for n, k in kinds.items() if k != "numeric"}
        self.target_moments = Moments()

    def add(self, rows: pd.DataFrame) -> None:
        """Training rows, in table order."""
        for name in self.kinds:
            col = rows[name]
            self.missing[name] |= bool(col.isna().any())
            if name in self.moments:
                self.moments[name].add(col.astype(float).to_numpy(dtype=np.float64))
            else:
                seen = col.dropna().astype(str).value_counts(sort=False)
                both = pd.concat([self.counts[name], seen]) if len(self.counts[name]) else seen
                self.counts[name] = both.groupby(level=0, sort=False).sum()
        if self.task == "regression" and self.target is not None:
            self.target_moments.add(rows[self.target].astype(float).to_numpy(dtype=np.float64))

    def result(self) -> dict:
        columns = [self._column(name) for name in self.kinds]
        prep = {"type": "table", "columns": columns, "target": self.target, "task": self.task}
        if self.task == "regression" and self.target is not None:
            mean, std = self.target_moments.result()
            if not (math.isfinite(mean) and math.isfinite(std)):
                raise DataError(
                    f"the target {self.target!r} has numbers too large to standardise",
                    "rescale it (e.g. other units) so its values stay below about 1e150",
                )
            prep["target_mean"], prep["target_std"] = mean, std or 1.0
        return prep

    def _column(self, name: str) -> dict:
        """A numeric column's mean and spread, or a text column's categories (the most common ones;
        of equal counts, the first seen)."""
        missing = self.missing[name]
        if name not in self.moments:
            counts = self.counts[name].sort_values(ascending=False, kind="stable")
            categories = sorted(counts.index[:MAX_CATEGORIES].tolist())
            return dict(
                name=name, kind="category", categories=categories, missing_indicator=missing
            )
        mean, std = self.moments[name].result()
        if not (math.isfinite(mean) and math.isfinite(std)):
            raise DataError(
                f"column {name!r} has numbers too large to standardise",
                "rescale it (e.g. other units) so its values stay below about 1e150",
            )
        std = std if std > 1e-12 else 1.0
        return dict(name=name, kind="numeric", mean=mean, std=std, missing_indicator=missing)


class Moments:
    """Count, mean and population spread of the numbers given (blanks left out), in float64.

    Values are taken in blocks of BLOCK rows, whatever parts they arrive in; each block's mean and
    squared deviations are merged into the running ones (Chan et al.), so the result depends only on
    the values and their order.
    """

    BLOCK = 1 << 16

    def __init__(self):
        self.n, self.mean, self.m2 = 0, 0.0, 0.0
        self.pending: list[np.ndarray] = []
        self.waiting = 0

    def add(self, values: np.ndarray) -> None:
        self.pending.append(values)
        self.waiting += len(values)
        if self.waiting >= self.BLOCK:
            values = np.concatenate(self.pending)
            whole = len(values) - len(values) % self.BLOCK
            for start in range(0, whole, self.BLOCK):
                self._merge(values[start : start + self.BLOCK])
            self.pending, self.waiting = [values[whole:]], len(values) - whole

    def result(self) -> tuple[float, float]:
        """(mean, population standard deviation); 0.0 for each when there are too few numbers."""
        if self.waiting:
            self._merge(np.concatenate(self.pending))
            self.pending, self.waiting = [], 0
        with np.errstate(over="ignore", invalid="ignore"):
            std = math.sqrt(self.m2 / self.n) if self.n > 1 else 0.0
        return (self.mean if self.n else 0.0), std

    def _merge(self, block: np.ndarray) -> None:
        block = block[~np.isnan(block)]
        if not len(block):
            return
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported in words
            n = len(block)
            mean = float(block.sum() / n)
            m2 = float(np.square(block - mean).sum())
            if self.n == 0:
                self.n, self.mean, self.m2 = n, mean, m2
                return
            total = self.n + n
            delta = mean - self.mean
            self.mean += delta * n / total
            self.m2 += m2 + delta * delta * self.n * n / total
            self.n = total


def feature_names(prep: dict) -> list[str]:
    names = []
    for c in prep["columns"]:
        names += (
            [c["name"]] if c["kind"] == "numeric" else [f"{c['name']}={v}" for v in c["categories"]]
        )
        if c["missing_indicator"]:
            names.append(f"{c['name']} is missing")
    return names
