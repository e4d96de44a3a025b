"""Raw inputs (CSV rows, pictures) prepared as the model's config says, ready for its network.

A model folder and an exported ONNX file take the same preparation, so both answer alike; the
truth is read from a CSV's target column or a picture's file or folder name when it is there.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuroflow.errors import DataError


def table_inputs(model, rows) -> tuple[np.ndarray, list[str], list | None]:
    """Rows (a CSV path, DataFrame, list of dicts or of value lists) → features, names, truths."""
    import pandas as pd

    from neuroflow.data.tables.prepare import read_csv, transform

    if isinstance(rows, str | Path):
        df = read_csv(rows)
    elif isinstance(rows, pd.DataFrame):
        df = rows
    else:
        rows = list(rows)
        if rows and not isinstance(rows[0], dict):
            names = [c["name"] for c in model.preprocessing["columns"]]
            if any(len(r) != len(names) for r in rows):
                raise DataError(
                    f"each row needs {len(names)} values ({', '.join(names)})",
                    "give one value per input column, in that order",
                )
            rows = [dict(zip(names, r, strict=True)) for r in rows]
        df = pd.DataFrame(rows)
    if df.empty:
        raise DataError("there are no rows to predict", "give at least one row")
    target = model.preprocessing.get("target")
    truths = None
    if target in df.columns:
        truths = [
            None
            if pd.isna(v)
            else (
                str(int(v))
                if isinstance(v, float) and v.is_integer() and model.task == "classification"
                else v
            )
            for v in df[target]
        ]
        truths = [str(t) if t is not None and model.task == "classification" else t for t in truths]
    return transform(df, model.preprocessing), [f"row {i + 1}" for i in range(len(df))], truths


def image_inputs(model, paths, raw: bool = False) -> tuple[np.ndarray, list[str], list | None]:
    """Picture files or folders → model-ready uint8 arrays, names, and truths from file names."""
    from neuroflow.data.pictures.images import list_images
    from neuroflow.data.pictures.prepare import prepare_for_model

    paths = [paths] if isinstance(paths, str | Path) else list(paths)
    for p in map(Path, paths):
        if p.suffix.lower() in (".csv", ".tsv") and p.is_file():
            raise DataError(
                f"{p} is not a picture but a table (CSV rows), and this model takes pictures",
                "give picture files or a folder of them; CSV rows go to table models",
            )
    files = list_images(paths)
    x = np.stack([prepare_for_model(f, model.preprocessing, raw=raw) for f in files])
    # the path below the folder, so circle/1.png and square/1.png do not both print as 1.png
    folders = [Path(p).expanduser() for p in paths if Path(p).expanduser().is_dir()]
    names = [
        next((f.relative_to(d).as_posix() for d in folders if f.is_relative_to(d)), f.name)
        for f in files
    ]
    classes = set(model.class_names or [])
    truths = [
        f.stem if f.stem in classes else (f.parent.name if f.parent.name in classes else None)
        for f in files
    ]
    return x, names, truths if any(t is not None for t in truths) else None


def prepare_inputs(model, inputs, raw: bool = False) -> tuple[np.ndarray, list[str], list | None]:
    """Raw inputs → (model-ready array, names, truths), for a model folder or ONNX file alike."""
    if model.kind == "table":
        return table_inputs(model, inputs)
    if isinstance(inputs, np.ndarray):
        return inputs, [f"image {i + 1}" for i in range(len(inputs))], None
    return image_inputs(model, [inputs] if isinstance(inputs, str | Path) else inputs, raw=raw)
