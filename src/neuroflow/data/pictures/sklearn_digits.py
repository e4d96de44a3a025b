"""scikit-learn's 8×8 `digits`, the built-in `digits` dataset: pictures light on dark, split and
ready to train, with the preparation that makes a user's own digit like them."""

from __future__ import annotations

import numpy as np

from neuroflow.data.dataset import Dataset
from neuroflow.data.pictures.folders import split_images


def load_sklearn_digits(
    seed: int = 0,
    fractions: tuple[float, float] = (0.2, 0.2),
    image_size: tuple[int, int] | None = None,
) -> Dataset:
    """scikit-learn's 1,797 8×8 digits (offline) as uint8 (N, 8, 8, 1) images, or resized to
    `image_size`."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = np.rint(bunch.images * (255 / 16)).astype(
        np.uint8
    )  # values 0..16 (ink counts) → 0..255, light on dark
    y = bunch.target.astype(np.int64)
    height, width = image_size or (8, 8)
    if (height, width) != (8, 8):
        from neuroflow.data.pictures.images import resize_batch

        x = resize_batch(x, (height, width))
    x = x.reshape(len(x), height, width, 1)
    return split_images(
        x,
        y,
        fractions,
        seed,
        name="digits",
        class_names=[str(d) for d in range(10)],
        preprocessing={
            "type": "image",
            "height": height,
            "width": width,
            "channels": 1,
            "scale": 1 / 255,
            # own pictures: like MNIST's at MNIST's size, else as the 8×8 digits were made
            "prepare": "digit" if (height, width) == (28, 28) else "digit-counts",
        },
        source={"name": "digits"},
    )
