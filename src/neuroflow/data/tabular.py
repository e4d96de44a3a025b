"""Tables: a CSV (or a built-in table) → standardised numbers, one-hot categories, missing
indicators.

Every fitted number comes from the training split only and is kept in `preprocessing`, so `predict`
can take raw rows later and treat them exactly as training did.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from neuroflow.data.dataset import Dataset, stratified_split
from neuroflow.errors import DataError, UsageError

MAX_CATEGORIES = 100  # beyond this a text column is more likely an ID than a category
MAX_CLASSES_FOR_INTEGERS = 20  # an integer target with at most this many values is a class label


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV with clear errors for the usual ways a file is not a usable table."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"file {path} not found", "check the path")
    if path.is_dir():
        raise DataError(f"{path} is a folder, not a CSV file", "give the CSV file itself")
    if path.stat().st_size == 0:
        raise DataError(
            f"{path} is empty", "give a CSV with a header row and at least a few rows of data"
        )
    from neuroflow.data.images import IMAGE_EXTENSIONS

    if path.suffix.lower() in IMAGE_EXTENSIONS:
        raise DataError(
            f"{path} is a picture, but a table (CSV rows) is needed here",
            "give a .csv file with the table's columns; pictures go to image models",
        )
    options = {"sep": None, "engine": "python"} if path.suffix.lower() == ".tsv" else {}
    try:
        df = pd.read_csv(path, encoding="utf-8", **options)
        # pandas renames a repeated name to "a.1"; the header read as a plain row shows the repeat
        header = [
            str(c)
            for c in pd.read_csv(
                path, encoding="utf-8", header=None, nrows=1, dtype=str, **options
            ).iloc[0]
            if isinstance(c, str)
        ]
    except UnicodeDecodeError:
        raise DataError(
            f"{path} is not UTF-8 text",
            "save it as UTF-8 (e.g. 'CSV UTF-8' in a spreadsheet program)",
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path} has no columns", "give a CSV with a header row") from None
    except (pd.errors.ParserError, ValueError) as err:
        raise DataError(
            f"{path} cannot be read as CSV ({' '.join(str(err).split())[:120]})",
            "check that every row has the same number of fields",
        ) from None
    if df.empty:
        raise DataError(f"{path} has a header but no rows", "add rows of data below the header")
    dup = next((name for i, name in enumerate(header) if name in header[:i]), None)
    if dup is not None:
        raise DataError(
            f"{path} has the column name {dup!r} twice", "give every column a unique name"
        )
    df.columns = [str(c) for c in df.columns]
    return df


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
    columns = []
    for name in df.columns:
        if name == target:
            continue
        col = df[name]
        missing = bool(col.isna().any())
        if column_kind(col) == "numeric":
            values = col.astype(float)
            with np.errstate(
                over="ignore", invalid="ignore"
            ):  # an overflow is reported below, in words
                mean = float(values.mean()) if values.notna().any() else 0.0
                std = float(values.std(ddof=0)) if values.notna().sum() > 1 else 0.0
            if not (math.isfinite(mean) and math.isfinite(std)):
                raise DataError(
                    f"column {name!r} has numbers too large to standardise",
                    "rescale it (e.g. other units) so its values stay below about 1e150",
                )
            columns.append(
                {
                    "name": name,
                    "kind": "numeric",
                    "mean": mean,
                    "std": std if std > 1e-12 else 1.0,
                    "missing_indicator": missing,
                }
            )
        else:
            counts = col.dropna().astype(str).value_counts()
            categories = sorted(counts.index[:MAX_CATEGORIES].tolist())
            columns.append(
                {
                    "name": name,
                    "kind": "category",
                    "categories": categories,
                    "missing_indicator": missing,
                }
            )
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


def feature_names(prep: dict) -> list[str]:
    names = []
    for c in prep["columns"]:
        names += (
            [c["name"]] if c["kind"] == "numeric" else [f"{c['name']}={v}" for v in c["categories"]]
        )
        if c["missing_indicator"]:
            names.append(f"{c['name']} is missing")
    return names


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
            values = pd.to_numeric(col, errors="coerce")
            bad = values.isna().to_numpy() & ~isna
            if bad.any():
                raise DataError(
                    f"column {c['name']!r} has a value that is not a number: {col[bad].iloc[0]!r}",
                    "fix that cell or leave it blank",
                )
            _check_finite(values, "row ")
            filled = values.fillna(c["mean"]).to_numpy(dtype=np.float64)
            parts.append(((filled - c["mean"]) / c["std"])[:, None])
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


def encode_target(y: pd.Series, prep: dict, class_names: list[str] | None) -> np.ndarray:
    if prep["task"] == "regression":
        values = pd.to_numeric(y, errors="coerce")
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
    if target is None:
        raise UsageError(
            f"{name} is a table: say which column to predict",
            f"add --target COLUMN (columns: {', '.join(df.columns[:12])})",
        )
    if target not in df.columns:
        raise DataError(
            f"no column {target!r} in {name}", f"columns are: {', '.join(df.columns[:30])}"
        )
    if len(df.columns) < 2:
        raise DataError(f"{name} has only the target column", "add at least one input column")
    blank = [c for c in df.columns if df[c].isna().all()]
    if blank:
        raise DataError(
            f"column {blank[0]!r} is blank in every row", "remove the column or fill it in"
        )
    for c in df.columns:
        _check_finite(df[c], f"{name}, row ")
    df = df[df[target].notna()].reset_index(drop=True)
    if task not in (None, "classification", "regression"):
        raise UsageError(f"unknown task {task!r}", "use --task classification or --task regression")
    task = task or infer_task(df[target])
    class_names = None
    if task == "classification":
        labels = df[target].map(_label)
        class_names = sorted(labels.unique(), key=_natural)
        if len(class_names) < 2:
            raise DataError(
                f"the target {target!r} has a single class ({class_names[0]!r})",
                "a classifier needs at least two classes in the target column",
            )
        counts = labels.value_counts()
        stratify = counts.min() >= 3
    else:
        if not pd.api.types.is_numeric_dtype(df[target]):
            raise DataError(
                f"the target {target!r} is not numeric, so it cannot be regressed",
                "use --task classification",
            )
        stratify = False
    if len(df) < 10:
        raise DataError(
            f"{name} has only {len(df)} usable rows",
            "neuroflow needs at least 10 rows to split into train, validation and test",
        )
    train, val, test = stratified_split(
        df[target].map(_label).to_numpy() if task == "classification" else np.zeros(len(df)),
        fractions,
        seed,
        stratify,
    )
    prep = fit_preprocessing(df.iloc[train], target, task)
    if not prep["columns"]:
        raise DataError(f"{name} has no input columns besides {target!r}", "add input columns")

    def part(idx):
        rows = df.iloc[idx]
        return transform(rows, prep), encode_target(rows[target], prep, class_names)

    (xtr, ytr), (xva, yva), (xte, yte) = part(train), part(val), part(test)
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
        source={
            **source,
            "target": target,
            "task": task,
            "seed": seed,
            "fractions": list(fractions),
        },
    )


def _check_finite(col: pd.Series, where: str) -> None:
    """Infinity parses as a number but poisons every fitted mean and every loss: refuse it where it
    enters."""
    if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        return
    inf = np.isinf(col.to_numpy(dtype=float))
    if inf.any():
        raise DataError(
            f"column {col.name!r} has an infinite value ({where}{int(np.argmax(inf)) + 1})",
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


def iris_frame() -> pd.DataFrame:
    """Iris as a table with the species as text, as a user's own CSV would have it.

    Read from the CSV that scikit-learn ships, without importing scikit-learn (a second of
    start-up).
    """
    import importlib.util

    columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    spec = importlib.util.find_spec("sklearn")
    csv = (
        Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / "iris.csv"
        if spec
        else None
    )
    if csv is not None and csv.is_file():
        with open(csv, encoding="utf-8") as fh:
            names = fh.readline().strip().split(",")[2:]
            df = pd.read_csv(fh, header=None, names=[*columns, "species"])
        df["species"] = np.asarray(names)[df["species"].to_numpy()]
        return df
    from sklearn.datasets import load_iris as sk_iris

    bunch = sk_iris()
    df = pd.DataFrame(bunch.data, columns=columns)
    df["species"] = bunch.target_names[bunch.target]
    return df


def load_iris(seed: int = 0, fractions=(0.2, 0.2)) -> Dataset:
    return table_dataset(
        iris_frame(),
        "species",
        name="iris",
        task="classification",
        seed=seed,
        fractions=fractions,
        source={"name": "iris"},
    )


def describe_table(df: pd.DataFrame, target: str | None) -> list[dict]:
    """One row per column for `neuroflow inspect`: type, missing count, and what preprocessing will
    do."""
    rows = []
    for name in df.columns:
        col = df[name]
        kind = column_kind(col)
        missing = int(col.isna().sum())
        if name == target:
            task = infer_task(col.dropna())
            plan = f"target ({task})"
        elif missing == len(col):
            plan = "blank in every row: remove it"
        elif kind == "numeric":
            plan = "standardise (mean 0, std 1)"
        else:
            n = col.dropna().astype(str).nunique()
            plan = f"one-hot, {min(n, MAX_CATEGORIES)} categories" + (
                f" (top {MAX_CATEGORIES} kept)" if n > MAX_CATEGORIES else ""
            )
        if missing and name != target and missing < len(col):
            plan += "; blanks filled, plus a missing-indicator column"
        rows.append(
            {
                "column": name,
                "type": kind,
                "missing": missing,
                "unique": int(col.nunique()),
                "plan": plan,
            }
        )
    return rows
