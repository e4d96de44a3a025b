"""Augmentation: specs parse or fail with the list of ops; each batch op is seeded, keeps shape,
dtype and memory format, stays in [0, 1] and does what it says; the lesson's INVERT doubles the
data."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from neuroflow.data.pictures.augment import Augmenter, add_inverted, preview
from neuroflow.errors import UsageError


def batch(n=16, c=1, h=28, w=28, seed=0) -> torch.Tensor:
    """Like a training batch: uint8 NHWC gathered, viewed as NCHW (channels_last memory) and
    scaled."""
    g = torch.Generator().manual_seed(seed)
    x = torch.zeros(n, h, w, c)
    x[:, h // 4 : 3 * h // 4, w // 2 - 2 : w // 2 + 2] = 1.0  # a bar, like a '1'
    x += 0.05 * torch.rand(n, h, w, c, generator=g)
    return x.clamp_(0, 1).permute(0, 3, 1, 2)


def test_spec_forms_agree():
    text = Augmenter.from_spec("invert, rotate=15,noise=0.1")
    assert text == Augmenter.from_spec([{"invert": True}, {"rotate": 15}, "noise=0.1"])
    assert text == Augmenter.from_spec({"invert": True, "rotation": 15, "noise": "0.1"})
    assert text == Augmenter.from_spec(
        [{"name": "invert"}, {"type": "rotate", "value": 15}, {"noise": 0.1}]
    )
    assert (
        text.invert
        and text.random_ops == ["rotate", "noise"]
        and str(text) == "invert,rotate=15,noise=0.1"
    )
    assert Augmenter.from_spec(str(text)) == text
    assert (
        Augmenter.from_spec("zoom,blur").scale == 0.1
        and Augmenter.from_spec("zoom,blur").blur == 1.0
    )  # defaults
    assert Augmenter.from_spec(None) == Augmenter.from_spec("none") == Augmenter()
    assert not Augmenter.from_spec("invert=false").invert


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("invert,sharpen=2", "unknown augmentation 'sharpen'.*rotate=X.*noise=X"),
        ("rotate=lots", "rotate=lots is out of range"),
        ("rotate=400", "give 0 to 180"),
        ("noise=-0.1", "out of range"),
        ("blur=nan", "out of range"),
        ("rotate=5,rotate=10", "given twice"),
        ("invert=3", "takes no value"),
        (42, "cannot read the augmentation"),
        ("", "an empty augmentation name"),
        ("  ", "an empty augmentation name"),
        ("invert,,rotate=15", "an empty augmentation name"),
        ("invert,", "an empty augmentation name"),
    ],
)
def test_bad_specs_say_what_is_known(spec, message):
    with pytest.raises(UsageError, match=message):
        Augmenter.from_spec(spec)


def test_an_empty_name_is_answered_with_the_valid_ones():
    with pytest.raises(UsageError) as err:
        Augmenter.from_spec("invert,,rotate=15")
    assert all(name in err.value.hint for name in ("invert", "rotate", "noise"))


def test_same_seed_same_batch_and_input_untouched():
    aug = Augmenter.from_spec(
        "rotate=20,scale=0.1,shift=0.1,blur=1,brightness=0.2,contrast=0.2,noise=0.05,flip"
    )
    x = batch()
    before = x.clone()
    a = aug(x, torch.Generator().manual_seed(7))
    b = aug(x, torch.Generator().manual_seed(7))
    c = aug(x, torch.Generator().manual_seed(8))
    assert torch.equal(a, b) and not torch.equal(a, c) and torch.equal(x, before)
    assert a.shape == x.shape and a.dtype == torch.float32 and a.min() >= 0 and a.max() <= 1


@pytest.mark.parametrize("channels_last", [True, False])
def test_memory_format_is_kept(channels_last):
    x = batch(c=3, h=20, w=24)
    x = x.contiguous(memory_format=torch.channels_last) if channels_last else x.contiguous()
    for spec in ("rotate=10", "blur=1", "noise=0.1", "contrast=0.3", "rotate=10,blur=1,noise=0.1"):
        out = Augmenter.from_spec(spec)(x, torch.Generator().manual_seed(0))
        fmt = torch.channels_last if channels_last else torch.contiguous_format
        assert out.is_contiguous(memory_format=fmt) and out.shape == x.shape, spec


def test_invert_alone_leaves_batches_alone_and_doubles_the_data():
    aug = Augmenter.from_spec("invert")
    x = batch()
    assert aug(x, torch.Generator()) is x and aug.random_ops == []
    images = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3, 1)
    doubled, labels = add_inverted(images, np.array([4, 7]))
    assert (
        doubled.shape == (4, 3, 3, 1)
        and doubled.dtype == np.uint8
        and labels.tolist() == [4, 7, 4, 7]
    )
    assert np.array_equal(doubled[2:], 255 - images) and np.array_equal(doubled[:2], images)
    with pytest.raises(UsageError, match="table"):
        add_inverted(np.zeros((3, 4), np.float32), np.zeros(3))
    with pytest.raises(UsageError, match="table"):
        Augmenter.from_spec("noise")(torch.zeros(3, 4), torch.Generator())


def test_flip_mirrors_exactly_or_not_at_all():
    x = torch.rand(32, 1, 9, 14)
    out = Augmenter(flip=True)(x, torch.Generator().manual_seed(0))
    same = (out - x).abs().amax((1, 2, 3)) < 1e-5
    mirrored = (out - x.flip(-1)).abs().amax((1, 2, 3)) < 1e-5
    assert (same | mirrored).all() and same.any() and mirrored.any()


def test_geometric_ops_move_the_digit_but_keep_it():
    x = batch(n=64)
    out = Augmenter.from_spec("rotate=30,shift=0.1,scale=0.1")(x, torch.Generator().manual_seed(0))
    moved = (out - x).abs().amax((1, 2, 3)) > 0.5
    ink = out.sum((1, 2, 3)) / x.sum((1, 2, 3))
    assert moved.float().mean() > 0.8 and ink.min() > 0.7 and ink.max() < 1.35
    inverted = Augmenter.from_spec("rotate=45")(1 - x, torch.Generator().manual_seed(0))
    assert inverted[:, :, 0, 0].min() > 0.9  # corners filled with the (white) background, not black


def test_photometric_ops_do_what_they_say():
    grey = torch.full((64, 1, 8, 8), 0.5)
    g = torch.Generator().manual_seed(0)
    noisy = Augmenter(noise=0.1)(grey, g)
    assert abs(float((noisy - grey).std()) - 0.1) < 0.01
    bright = Augmenter(brightness=0.2)(grey, g)
    per_image = bright.mean((1, 2, 3))
    assert (
        (bright.std((1, 2, 3)) < 1e-6).all()
        and per_image.min() >= 0.3
        and per_image.max() <= 0.7
        and per_image.std() > 0.05
    )
    dot = torch.zeros(8, 1, 15, 15)
    dot[:, :, 7, 7] = 1
    blurred = Augmenter(blur=2.0)(dot, g)
    peaks = blurred.amax((1, 2, 3))  # each image has its own sigma in [0, 2]
    assert (
        torch.allclose(blurred.sum((1, 2, 3)), torch.ones(8), atol=1e-4)
        and peaks.min() < 0.2
        and peaks.std() > 0.05
    )
    contrast = Augmenter(contrast=0.5)(batch(n=64), g)
    assert contrast.amax((1, 2, 3)).std() > 0.01


def test_preview_writes_originals_beside_versions(tmp_path):
    from PIL import Image

    x = np.zeros((30, 10, 12, 1), np.uint8)
    x[:, 3:7, 4:8] = 255
    out = preview(
        x, np.arange(30) % 3, "invert,rotate=20", tmp_path / "grid.png", n=4, versions=3, seed=1
    )
    img = Image.open(out)
    cell_w, cell_h = 12 * 7, 10 * 7  # small pictures are enlarged to ~84 px
    assert img.size == (5 * (cell_w + 4) + 4, 16 + 4 * (cell_h + 4) + 4)
    assert [p.name for p in tmp_path.iterdir()] == ["grid.png"]
