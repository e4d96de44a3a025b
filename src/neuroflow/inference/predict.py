"""`predict`: raw inputs (CSV rows, pictures) → the model's answer, through the saved preprocessing.

Each result says the class and its probability (calibrated when the model has a temperature), all
class probabilities, the truth when it is known, and whether the input looks like the training data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from neuroflow.models.raw_inputs import prepare_inputs


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


def predict_arrays(
    model, x: np.ndarray, names: list[str], truths: list | None = None
) -> list[Prediction]:
    """Predictions for prepared inputs (what `neuroflow.models.raw_inputs` makes of raw ones).

    `model` is anything that runs itself as Model does: a loaded folder or bundle, or an ONNX file.
    """
    truths = truths or [None] * len(names)
    if model.task == "regression":
        values = model.values(x)
        return [
            Prediction(n, float(v), truth=t) for n, v, t in zip(names, values, truths, strict=True)
        ]
    check = model.unknown_check
    logits = model.logits(x) if check else None
    probs = model.probabilities(x, logits=logits)
    scores = model.unknown_scores(x, logits) if check else None
    known = model.known(scores) if check else None
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


def predict(model, inputs, *, raw: bool = False) -> list[Prediction]:
    """Predict for raw inputs: table rows (CSV path, DataFrame, dicts, lists) or picture paths and
    folders."""
    return predict_arrays(model, *prepare_inputs(model, inputs, raw))
