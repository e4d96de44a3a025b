"""The Dataset every command trains on: train/validation/test arrays plus how raw inputs become
them.

Tables hold float32 features already preprocessed; images hold uint8 pixels (N, H, W, C), scaled per
batch.
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
    # How to load this dataset again (name, path, target, seed, data_dir): recorded in the model
    # folder.
    source: dict = field(default_factory=dict)
    feature_names: list[str] | None = None

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.x_train.shape[1:])

    @property
    def n_outputs(self) -> int:
        return len(self.class_names) if self.task == "classification" else 1

    def drop_training_inputs(self) -> None:
        """Give the training inputs' memory back once nothing will read them (their shape stays)."""
        if isinstance(self.x_train, np.ndarray):
            self.x_train = np.empty((0, *self.x_train.shape[1:]), self.x_train.dtype)

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The (x, y) arrays of the 'train', 'val' or 'test' split."""
        if name not in ("train", "val", "test"):
            raise ValueError(f"unknown split {name!r}: use 'train', 'val' or 'test'")
        return getattr(self, f"x_{name}"), getattr(self, f"y_{name}")

    def describe(self) -> str:
        sizes = (
            f"{len(self.x_train)} train / {len(self.x_val)} validation / {len(self.x_test)} test"
        )
        shape = "×".join(map(str, self.input_shape))
        what = f"{len(self.class_names)} classes" if self.task == "classification" else "regression"
        return f"{self.name}: {self.kind}, inputs {shape}, {what}, {sizes}"


def stratified_split(
    y: np.ndarray, fractions: tuple[float, float], seed: int, stratify: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted indices of train, validation and test, with `fractions` = (validation, test) of the
    whole."""
    n = len(y)
    val_frac, test_frac = fractions
    n_test, n_val = round(n * test_frac), round(n * val_frac)
    classes = len(np.unique(y)) if stratify else 1
    if n - n_test - n_val < classes or n_test < classes or n_val < classes:
        from neuroflow.errors import DataError

        raise DataError(
            f"cannot split {n} rows into train/validation/test with every class in each",
            f"give more rows: at least about {int(np.ceil(classes / min(val_frac, test_frac)))} "
            f"for {classes} classes",
        )
    labels = y if stratify else np.zeros(n, dtype=np.int64)
    rest, test = stratified_holdout(labels, n_test, seed)
    keep, val = stratified_holdout(labels[rest], n_val, seed + 1)
    return rest[keep], rest[val], test


def stratified_holdout(y: np.ndarray, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted indices of the rest and of `size` held-out rows, each class held out in proportion
    (seeded).

    numpy only: importing scikit-learn costs longer than reading MNIST or training Iris.
    """
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    share = counts * size / len(y)
    take = np.floor(share).astype(int)
    take[np.argsort(take - share)[: size - take.sum()]] += (
        1  # largest remainders get the rows rounding lost
    )
    held = np.concatenate(
        [rng.permutation(np.flatnonzero(y == k))[:t] for k, t in zip(classes, take, strict=True)]
    )
    mask = np.zeros(len(y), bool)
    mask[held] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)
