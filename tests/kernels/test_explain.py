"""neuroflow.kernels.explain: one output pixel worked by hand equals the convolution there."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neuroflow import kernels as nk
from neuroflow.errors import UsageError
from tests.kernels.examples import LESSON, SCIPY_MODES, cases


def test_explain_gives_the_lessons_arithmetic():
    ex = nk.explain_pixel(LESSON, "sharpen", 1, 1)
    assert ex.value == 99 and ex.sums == (89.0,) and ex.result == 89
    assert ex.neighbourhood.tolist() == [[105, 102, 100], [103, 99, 103], [101, 98, 104]]
    assert ex.products[0].tolist() == [[0, -102, 0], [-103, 495, -103], [0, -98, 0]]
    lines = ex.lines()
    assert "Sum: 0 - 102 + 0 - 103 + 495 - 103 + 0 - 98 + 0 = 89" in lines
    assert "  103 x (-1) = -103   99 x 5 = 495        103 x (-1) = -103" in lines
    assert lines[-1] == "Result after clipping to 0..255: 89 (89 is already inside)"
    assert nk.explain_pixel(LESSON, "sharpen", 2, 1).sums == (111.0,)  # the lesson's second pixel


def test_explain_marks_pixels_past_the_edge_and_clips():
    ex = nk.explain_pixel(LESSON, "sharpen", 0, 0, mode="constant", cval=0)
    assert ex.outside.tolist() == [[True, True, True], [True, False, False], [True, False, False]]
    assert ex.sums == (5 * 105 - 102 - 103,) and ex.result == 255
    assert ex.lines()[-1] == "Result after clipping to 0..255: 255 (320 is above 255)"
    assert any(
        line.startswith("* past the edge of the image, filled in by mode constant")
        for line in ex.lines()
    )
    with pytest.raises(UsageError, match="kernel hangs over the edge. Choose x from 1 to 3"):
        nk.explain_pixel(LESSON, "sharpen", 0, 0, mode="valid")
    with pytest.raises(UsageError, match="outside the 5x5 image"):
        nk.explain_pixel(LESSON, "sharpen", 5, 0)


@pytest.mark.parametrize("mode", [*SCIPY_MODES, "valid"])
@settings(max_examples=30, deadline=None)
@given(case=cases(max_side=7), data=st.data())
def test_explain_sums_equal_convolve_at_every_pixel(mode, case, data):
    image, kernel, cval, flip = case
    image = image if image.ndim == 2 else image[..., 0]
    if mode == "valid" and (kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]):
        return
    full = nk.convolve(image, kernel, mode=mode, cval=cval, flip=flip)
    box = (
        nk.valid_box(image.shape, kernel.shape, flip)
        if mode == "valid"
        else (slice(0, None), slice(0, None))
    )
    y = data.draw(st.integers(box[0].start, (box[0].stop or image.shape[0]) - 1))
    x = data.draw(st.integers(box[1].start, (box[1].stop or image.shape[1]) - 1))
    ex = nk.explain_pixel(image, kernel, x, y, mode=mode, cval=cval, flip=flip)
    assert np.isclose(ex.raw, full[y - box[0].start, x - box[1].start], rtol=1e-10, atol=1e-8)


def test_explain_matches_the_output_image_when_rescaling_or_taking_absolute_values():
    values = nk.convolve(LESSON, "sobel-x")
    pixels, span = nk.to_pixels(values, absolute=True, rescale=True)
    for y, x in [(0, 0), (3, 3), (4, 1)]:
        assert (
            nk.explain_pixel(LESSON, "sobel-x", x, y, absolute=True, value_range=span).result
            == pixels[y, x]
        )
