"""neuroflow.data.pictures.digits: a photo or drawing of a digit comes out like an MNIST digit."""

from __future__ import annotations

import gzip

import numpy as np
from PIL import Image, ImageDraw

from neuroflow.data.pictures.digits import prepare_digit
from neuroflow.data.pictures.images import (
    open_image,
)
from tests.images import check_mnist_like, drawn_four


def test_dark_digit_off_centre_on_light_paper_comes_out_like_mnist():
    check_mnist_like(prepare_digit(drawn_four()))


def test_polarity_does_not_matter():
    dark_on_light = prepare_digit(drawn_four()).astype(float)
    light_on_dark = prepare_digit(drawn_four(paper=(10, 10, 10), ink=(250, 250, 240))).astype(float)
    assert np.corrcoef(dark_on_light.ravel(), light_on_dark.ravel())[0, 1] > 0.95


def test_noise_uneven_light_and_specks_are_tolerated():
    clean = prepare_digit(drawn_four()).astype(float)
    rng = np.random.default_rng(0)
    arr = np.asarray(drawn_four(), np.float64)
    arr *= np.linspace(1.0, 0.6, arr.shape[1])[None, :, None]  # light falling off across the page
    arr += rng.normal(0, 10, arr.shape)
    arr[rng.random(arr.shape[:2]) < 0.002] = 0  # dark specks of dust
    noisy = prepare_digit(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)))
    check_mnist_like(noisy)
    assert np.corrcoef(clean.ravel(), noisy.astype(float).ravel())[0, 1] > 0.9


def test_a_thin_pen_line_is_thickened_like_an_mnist_stroke():
    out = prepare_digit(drawn_four(size=(1200, 1200), pen=2, height=900, at=(100, 100)))
    check_mnist_like(out)
    assert (
        out > 127
    ).sum() / 20 >= 2.0  # at least ~2 bright pixels across the stroke, per row of the digit


def test_a_bold_digit_cropped_tight_keeps_its_strokes():
    img = Image.new("L", (100, 140), 230)
    ImageDraw.Draw(img).ellipse(
        [5, 5, 95, 135], outline=20, width=35
    )  # a marker-pen zero filling the photo
    out = prepare_digit(img)
    assert (
        out[14, 14] == 0 and (out > 200).sum() > 150 and out[:, 14].max() > 200
    )  # a ring, not a blob or a gap


def test_blank_picture_gives_an_empty_field():
    assert not prepare_digit(Image.new("L", (50, 80), 200)).any()


def test_mnist_digits_stay_mnist_digits(mnist_dir):
    raw = gzip.decompress((mnist_dir / "t10k-images-idx3-ubyte.gz").read_bytes())
    digits = np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 28, 28)[:30]
    scores = [
        np.corrcoef(d.ravel(), prepare_digit(Image.fromarray(d)).ravel())[0, 1] for d in digits
    ]
    assert np.median(scores) > 0.85


def test_strokes_on_a_transparent_sheet_stay_visible(tmp_path):
    for ink in (0, 255):  # dark or light strokes, nothing but alpha around them
        mask = drawn_four(paper=(0, 0, 0), ink=(255, 255, 255), mode="L")
        img = Image.new("RGBA", mask.size, (ink, ink, ink, 0))
        img.putalpha(mask)
        img.save(tmp_path / "sheet.png")
        check_mnist_like(prepare_digit(open_image(tmp_path / "sheet.png")))
