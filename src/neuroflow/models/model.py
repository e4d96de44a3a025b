"""A trained model: its network and the config that says how to feed it and what its outputs mean.

The config is what `config.json` holds; the network is rebuilt from the spec in it, so loading never
runs code from the model folder.
"""

from __future__ import annotations

from pathlib import Path


class Model:
    def __init__(
        self, network, config: dict, history: list[dict] | None = None, path: Path | None = None
    ):
        self.network = network
        self.config = config
        self.history = history or []
        self.path = path
        self.test_report: dict | None = None  # set by nf.train(..., test=True)
        # Arrays of the unknown-input check (class means, precision matrix), saved as detector.safetensors.
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

    def save(self, path: str | Path) -> Path:
        from neuroflow.models.store import save_model

        return save_model(self, path)

    def summary(self) -> str:
        from neuroflow.models.spec import summary

        frozen = self.config.get("training", {}).get("frozen_parameters")
        return summary(self.network, f"Model: {self.config.get('name', 'neuroflow')}", frozen)

    def __repr__(self) -> str:
        what = f"{len(self.class_names)} classes" if self.task == "classification" else "regression"
        where = f", from {self.path}" if self.path else ""
        return f"<neuroflow Model {self.config.get('name', '?')}: {self.kind}, {what}, {self.network.count_params():,} params{where}>"
