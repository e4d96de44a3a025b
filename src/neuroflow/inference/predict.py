"""`predict`: raw inputs (CSV rows, pictures) → the model's answer, through the saved preprocessing.

Each result says the class and its probability (calibrated when the model has a temperature), all
class probabilities, the truth when it is known, and whether the input looks like the training data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from neuroflow.errors import DataError


@dataclass
class Prediction:
    name: str
    label: str | float
    probability: float | None = None
    probabilities: dict[str, float] = field(default_factory=dict)
    truth: str | float | None = None
    score: float | None = None  # unknown-input score: higher means less like the training data
    known: bool = True  # False when the score is past the model's threshold

    @property
    def correct(self) -> bool | None:
        return None if self.truth is None else str(self.truth) == str(self.label)

    def as_dict(self) -> dict:
        d = {
            "input": self.name,
            "prediction": self.label if self.known else "unknown",
            "class": self.label,
        }
        if self.probability is not None:
            d["probability"] = round(self.probability, 6)
            d["probabilities"] = {k: round(v, 6) for k, v in self.probabilities.items()}
        if self.truth is not None:
            d["truth"], d["correct"] = self.truth, self.correct
        if self.score is not None:
            d["unknown_score"] = round(self.score, 6)
            d["verdict"] = "known" if self.known else "unknown — not like the training data"
        return d


def table_inputs(model, rows) -> tuple[np.ndarray, list[str], list | None]:
    """Rows (a CSV path, DataFrame, list of dicts or of value lists) → features, names, truths."""
    import pandas as pd

    from neuroflow.data.tabular import read_csv, transform

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
    from neuroflow.data.images import list_images, prepare_for_model

    paths = [paths] if isinstance(paths, str | Path) else list(paths)
    for p in map(Path, paths):
        if p.suffix.lower() in (".csv", ".tsv") and p.is_file():
            raise DataError(
                f"{p} is not a picture but a table (CSV rows), and this model takes pictures",
                "give picture files or a folder of them; CSV rows go to table models",
            )
    files = list_images(paths)
    x = np.stack([prepare_for_model(f, model.preprocessing, raw=raw) for f in files])
    # Inside a folder, the path below it: circle/1.png and square/1.png must not both print as 1.png.
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


def predict_arrays(
    model, x: np.ndarray, names: list[str], truths: list | None = None
) -> list[Prediction]:
    """Predictions for prepared inputs (what table_inputs / image_inputs return)."""
    from neuroflow.evaluation.metrics import softmax
    from neuroflow.training.loop import predict_array

    logits = predict_array(model.network, x, model.preprocessing).numpy()
    truths = truths or [None] * len(names)
    if model.task == "regression":
        prep = model.preprocessing
        values = logits[:, 0] * prep["target_std"] + prep["target_mean"]
        return [
            Prediction(n, float(v), truth=t) for n, v, t in zip(names, values, truths, strict=True)
        ]
    probs = softmax(logits, model.temperature)
    scores, known = _unknown_scores(model, x, logits)
    out = []
    for i, name in enumerate(names):
        k = int(probs[i].argmax())
        out.append(
            Prediction(
                name,
                model.class_names[k],
                float(probs[i, k]),
                dict(zip(model.class_names, map(float, probs[i]), strict=True)),
                truths[i],
                None if scores is None else float(scores[i]),
                True if known is None else bool(known[i]),
            )
        )
    return out


def _unknown_scores(model, x, logits):
    if not model.config.get("ood"):
        return None, None
    from neuroflow.evaluation.ood import score_inputs

    scores = score_inputs(model, x, logits)
    return scores, scores <= model.config["ood"]["threshold"]


def prepare_inputs(model, inputs, raw: bool = False) -> tuple[np.ndarray, list[str], list | None]:
    """Raw inputs → (model-ready array, names, truths), for a model folder or an ONNX export alike."""
    if model.kind == "table":
        return table_inputs(model, inputs)
    if isinstance(inputs, np.ndarray):
        return inputs, [f"image {i + 1}" for i in range(len(inputs))], None
    return image_inputs(model, [inputs] if isinstance(inputs, str | Path) else inputs, raw=raw)


def predict(model, inputs, *, raw: bool = False) -> list[Prediction]:
    """Predict for raw inputs: table rows (CSV path, DataFrame, dicts, lists) or picture paths/folders."""
    return predict_arrays(model, *prepare_inputs(model, inputs, raw))
