"""neuroflow.kernels: scipy parity in every edge mode, the catalogue, kernel parsing, the worked
example."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal
from hypothesis import given, settings

from neuroflow import kernels as nk
from neuroflow.errors import DataError, UsageError
from tests.kernels.examples import LESSON, SCIPY_MODES, cases


def scipy_reference(image, weights, mode, cval, flip):
    filt = ndi.convolve if flip else ndi.correlate
    if image.ndim == 2:
        return filt(image, weights, mode=mode, cval=cval)
    return np.stack(
        [filt(image[..., c], weights, mode=mode, cval=cval) for c in range(image.shape[2])], axis=-1
    )


@pytest.mark.parametrize("mode", SCIPY_MODES)
@settings(max_examples=40, deadline=None)
@given(case=cases())
def test_convolve_equals_scipy_in_every_mode(mode, case):
    image, kernel, cval, flip = case
    got = nk.convolve(image, kernel, mode=mode, cval=cval, flip=flip)
    np.testing.assert_allclose(
        got, scipy_reference(image, kernel, mode, cval, flip), rtol=1e-12, atol=1e-9
    )


@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("kshape", [(1, 1), (2, 2), (3, 3), (2, 3), (4, 1), (5, 4)])
def test_two_dimensional_results_are_bit_for_bit_scipy(flip, kshape):
    rng = np.random.default_rng(sum(kshape))
    image, kernel = rng.uniform(0, 255, (13, 17)), rng.normal(size=kshape)
    for mode in SCIPY_MODES:
        assert np.array_equal(
            nk.convolve(image, kernel, mode=mode, flip=flip),
            scipy_reference(image, kernel, mode, 0.0, flip),
        )


@settings(max_examples=60, deadline=None)
@given(case=cases())
def test_valid_mode_is_scipy_signal_valid_and_scipy_ndimage_inside(case):
    image, kernel, _, flip = case
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        with pytest.raises(UsageError, match="bigger than the image"):
            nk.convolve(image, kernel, mode="valid", flip=flip)
        return
    got = nk.convolve(image, kernel, mode="crop", flip=flip)
    signal = scipy.signal.convolve2d if flip else scipy.signal.correlate2d
    planes = [image] if image.ndim == 2 else [image[..., c] for c in range(image.shape[2])]
    want = np.stack([signal(p, kernel, mode="valid") for p in planes], axis=-1).reshape(got.shape)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-8)
    box = nk.valid_box(image.shape[:2], kernel.shape, flip)
    for mode in SCIPY_MODES:  # away from the edges every mode agrees
        np.testing.assert_allclose(
            got, scipy_reference(image, kernel, mode, 5.0, flip)[box], rtol=1e-12, atol=1e-9
        )


def test_lesson_words_and_grid_names_are_aliases_for_scipy_modes():
    rng = np.random.default_rng(1)
    image, kernel = rng.uniform(0, 255, (6, 7)), rng.normal(size=(3, 2))
    for alias, mode in [
        ("extend", "nearest"),
        ("grid-mirror", "reflect"),
        ("symmetric", "reflect"),
        ("grid-wrap", "wrap"),
        ("grid-constant", "constant"),
        ("EDGE", "nearest"),
    ]:
        assert np.array_equal(
            nk.convolve(image, kernel, mode=alias), ndi.correlate(image, kernel, mode=mode)
        )
    with pytest.raises(UsageError, match="unknown edge mode 'same'.*reflect.*mirror"):
        nk.convolve(image, kernel, mode="same")


def test_reflect_repeats_the_edge_pixel_and_mirror_does_not():
    row = np.array([[1.0, 2.0, 3.0, 4.0]])
    left_neighbour = [[1.0, 0.0, 0.0]]  # each output is the pixel to its left
    assert nk.convolve(row, left_neighbour, mode="reflect")[0].tolist() == [
        1,
        1,
        2,
        3,
    ]  # d c b a | a b c d
    assert nk.convolve(row, left_neighbour, mode="mirror")[0].tolist() == [
        2,
        1,
        2,
        3,
    ]  # d c b | a b c d
    assert nk.convolve(row, left_neighbour, mode="wrap")[0].tolist() == [4, 1, 2, 3]
    assert nk.convolve(row, left_neighbour, mode="constant", cval=9)[0].tolist() == [9, 1, 2, 3]


def test_cross_correlation_and_true_convolution_differ_by_a_flip():
    image = np.zeros((5, 5))
    image[2, 2] = (
        1  # an impulse: correlation draws the kernel upside down, convolution draws it as written
    )
    kernel = np.arange(1.0, 10.0).reshape(3, 3)
    assert np.array_equal(nk.convolve(image, kernel, flip=True)[1:4, 1:4], kernel)
    assert np.array_equal(nk.convolve(image, kernel)[1:4, 1:4], kernel[::-1, ::-1])
    sobel = nk.convolve(LESSON, "sobel-x")
    assert np.array_equal(nk.convolve(LESSON, "sobel-x", flip=True), -sobel)


def test_integer_images_give_negative_results_instead_of_wrapping_around():
    image = LESSON.astype(np.uint8)
    out = nk.convolve(image, "laplacian")
    assert out.dtype == np.float64
    assert out.min() < 0
    assert np.array_equal(
        out, ndi.correlate(LESSON, nk.get_kernel("laplacian").parts[0], mode="reflect")
    )


def test_gradient_magnitude_is_the_root_of_the_squared_parts():
    sx, sy = nk.convolve(LESSON, "sobel-x"), nk.convolve(LESSON, "sobel-y")
    np.testing.assert_allclose(nk.convolve(LESSON, "sobel"), np.sqrt(sx**2 + sy**2))
    px, py = (
        nk.convolve(LESSON, "prewitt-x", mode="wrap"),
        nk.convolve(LESSON, "prewitt-y", mode="wrap"),
    )
    np.testing.assert_allclose(nk.convolve(LESSON, "prewitt", mode="wrap"), np.hypot(px, py))


def test_library_refuses_bad_arrays():
    with pytest.raises(UsageError, match="non-empty 2-D"):
        nk.convolve(LESSON, np.ones((3, 3, 3)))
    with pytest.raises(UsageError, match="non-empty 2-D"):
        nk.convolve(LESSON, np.ones((0, 3)))
    with pytest.raises(DataError, match="non-empty"):
        nk.convolve(np.zeros((2, 2, 2, 2)), [[1]])


def test_to_pixels_clips_rescales_and_takes_absolute_values():
    values = np.array([[-30.0, 0.4, 100.5, 300.0]])
    assert nk.to_pixels(values)[0].tolist() == [[0, 0, 100, 255]]
    assert nk.to_pixels(values, absolute=True)[0].tolist() == [[30, 0, 100, 255]]
    pixels, span = nk.to_pixels(values, rescale=True)
    assert span == (-30.0, 300.0) and pixels.tolist() == [[0, 23, 101, 255]]
    assert nk.to_pixels(np.full((2, 2), 7.0), rescale=True)[0].tolist() == [[7, 7], [7, 7]]
    assert nk.clipped_fraction(values) == 0.5
    assert nk.clipped_fraction(values, absolute=True) == 0.25


@pytest.mark.parametrize("mode", [*SCIPY_MODES, "valid"])
@pytest.mark.parametrize(
    "name, size, sigma",
    [
        ("box-blur", 4, None),
        ("box-blur", 7, None),
        ("gaussian-blur", 6, None),
        ("gaussian-blur", None, 1.5),
    ],
)
def test_large_blurs_run_in_two_passes_with_the_same_result(mode, name, size, sigma):
    rng = np.random.default_rng(3)
    image = rng.uniform(0, 255, (15, 12, 3))
    kernel = nk.get_kernel(name, size=size, sigma=sigma)
    for flip in (False, True):
        got = nk.convolve(image, kernel, mode=mode, cval=40.0, flip=flip)
        want = nk.convolve(image, kernel.parts[0], mode=mode, cval=40.0, flip=flip)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9)
