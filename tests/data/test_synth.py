"""Made-up pictures: the same seed gives the same pictures; drawn digits look like MNIST once
prepared (a nearest-neighbour check against real MNIST); every kind of non-digit has the documented
shape."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from scipy import ndimage

from neuroflow.data.digits import prepare_digit
from neuroflow.data.synth import (
    LETTERS,
    NOT_DIGIT_KINDS,
    SYMBOLS,
    handwritten_digits,
    not_digits,
    not_digits_mix,
)
from neuroflow.errors import UsageError


def test_handwritten_digits_are_varied_balanced_and_seeded():
    images, labels = handwritten_digits(40, seed=3, size_range=(24, 300))
    again, labels_again = handwritten_digits(40, seed=3, size_range=(24, 300))
    assert np.array_equal(labels, labels_again) and labels.dtype == np.int64
    assert all(
        np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(images, again, strict=True)
    )
    assert np.bincount(labels).tolist() == [4] * 10
    assert all(min(im.size) >= 16 and max(im.size) <= 300 * 1.4 + 1 for im in images)
    assert {im.mode for im in images} >= {"RGB", "L"}
    means = [np.asarray(im.convert("L")).mean() for im in images]
    assert min(means) < 100 < max(means)  # light and dark paper
    other, _ = handwritten_digits(40, seed=4)
    assert not all(
        np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(images, other, strict=True)
    )


def test_prepared_drawn_digits_are_centred(tmp_path):
    images, _ = handwritten_digits(20, seed=1)
    for img in images:
        out = prepare_digit(img)
        cy, cx = ndimage.center_of_mass(out.astype(float))
        assert out.max() == 255 and abs(cy - 14) <= 1.5 and abs(cx - 14) <= 1.5


def test_drawn_digits_are_recognised_by_their_mnist_neighbours(mnist_dir):
    raw = gzip.decompress((mnist_dir / "t10k-images-idx3-ubyte.gz").read_bytes())
    ref = np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 784).astype(np.float32)
    ref_y = np.frombuffer(
        gzip.decompress((mnist_dir / "t10k-labels-idx1-ubyte.gz").read_bytes()), np.uint8, offset=8
    )
    images, labels = handwritten_digits(50, seed=7, size_range=(24, 160))
    q = np.stack([prepare_digit(im) for im in images]).reshape(-1, 784).astype(np.float32)
    dist = (q**2).sum(1)[:, None] - 2 * q @ ref.T + (ref**2).sum(1)[None]
    votes = ref_y[np.argsort(dist, axis=1)[:, :5]]
    predicted = np.array([np.bincount(v, minlength=10).argmax() for v in votes])
    assert (
        predicted == labels
    ).mean() >= 0.7  # measured 0.9 with 10,000 training digits and 200 drawn ones


def test_letters_and_symbols_leave_out_digit_lookalikes():
    assert set(LETTERS).isdisjoint("OoQDIlSsZzBbGgq0123456789")
    assert set(SYMBOLS).isdisjoint("|/\\()[]0123456789")


@pytest.mark.parametrize("kind", NOT_DIGIT_KINDS)
def test_every_kind_of_non_digit(kind):
    x = not_digits(kind, 12, seed=2)
    assert x.shape == (12, 28, 28) and x.dtype == np.uint8
    assert np.array_equal(x, not_digits(kind, 12, seed=2))
    if kind != "blank":
        assert x.reshape(12, -1).std(1).min() > 0  # not flat
        assert not np.array_equal(x, not_digits(kind, 12, seed=5))
    else:
        assert (x.reshape(12, -1).std(1) == 0).all()


def test_typed_non_digits_are_prepared_like_mnist():
    for x in (not_digits("letters", 6, seed=0), not_digits("symbols", 6, seed=0)):
        assert (x.max(axis=(1, 2)) == 255).all() and (
            x[:, 0, :] == 0
        ).all()  # ink on black, margin kept


def test_scrambled_keeps_each_digits_pixels_but_not_its_shape():
    digits = np.zeros((2, 28, 28), np.uint8)
    digits[:, 6:22, 12:16] = 255  # two bars
    x = not_digits("scrambled", 4, seed=0, digits=digits)
    assert np.array_equal(
        np.sort(x.reshape(4, -1), 1), np.sort(np.repeat(digits, 2, 0).reshape(4, -1), 1)
    )
    assert not any(np.array_equal(s, digits[0]) for s in x)


def test_mix_and_unknown_kind():
    x = not_digits_mix(13, seed=1)
    assert x.shape == (13, 28, 28) and np.array_equal(x, not_digits_mix(13, seed=1))
    assert not_digits_mix(0, seed=1).shape == (0, 28, 28)
    with pytest.raises(UsageError, match="letters, symbols, noise, blank, shapes, scrambled"):
        not_digits("cats", 3)
