"""A user's own picture prepared as the training data was made: 'digit' as MNIST digits were made
(pictures.digits, after the digit finder), 'digit-counts' as scikit-learn's 8×8 digits, else
resized."""

from __future__ import annotations

import numpy as np

from neuroflow.data.pictures.images import (
    PREDICT_MAX_PIXELS,
    open_image,
    prepare_crop,
    prepare_resize,
)
from neuroflow.errors import DataError


def prepare_for_model(path_or_img, preprocessing: dict, raw: bool = False) -> np.ndarray:
    """A picture (path or Pillow image) → uint8 (H, W, C) as the model's preprocessing says; raw:
    resize only."""
    from PIL import Image

    img = (
        path_or_img
        if isinstance(path_or_img, Image.Image)
        else open_image(path_or_img, PREDICT_MAX_PIXELS)
    )
    height, width, channels = (int(preprocessing[k]) for k in ("height", "width", "channels"))
    prepare = preprocessing.get("prepare", "resize")
    if raw or prepare == "resize":
        return prepare_resize(img, height, width, channels)
    if prepare == "crop":  # a pretrained network's: shorter side resized, centre cut out
        return prepare_crop(img, height, width, int(preprocessing["resize"]))
    if prepare == "digit-counts":  # as scikit-learn's 8×8 digits were made
        from neuroflow.data.pictures.digit_counts import prepare_digit_counts

        return _fit(prepare_digit_counts(img), height, width, channels)
    if prepare != "digit":
        raise DataError(
            f"the model asks for image preparation {prepare!r}, which this neuroflow does not know",
            "update neuroflow, or predict with --no-preprocess",
        )
    from neuroflow.data.pictures.digits import prepare_digit

    return _fit(prepare_digit(img), height, width, channels)


def _fit(digit: np.ndarray, height: int, width: int, channels: int) -> np.ndarray:
    """A prepared grey digit resized to the model's height × width, repeated over its channels."""
    from PIL import Image

    if (height, width) != digit.shape:
        digit = np.asarray(Image.fromarray(digit).resize((width, height), Image.LANCZOS))
    return np.repeat(digit[..., None], channels, axis=2)
