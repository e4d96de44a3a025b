"""The Dataset every command trains on: train/validation/test arrays plus how raw inputs become them.

Tables hold float32 features already preprocessed; images hold uint8 pixels (N, H, W, C), scaled per batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Dataset:
    name: str
    kind: str  # "table" or "image"
    task: str  # "classification" or "regression"
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str] | None
    # JSON-able description of how a raw input becomes a row of x, with every fitted number.
    preprocessing: dict
    # How to load this dataset again (name, path, target, seed, data_dir): recorded in the model folder.
    source: dict = field(default_factory=dict)
    feature_names: list[str] | None = None

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.x_train.shape[1:])

    @property
    def n_outputs(self) -> int:
        return len(self.class_names) if self.task == "classification" else 1

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The (x, y) arrays of the 'train', 'val' or 'test' split."""
        if name not in ("train", "val", "test"):
            raise ValueError(f"unknown split {name!r}")
        return getattr(self, f"x_{name}"), getattr(self, f"y_{name}")

    def describe(self) -> str:
        sizes = f"{len(self.x_train)} train / {len(self.x_val)} validation / {len(self.x_test)} test"
        shape = "×".join(map(str, self.input_shape))
        what = f"{len(self.class_names)} classes" if self.task == "classification" else "regression"
        return f"{self.name}: {self.kind}, inputs {shape}, {what}, {sizes}"


def stratified_split(
    y: np.ndarray, fractions: tuple[float, float], seed: int, stratify: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices of train, validation and test, with `fractions` = (validation, test) of the whole."""
    from sklearn.model_selection import train_test_split

    from neuroflow.errors import DataError

    val_frac, test_frac = fractions
    index = np.arange(len(y))
    strat = y if stratify else None
    try:
        rest, test = train_test_split(index, test_size=test_frac, random_state=seed, stratify=strat)
        strat_rest = y[rest] if stratify else None
        train, val = train_test_split(
            rest, test_size=val_frac / (1 - test_frac), random_state=seed, stratify=strat_rest
        )
    except ValueError as err:
        raise DataError(
            f"cannot split {len(y)} rows into train/validation/test ({err})",
            "give more rows, or fewer classes with very few rows each",
        ) from None
    return np.sort(train), np.sort(val), np.sort(test)
