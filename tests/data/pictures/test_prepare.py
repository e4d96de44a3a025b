"""neuroflow.data.pictures.prepare: a picture prepared as the model's preprocessing says, at the
model's size and channels; raw only resizes; an unknown preparation is refused by name."""

from __future__ import annotations

import numpy as np
import pytest

from neuroflow.data.pictures.images import prepare_resize
from neuroflow.data.pictures.prepare import prepare_for_model
from neuroflow.errors import DataError
from tests.data.pictures.test_images import DIGIT
from tests.images import drawn_four


def test_raw_resize_keeps_the_picture_as_it_is():
    img = drawn_four()
    raw = prepare_for_model(img, DIGIT, raw=True)
    assert raw.shape == (28, 28, 1) and raw.mean() > 150  # still dark ink on light paper
    colour = prepare_resize(img, 16, 24, 3)
    assert colour.shape == (16, 24, 3) and colour.dtype == np.uint8
    assert prepare_for_model(img, {"height": 32, "width": 32, "channels": 3}).shape == (
        32,
        32,
        3,
    )  # no 'prepare': resize


def test_digit_preparation_follows_the_models_size_and_channels():
    out = prepare_for_model(drawn_four(), {**DIGIT, "height": 14, "width": 14, "channels": 3})
    assert out.shape == (14, 14, 3) and (out[..., 0] == out[..., 2]).all() and out.max() > 200
    with pytest.raises(DataError, match="'sharpen'"):
        prepare_for_model(drawn_four(), {**DIGIT, "prepare": "sharpen"})
