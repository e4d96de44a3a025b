"""Tables: a CSV (or a built-in table) → standardised numbers, one-hot categories, missing
indicators.

Every fitted number comes from the training split only and is kept in `preprocessing`, so `predict`
can take raw rows later and treat them exactly as training did.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from neuroflow.data.dataset import Dataset, stratified_split
from neuroflow.data.tables.csv_read import read_csv
from neuroflow.data.tables.fit import feature_names, fit_preprocessing, infer_task
from neuroflow.errors import DataError, UsageError

__all__ = ["encode_target", "load_csv", "read_csv", "table_dataset", "transform"]


def transform(df: pd.DataFrame, prep: dict) -> np.ndarray:
    """Raw rows → float32 features, exactly as fitted. Unseen categories become all-zero
    one-hots."""
    missing_cols = [c["name"] for c in prep["columns"] if c["name"] not in df.columns]
    if missing_cols:
        raise DataError(
            f"the input lacks column(s) the model was trained on: {', '.join(missing_cols)}",
            "give rows with the same columns as the training table",
        )
    parts = []
    for c in prep["columns"]:
        col = df[c["name"]]
        isna = col.isna().to_numpy()
        if c["kind"] == "numeric":
            values = _numbers(col, "row ")
            bad = values.isna().to_numpy() & ~isna
            if bad.any():
                raise DataError(
                    f"column {c['name']!r} has a value that is not a number: {col[bad].iloc[0]!r}",
                    "fix that cell or leave it blank",
                )
            _check_finite(values, "row ")
            filled = values.fillna(c["mean"]).to_numpy(dtype=np.float64)
            parts.append(_within_reach((filled - c["mean"]) / c["std"], c["name"])[:, None])
        else:
            text = col.astype(str).to_numpy()
            onehot = (
                np.stack([(text == v) & ~isna for v in c["categories"]], axis=1)
                if c["categories"]
                else np.zeros((len(df), 0))
            )
            parts.append(onehot.astype(np.float64))
        if c["missing_indicator"]:
            parts.append(isna.astype(np.float64)[:, None])
    x = np.concatenate(parts, axis=1) if parts else np.zeros((len(df), 0))
    return x.astype(np.float32)


# Standardised values beyond this overflow float32 inside the network and come out as NaN
# probabilities; no real row lies 10^18 spreads from the training rows.
MAX_STANDARD_UNITS = 1e18


def _within_reach(z: np.ndarray, name: str) -> np.ndarray:
    far = ~(np.abs(z) < MAX_STANDARD_UNITS)
    if far.any():
        row = int(np.argmax(far)) + 1
        raise DataError(
            f"column {name!r} has a value too far from the training values to compute with "
            f"(row {row})",
            "check that cell: it is about 10^18 or more spreads away from what the model saw",
        )
    return z


def _numbers(col: pd.Series, where: str) -> pd.Series:
    """A column as numbers (blanks and text as NaN), refusing whole numbers too long for a float
    in one line (pandas raises OverflowError for them)."""
    try:
        return pd.to_numeric(col, errors="coerce")
    except OverflowError:
        row = next(i for i, v in enumerate(col) if _too_long(v))
        raise DataError(
            f"column {col.name!r} has a number too large to read ({where}{row + 1})",
            "write it with an exponent (such as 1e300) or leave the cell blank",
        ) from None


def _too_long(value) -> bool:
    try:
        float(int(str(value).strip()))
    except (ValueError, OverflowError) as err:
        return isinstance(err, OverflowError)
    return False


def encode_target(y: pd.Series, prep: dict, class_names: list[str] | None) -> np.ndarray:
    if prep["task"] == "regression":
        values = _numbers(y, "row ")
        bad = values.isna() & y.notna()
        if bad.any():
            raise DataError(
                f"the target {y.name!r} has a value that is not a number: {y[bad].iloc[0]!r}",
                "a regression target holds numbers; fix that cell",
            )
        _check_finite(values, "row ")
        return ((values.to_numpy(dtype=float) - prep["target_mean"]) / prep["target_std"]).astype(
            np.float32
        )
    index = {name: i for i, name in enumerate(class_names)}
    return np.array([index[_label(v)] for v in y], dtype=np.int64)


def _label(value) -> str:
    """Class labels as text: 2.0 and 2 are the same class '2'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def table_dataset(
    df: pd.DataFrame,
    target: str | None,
    *,
    name: str,
    task: str | None,
    seed: int,
    fractions: tuple[float, float],
    source: dict,
) -> Dataset:
    """Check a DataFrame, split it and fit the preprocessing on its training rows."""
    df = _usable_rows(df, target, name)
    if task not in (None, "classification", "regression"):
        raise UsageError(f"unknown task {task!r}", "use --task classification or --task regression")
    task = task or infer_task(df[target])
    class_names, stratify = _classes(df[target], target, task)
    train, val, test = _split(df[target], name, task, fractions, seed, stratify)
    prep = fit_preprocessing(df.iloc[train], target, task)
    if not prep["columns"]:
        raise DataError(f"{name} has no input columns besides {target!r}", "add input columns")

    def part(idx):
        rows = df.iloc[idx]
        return transform(rows, prep), encode_target(rows[target], prep, class_names)

    (xtr, ytr), (xva, yva), (xte, yte) = part(train), part(val), part(test)
    source = {**source, "target": target, "task": task, "seed": seed, "fractions": list(fractions)}
    return Dataset(
        name=name,
        kind="table",
        task=task,
        x_train=xtr,
        y_train=ytr,
        x_val=xva,
        y_val=yva,
        x_test=xte,
        y_test=yte,
        class_names=class_names,
        preprocessing=prep,
        feature_names=feature_names(prep),
        source=source,
    )


def _split(y: pd.Series, name: str, task: str, fractions, seed: int, stratify: bool):
    """Row indices of train, validation and test, stratified by class when there are enough."""
    if len(y) < 10:
        raise DataError(
            f"{name} has only {len(y)} usable rows",
            "neuroflow needs at least 10 rows to split into train, validation and test",
        )
    labels = y.map(_label).to_numpy() if task == "classification" else np.zeros(len(y))
    return stratified_split(labels, fractions, seed, stratify)


def _usable_rows(df: pd.DataFrame, target: str | None, name: str) -> pd.DataFrame:
    """The rows that have a target, once the table is known to hold the target and inputs."""
    check_columns(list(df.columns), target, name)
    blank = [c for c in df.columns if df[c].isna().all()]
    if blank:
        raise blank_column(blank[0])
    for c in df.columns:
        if df[c].dtype == object:
            _numbers(df[c], f"{name}, row ")
        _check_finite(df[c], f"{name}, row ")
    return df[df[target].notna()].reset_index(drop=True)


def check_target_given(columns: list[str], target: str | None, name: str) -> None:
    if target is None:
        raise UsageError(
            f"{name} is a table: say which column to predict",
            f"add --target COLUMN (columns: {', '.join(columns[:12])})",
        )


def check_columns(columns: list[str], target: str | None, name: str) -> None:
    """The table holds the target and at least one input column."""
    check_target_given(columns, target, name)
    if target not in columns:
        raise DataError(
            f"no column {target!r} in {name}", f"columns are: {', '.join(columns[:30])}"
        )
    if len(columns) < 2:
        raise DataError(f"{name} has only the target column", "add at least one input column")


def blank_column(name: str) -> DataError:
    return DataError(f"column {name!r} is blank in every row", "remove the column or fill it in")


def _classes(y: pd.Series, target: str, task: str) -> tuple[list[str] | None, bool]:
    """The class names (None for regression) and whether there are enough rows to stratify."""
    if task == "regression":
        if not pd.api.types.is_numeric_dtype(y):
            raise DataError(
                f"the target {target!r} is not numeric, so it cannot be regressed",
                "use --task classification",
            )
        return None, False
    labels = y.map(_label)
    class_names = sorted(labels.unique(), key=_natural)
    if len(class_names) < 2:
        raise DataError(
            f"the target {target!r} has a single class ({class_names[0]!r})",
            "a classifier needs at least two classes in the target column",
        )
    return class_names, bool(labels.value_counts().min() >= 3)


def _check_finite(col: pd.Series, where: str) -> None:
    """Infinity parses as a number but poisons every fitted mean and every loss: refuse it where it
    enters."""
    if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        return
    inf = np.isinf(col.to_numpy(dtype=float))
    if inf.any():
        raise infinite_value(col.name, f"{where}{int(np.argmax(inf)) + 1}")


def infinite_value(column: str, where: str) -> DataError:
    return DataError(
        f"column {column!r} has an infinite value ({where})",
        "replace it with a real number or leave the cell blank",
    )


def _natural(label: str):
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def load_csv(
    path, *, target: str | None, task: str | None = None, seed: int = 0, fractions=(0.2, 0.2)
) -> Dataset:
    df = read_csv(path)
    return table_dataset(
        df,
        target,
        name=Path(path).name,
        task=task,
        seed=seed,
        fractions=fractions,
        source={"path": str(Path(path).resolve())},
    )
