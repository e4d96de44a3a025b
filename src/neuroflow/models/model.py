"""A trained model that runs itself: its network, and the config that says how to feed it.

The config is what `config.json` holds; the network is rebuilt from the spec in it, so loading
never runs code from the model folder. Inputs here are prepared (uint8 images, float table rows).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuroflow.errors import UsageError


class Model:
    def __init__(
        self, network, config: dict, history: list[dict] | None = None, path: Path | None = None
    ):
        self.network = network
        self.config = config
        self.history = history or []
        self.path = path
        self.test_report: dict | None = None  # set by nf.train(..., test=True)
        # Arrays of the unknown-input check (class means, precision matrix): detector.safetensors.
        self.detector: dict = {}

    @property
    def task(self) -> str:
        return self.config["task"]

    @property
    def kind(self) -> str:
        return self.config["kind"]

    @property
    def class_names(self) -> list[str] | None:
        return self.config.get("class_names")

    @property
    def preprocessing(self) -> dict:
        return self.config["preprocessing"]

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.config["input"]["shape"])

    @property
    def spec(self) -> dict:
        return self.config["spec"]

    @property
    def temperature(self) -> float:
        return float(self.config.get("calibration", {}).get("temperature", 1.0))

    @property
    def unknown_check(self) -> dict | None:
        """The fitted unknown-input check (method, threshold, ...), None when there is none."""
        return self.config.get("ood") or None

    def logits(self, x: np.ndarray, batch_size: int | None = None) -> np.ndarray:
        """Logits for prepared inputs, in batches (PREDICT_BATCH rows by default) without
        autograd."""
        from neuroflow.models.logits import PREDICT_BATCH, image_scale, predict_logits

        scale = image_scale(self.preprocessing)
        return predict_logits(self.network, x, scale, batch_size or PREDICT_BATCH).numpy()

    def probabilities(self, x: np.ndarray | None = None, logits: np.ndarray | None = None):
        """Class probabilities calibrated with the model's temperature (from `logits` if given)."""
        from neuroflow.models.logits import softmax

        return softmax(self.logits(x) if logits is None else logits, self.temperature)

    def values(self, x: np.ndarray) -> np.ndarray:
        """A regression model's answers in the target's own units."""
        prep = self.preprocessing
        return self.logits(x)[:, 0] * prep["target_std"] + prep["target_mean"]

    def unknown_scores(self, x: np.ndarray, logits: np.ndarray | None = None) -> np.ndarray:
        """Each input's unknown-input score; given the logits, only Mahalanobis runs the network."""
        from neuroflow.models.detector import features_and_logits, needs_features, scores_for

        check = self.unknown_check
        if check is None:
            raise UsageError(
                "this model has no unknown-input check",
                "it is fitted when a classifier is trained; retrain it with this neuroflow",
            )
        features = None
        if logits is None or needs_features(check["method"]):
            space = check.get("space", "features")
            features, logits = features_and_logits(self.network, x, self.preprocessing, space=space)
        return scores_for(check["method"], features, logits, self.temperature, self.detector)

    def known(self, scores: np.ndarray) -> np.ndarray:
        """True where a score is within the check's threshold: like the training data."""
        return scores <= self.unknown_check["threshold"]

    def save(self, path: str | Path) -> Path:
        from neuroflow.models.writer import save_model

        return save_model(self, path)

    def summary(self) -> str:
        from neuroflow.models.summary import summary

        frozen = self.config.get("training", {}).get("frozen_parameters")
        return summary(self.network, f"Model: {self.config.get('name', 'neuroflow')}", frozen)

    def __repr__(self) -> str:
        what = f"{len(self.class_names)} classes" if self.task == "classification" else "regression"
        where = f", from {self.path}" if self.path else ""
        params = self.network.count_params()
        return (
            f"<neuroflow Model {self.config.get('name', '?')}: {self.kind}, {what}, "
            f"{params:,} params{where}>"
        )
