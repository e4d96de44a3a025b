"""`neuroflow inspect`: what a dataset holds and what neuroflow will do with it, before training."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def inspect_data(data: str, target: str | None = None, data_dir: str | None = None) -> dict:
    from neuroflow.data.registry import BUILTIN_DATASETS, builtin_name, load_dataset

    path = Path(data)
    builtin = builtin_name(data)
    if builtin == "iris":
        from neuroflow.data.tables.iris import iris_frame

        return _table_report("iris", iris_frame(), target or "species")
    if builtin is None and path.is_file():
        from neuroflow.data.tables.prepare import read_csv

        return _table_report(path.name, read_csv(path), target)
    if str(data).lower() not in BUILTIN_DATASETS and not path.exists():
        load_dataset(data)  # raises the clear "no such dataset" error
    ds = load_dataset(data, data_dir=data_dir)
    counts = Counter(int(v) for v in ds.y_train)
    balance = {ds.class_names[k]: counts.get(k, 0) for k in range(len(ds.class_names))}
    lines = [
        ds.describe(),
        "pixels: uint8, scaled by 1/255 per batch; own pictures prepared as "
        f"'{ds.preprocessing.get('prepare')}'",
        "class balance (training split):",
    ]
    lines += [f"  {name:>12}: {n}" for name, n in balance.items()]
    return {
        "name": ds.name,
        "kind": ds.kind,
        "input_shape": ds.input_shape,
        "class_balance": balance,
        "text": "\n".join(lines),
    }


def _table_report(name: str, df, target: str | None) -> dict:
    from neuroflow.data.tables.fit import infer_task
    from neuroflow.errors import DataError

    if target is not None and target not in df.columns:
        raise DataError(
            f"no column {target!r} in {name}", f"columns are: {', '.join(df.columns[:30])}"
        )
    rows = describe_table(df, target)
    width = max(len("column"), *(len(r["column"]) for r in rows)) + 2
    lines = [
        f"{name}: {len(df)} rows, {len(df.columns)} columns",
        f"{'column':{width}}{'type':10}{'missing':>8}{'unique':>8}  plan",
    ]
    lines += [
        f"{r['column']:{width}}{r['type']:10}{r['missing']:>8}{r['unique']:>8}  {r['plan']}"
        for r in rows
    ]
    report = {"name": name, "kind": "table", "rows": len(df), "columns": rows}
    if target is not None:
        task = infer_task(df[target].dropna())
        report["task"] = task
        if task == "classification":
            balance = df[target].astype(str).value_counts().to_dict()
            report["class_balance"] = balance
            lines.append(f"target {target!r}: classification, {len(balance)} classes")
            lines += [f"  {k:>12}: {v} ({v / len(df):.0%})" for k, v in balance.items()]
        else:
            lines.append(
                f"target {target!r}: regression (mean {df[target].mean():.4g}, std "
                f"{df[target].std():.4g})"
            )
        lines.append(
            "split: 60% train / 20% validation / 20% test, stratified by class, seeded; every "
            "fitted number from the training rows only"
        )
    else:
        lines.append("choose the column to predict with --target COLUMN")
    report["text"] = "\n".join(lines)
    return report


def describe_table(df: pd.DataFrame, target: str | None) -> list[dict]:
    """One row per column for `neuroflow inspect`: type, missing count, and what preprocessing will
    do."""
    from neuroflow.data.tables.fit import MAX_CATEGORIES, column_kind, infer_task

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
