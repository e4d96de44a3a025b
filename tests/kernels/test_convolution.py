"""neuroflow.kernels: scipy parity in every edge mode, the catalogue, kernel parsing, the worked
example."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

from neuroflow import kernels as nk
from neuroflow.errors import DataError, UsageError
from neuroflow.kernels.text import format_matrix

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


def scipy_reference(image, weights, mode, cval, flip):
    filt = ndi.convolve if flip else ndi.correlate
    if image.ndim == 2:
        return filt(image, weights, mode=mode, cval=cval)
    return np.stack(
        [filt(image[..., c], weights, mode=mode, cval=cval) for c in range(image.shape[2])], axis=-1
    )


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


def test_catalogue_numbers():
    assert nk.get_kernel("sharpen").parts[0].tolist() == [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
    sharpen = nk.get_kernel("identity").parts[0] + nk.get_kernel("laplacian").parts[0]
    assert np.array_equal(sharpen, nk.get_kernel("sharpen").parts[0])
    assert nk.get_kernel("sobel-y").parts[0].tolist() == [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]
    assert np.array_equal(
        nk.get_kernel("gaussian").parts[0] * 16, [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    )
    assert np.allclose(nk.get_kernel("gaussian-blur", size=5).parts[0][2] * 256, [6, 24, 36, 24, 6])
    assert np.allclose(nk.get_kernel("Box_Blur", size=5).parts[0], 1 / 25)
    sampled = nk.get_kernel("gaussian-blur", sigma=1.0).parts[0]
    assert sampled.shape == (7, 7) and np.isclose(sampled.sum(), 1)
    assert np.isclose(sampled[3, 4] / sampled[3, 3], np.exp(-0.5))
    for name in nk.KERNELS:
        total = nk.get_kernel(name).parts[0].sum()
        assert np.isclose(
            total, 1 if "blur" in name or name in ("identity", "sharpen", "emboss") else 0
        ), name


def test_catalogue_refuses_sizes_where_they_mean_nothing():
    with pytest.raises(UsageError, match="do not apply to sharpen"):
        nk.get_kernel("sharpen", size=5)
    with pytest.raises(UsageError, match="--size 0 is out of range"):
        nk.get_kernel("box-blur", size=0)
    with pytest.raises(UsageError, match="--sigma -1"):
        nk.get_kernel("gaussian-blur", sigma=-1)
    with pytest.raises(UsageError, match="--sigma does not apply to box-blur"):
        nk.get_kernel("box-blur", sigma=2)


def test_unknown_name_lists_the_catalogue():
    with pytest.raises(UsageError) as err:
        nk.parse_kernel("sharpn")
    assert "unknown kernel 'sharpn'" in str(err.value)
    assert all(name in str(err.value) for name in nk.KERNELS)


@pytest.mark.parametrize(
    "text, rows",
    [
        ("[[0,-1,0],[-1,5,-1],[0,-1,0]]", [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
        ("[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]", [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
        ("1 2 1; 2 4 2; 1 2 1", [[1, 2, 1], [2, 4, 2], [1, 2, 1]]),
        ("[[1/4, .5], [-1e1, 2]]", [[0.25, 0.5], [-10, 2]]),
        ("[1, 0, -1]", [[1, 0, -1]]),
        ("[[7]]", [[7]]),
        ("-1,2", [[-1, 2]]),
    ],
)
def test_parse_typed_kernels(text, rows):
    kernel = nk.parse_kernel(text)
    assert kernel.name == "custom"
    assert kernel.parts[0].tolist() == rows


@pytest.mark.parametrize(
    "text, message",
    [
        ("[[1,2],[3]]", "ragged: its rows have 2, 1 numbers"),
        ("[[1,x],[3,4]]", "'x', which is not a number"),
        ("[[]]", "empty"),
        ("[]", "empty"),
        ("{}", "unknown kernel"),
        ("   ", "the kernel is empty"),
        ("[[1,2],[3,4]", "unclosed"),
        ("[[[1]]]", "nested too deep"),
        ("[[1,2]] 3", "text after the closing bracket"),
        ("[[1/0]]", "'1/0', which is not a number"),
        ("1 2; 3", "ragged"),
    ],
)
def test_parse_refuses_bad_kernels_with_the_fix(text, message):
    with pytest.raises(UsageError, match=message) as err:
        nk.parse_kernel(text)
    assert err.value.hint


def test_parse_kernel_files(tmp_path):
    csv = tmp_path / "k.csv"
    csv.write_text("# my edge kernel\n-1,-1,-1\n-1,8,-1\n\n-1,-1,-1\n")
    assert nk.parse_kernel(str(csv)).parts[0].tolist() == [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]
    js = tmp_path / "k.json"
    js.write_text(json.dumps({"kernel": [[1, 2], [3, 4]]}))
    assert nk.parse_kernel(js).parts[0].tolist() == [[1, 2], [3, 4]]
    js.write_text("[[1, NaN]]")
    with pytest.raises(UsageError, match="'NaN', which is not a number"):
        nk.parse_kernel(js)
    js.write_text("[[1, 2]")
    with pytest.raises(DataError, match="not valid JSON"):
        nk.parse_kernel(js)
    with pytest.raises(DataError, match="does not exist"):
        nk.parse_kernel(str(tmp_path / "missing.csv"))
    with pytest.raises(UsageError, match="--size and --sigma apply only"):
        nk.parse_kernel(str(csv), size=5)


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


def test_format_matrix_pulls_out_a_common_fraction():
    assert format_matrix(nk.get_kernel("gaussian-blur").parts[0]) == [
        "1/16 x 1 2 1",
        "       2 4 2",
        "       1 2 1",
    ]
    assert format_matrix(np.array([[0.3, -1.0]])) == ["1/10 x   3 -10"]
    assert format_matrix(np.array([[np.pi]])) == ["3.142"]


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
