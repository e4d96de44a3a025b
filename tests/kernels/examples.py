"""Shared examples for the kernels tests: the lesson's 5×5 picture and random cases for
hypothesis."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

LESSON = np.array(
    [
        [105, 102, 100, 97, 96],
        [103, 99, 103, 101, 102],
        [101, 98, 104, 102, 100],
        [99, 101, 106, 104, 99],
        [104, 104, 104, 100, 98],
    ],
    dtype=float,
)
SCIPY_MODES = ["reflect", "mirror", "nearest", "wrap", "constant"]


@st.composite
def cases(draw, max_side=9):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    height, width = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    channels = draw(st.sampled_from([None, 3]))
    image = rng.uniform(
        -50, 300, (height, width) if channels is None else (height, width, channels)
    )
    kernel = rng.normal(size=(draw(st.integers(1, 6)), draw(st.integers(1, 6))))
    return image, kernel, draw(st.floats(-10, 10)), draw(st.booleans())
