"""neuroflow.data.pictures.digit_finding acts only on evidence: one clean mark on plain paper, away
from the edges, is prepared bit for bit as the plain crop-and-centre path prepares it, whatever its
size, place, stroke width, ink and paper: MNIST digits, pad drawings, Omniglot characters."""

from __future__ import annotations

import gzip
import io
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from scipy import ndimage

from neuroflow.data.pictures.digits import prepare_digit
from tests.strokes import DIGIT_STROKES, pad_drawing

pytestmark = pytest.mark.slow  # each property draws 20 pictures, some of them large

SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def mnist_digits(mnist_dir):
    raw = gzip.decompress((mnist_dir / "t10k-images-idx3-ubyte.gz").read_bytes())
    return np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 28, 28)[:200]


@pytest.fixture(scope="module")
def omniglot(omniglot_zip):
    """200 characters, every alphabet: ink 1.0 where drawn (the PNGs are black on white)."""
    with zipfile.ZipFile(omniglot_zip) as z:
        names = sorted(n for n in z.namelist() if n.endswith(".png"))[::13][:200]
        return [
            1 - np.asarray(Image.open(io.BytesIO(z.read(n))).convert("L"), np.float32) / 255
            for n in names
        ]


def colours():
    """Ink and paper: any grey or colour, as long as the ink stands out from the paper."""
    rgb = st.tuples(*[st.integers(0, 255)] * 3)
    luma = lambda c: 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]  # noqa: E731
    return st.tuples(rgb, rgb).filter(lambda p: abs(luma(p[0]) - luma(p[1])) >= 80)


def on_paper(ink: np.ndarray, margins, colour) -> Image.Image:
    """`ink` (0..1, drawn where 1) cropped to its box, with `margins` (top, bottom, left, right;
    at least a pixel each) of paper around it, in the ink and paper colours."""
    (pen, paper), (top, bottom, left, right) = colour, margins
    ys, xs = np.nonzero(ink > 0)
    sheet = np.pad(
        ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1], ((top, bottom), (left, right))
    )
    rgb = np.asarray(paper, np.float32) + sheet[..., None] * (
        np.asarray(pen, np.float32) - np.asarray(paper, np.float32)
    )
    return Image.fromarray(np.rint(rgb).astype(np.uint8), "RGB")


def margins():
    """Paper around the mark, tight (a pixel) to wide: the mark never touches the edge."""
    side = st.one_of(st.integers(1, 6), st.integers(1, 400))
    return st.tuples(side, side, side, side)


def scaled(ink: np.ndarray, scale: float, grow: int) -> np.ndarray:
    out = np.asarray(
        Image.fromarray(ink.astype(np.float32), "F").resize(
            (max(2, round(ink.shape[1] * scale)), max(2, round(ink.shape[0] * scale))),
            Image.BILINEAR,
        )
    )
    out = np.clip(out, 0, 1)
    return ndimage.grey_dilation(out, size=(grow + 1, grow + 1)) if grow else out


def assert_plain(img) -> None:
    assert np.array_equal(prepare_digit(img), prepare_digit(img, find=False))


@SETTINGS
@given(
    index=st.integers(0, 199),
    scale=st.floats(0.8, 12),
    grow=st.integers(0, 3),
    margin=margins(),
    colour=colours(),
)
def test_an_mnist_digit_on_plain_paper_is_prepared_as_the_plain_path(
    mnist_digits, index, scale, grow, margin, colour
):
    assert_plain(on_paper(scaled(mnist_digits[index] / 255.0, scale, grow), margin, colour))


@SETTINGS
@given(
    digit=st.integers(0, 9),
    pen=st.floats(6, 40),
    margin=margins(),
    colour=colours(),
)
def test_a_digit_drawn_on_the_pad_is_prepared_as_the_plain_path(digit, pen, margin, colour):
    drawn = pad_drawing(DIGIT_STROKES[digit], pen=pen)
    assert_plain(on_paper(1 - np.asarray(drawn, np.float32) / 255, margin, colour))


@SETTINGS
@given(
    index=st.integers(0, 199),
    scale=st.floats(0.3, 4),
    grow=st.integers(0, 4),
    margin=margins(),
    colour=colours(),
)
def test_an_omniglot_character_is_prepared_as_the_plain_path(
    omniglot, index, scale, grow, margin, colour
):
    assert_plain(on_paper(scaled(omniglot[index], scale, grow), margin, colour))


@pytest.mark.parametrize("shape", [(3000, 1), (1, 3000), (2, 5000)])
def test_a_strip_one_or_two_pixels_wide_is_prepared_without_error(shape):
    strip = Image.fromarray(np.full(shape, 200, np.uint8))
    out = prepare_digit(strip)
    assert out.shape == (28, 28) and out.max() == 0  # nothing stands out: an empty input
