"""Image folders and scikit-learn's digits: class names, sizes, colour mode and split as documented;
a folder that cannot be a dataset says what to change."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from neuroflow.data import load_dataset
from neuroflow.data.pictures.folders import (
    default_size,
    load_image_folder,
    load_labelled_images,
)
from neuroflow.errors import DataError


def make_folder(root, classes=("dog", "cat"), n=10, size=(20, 16), colour=False, ext="png"):
    rng = np.random.default_rng(0)
    for k, name in enumerate(classes):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            grey = np.full(size[::-1], 40 + 60 * k, np.uint8) + rng.integers(
                0, 20, size[::-1]
            ).astype(np.uint8)
            rgb = (
                np.dstack([grey, grey // 2, grey]) if colour else np.dstack([grey] * 3)
            )  # grey saved as RGB
            Image.fromarray(rgb).save(root / name / f"{i}.{ext}")
    return root


def test_folder_becomes_a_split_dataset(tmp_path):
    ds = load_image_folder(make_folder(tmp_path / "pets"), seed=0, fractions=(0.2, 0.2))
    assert ds.class_names == ["cat", "dog"] and ds.name == "pets" and ds.kind == "image"
    assert (len(ds.y_train), len(ds.y_val), len(ds.y_test)) == (12, 4, 4)
    assert np.bincount(ds.y_val).tolist() == [2, 2] and ds.y_train.dtype == np.int64
    assert (
        ds.x_train.shape == (12, 16, 20, 1) and ds.x_train.dtype == np.uint8
    )  # RGB files with grey content
    assert ds.preprocessing == {
        "type": "image",
        "height": 16,
        "width": 20,
        "channels": 1,
        "scale": 1 / 255,
        "prepare": "resize",
    }
    assert ds.source["path"] == str((tmp_path / "pets").resolve())
    # classes are sorted by name: cat (class 0) is the folder drawn brighter
    assert ds.x_train[ds.y_train == 0].mean() > ds.x_train[ds.y_train == 1].mean() + 40


def test_colour_size_and_registry(tmp_path):
    root = make_folder(tmp_path / "c", colour=True, ext="jpg")
    ds = load_dataset(str(root), image_size=(8, 12))
    assert ds.x_train.shape[1:] == (8, 12, 3) and ds.preprocessing["channels"] == 3
    assert load_image_folder(root, grayscale=True).x_train.shape[1:] == (16, 20, 1)


def test_default_size_rule():
    assert default_size([(20, 16)] * 3 + [(50, 50)]) == (20, 16)
    assert default_size([(10, 10), (20, 20), (30, 30)]) == (28, 28)  # no common size: MNIST's
    assert default_size([(3000, 4000)] * 2) == (96, 128)  # big photos shrink, aspect kept


def test_folders_that_cannot_be_datasets(tmp_path):
    (tmp_path / "flat").mkdir()
    Image.new("L", (8, 8)).save(tmp_path / "flat" / "a.png")
    with pytest.raises(DataError, match="pictures but no class subfolders"):
        load_image_folder(tmp_path / "flat")
    make_folder(tmp_path / "one", classes=("cat",))
    with pytest.raises(DataError, match="needs at least two classes"):
        load_image_folder(tmp_path / "one")
    root = make_folder(tmp_path / "empty-class")
    (root / "emu").mkdir()
    (root / "emu" / "readme.txt").write_text("no pictures yet")
    with pytest.raises(DataError, match="emu holds no pictures"):
        load_image_folder(root)
    with pytest.raises(DataError, match="not a folder"):
        load_image_folder(tmp_path / "nope")


def test_an_unreadable_picture_is_named(tmp_path):
    root = make_folder(tmp_path / "p")
    (root / "dog" / "broken.png").write_text("not really a png")
    with pytest.raises(DataError, match="broken.png is not a picture"):
        load_image_folder(root)
    (root / "dog" / "broken.png").write_bytes(b"")
    with pytest.raises(DataError, match="broken.png is an empty file"):
        load_image_folder(root)


def test_too_few_pictures_to_split(tmp_path):
    with pytest.raises(DataError, match="cannot split"):
        load_image_folder(make_folder(tmp_path / "small", n=2))


def test_labelled_images_use_the_models_classes(tmp_path):
    root = make_folder(tmp_path / "eval", classes=("dog",), n=3)
    prep = {"type": "image", "height": 6, "width": 5, "channels": 1, "prepare": "resize"}
    x, y = load_labelled_images(root, prep, ["cat", "dog"])
    assert x.shape == (3, 6, 5, 1) and y.tolist() == [1, 1, 1]
    make_folder(root, classes=("emu",), n=1)
    with pytest.raises(DataError, match="never saw: emu"):
        load_labelled_images(root, prep, ["cat", "dog"])
