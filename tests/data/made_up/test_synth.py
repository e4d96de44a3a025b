"""Made-up digits: the same seed gives the same pictures; drawn digits look like MNIST once
prepared (a nearest-neighbour check against real MNIST)."""

from __future__ import annotations

import gzip

import numpy as np
from scipy import ndimage

from neuroflow.data.made_up.synth import handwritten_digits
from neuroflow.data.pictures.digits import prepare_digit


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
