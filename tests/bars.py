"""A tiny synthetic picture task for tests: bars on noise, as uint8 (N, H, W, 1) with a Dataset
around it."""

from __future__ import annotations

import numpy as np

SHAPES = ("horizontal", "vertical", "diagonal", "cross")
TINY_CNN = [
    "Conv2D(4, 4, padding='same', activation='relu')",  # even kernel: asymmetric 'same' padding
    "MaxPool2D(2)",
    "BatchNormalization()",
    "Conv2D(8, 3, padding='same', activation='relu')",
    "MaxPool2D(2, padding='same')",
    "Flatten()",
    "Dense(16, activation='relu')",
    "Dropout(0.3)",
    "Dense(units='auto', activation='auto')",
]


def bar_pictures(
    n: int, classes=SHAPES[:3], size: int = 28, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(classes), n)
    x = rng.integers(0, 60, (n, size, size, 1)).astype(np.uint8)
    for i, k in enumerate(y):
        at = int(rng.integers(4, size - 8))
        shape = classes[k]
        if shape in ("horizontal", "cross"):
            x[i, at : at + 3, :, 0] = 250
        if shape in ("vertical", "cross"):
            x[i, :, at : at + 3, 0] = 250
        if shape == "diagonal":
            np.fill_diagonal(x[i, :, :, 0], 250)
    return x, y


def bars_dataset(
    n: int = 120, classes=SHAPES[:3], size: int = 28, seed: int = 0, name: str = "bars"
):
    from neuroflow.data import Dataset

    x, y = bar_pictures(n, classes, size, seed)
    a, b = int(n * 0.6), int(n * 0.8)
    prep = {"type": "image", "height": size, "width": size, "channels": 1, "scale": 1 / 255}
    return Dataset(
        name,
        "image",
        "classification",
        x[:a],
        y[:a],
        x[a:b],
        y[a:b],
        x[b:],
        y[b:],
        list(classes),
        prep,
        source={"name": name},
    )
