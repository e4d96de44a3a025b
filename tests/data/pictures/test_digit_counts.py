"""neuroflow.data.pictures.digit_counts: a picture of a digit comes out like a scikit-learn 8×8
digit."""

from __future__ import annotations

import numpy as np
from PIL import Image

from neuroflow.data.made_up.synth import handwritten_digits
from neuroflow.data.pictures.digit_counts import prepare_digit_counts
from neuroflow.data.pictures.prepare import prepare_for_model


def _photo_of(counts: np.ndarray) -> Image.Image:
    """A `digits` image drawn large, dark on light paper, off-centre in a wider photo."""
    ink = np.kron(counts * (255 / 16), np.ones((16, 16)))
    photo = Image.new("L", (220, 180), 250)
    photo.paste(Image.fromarray((255 - ink).astype(np.uint8)), (30, 25))
    return photo


def test_a_photographed_digits_image_comes_back_close_to_itself():
    from sklearn.datasets import load_digits

    prep = {"height": 8, "width": 8, "channels": 1, "prepare": "digit-counts"}
    resized = dict(prep, prepare="resize")
    counts = load_digits().images[:40]
    ours, plain = [], []
    for image in counts:
        want = image.ravel() * (255 / 16)
        got = prepare_for_model(_photo_of(image), prep)[..., 0].astype(float)
        old = 255.0 - prepare_for_model(_photo_of(image), resized)[..., 0]
        ours.append(np.corrcoef(got.ravel(), want)[0, 1])
        plain.append(np.corrcoef(old.ravel(), want)[0, 1])
    assert np.mean(ours) > 0.8 and np.mean(ours) > np.mean(plain) + 0.15


def test_a_drawn_digit_fills_the_height_and_is_as_bold_as_the_data():
    images, _ = handwritten_digits(10, seed=3)
    for img in images:
        out = prepare_digit_counts(img)
        rows = np.flatnonzero(out.any(1))
        assert out.shape == (8, 8) and out.dtype == np.uint8 and out.max() == 255
        assert rows[0] == 0 and rows[-1] == 7  # like every `digits` image: all 8 rows hold ink
        assert 0.2 <= out.sum() / 255 / 64 <= 0.42  # the data's ink share is ~0.30


def test_a_blank_picture_gives_an_empty_field():
    assert not prepare_digit_counts(Image.new("L", (40, 60), 200)).any()
