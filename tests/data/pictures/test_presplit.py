"""Folders as users have them: train/ and val/ (or valid/, test/) split as given and named after
the folder above; a small folder holds out less; any photo mode read upright and centre-cropped."""

from __future__ import annotations

import numpy as np
from PIL import Image

from neuroflow.data import load_dataset
from neuroflow.data.pictures.images import open_image, prepare_crop
from tests.images import shapes_folder


def test_train_and_val_folders_are_kept_as_given(tmp_path):
    root = tmp_path / "insects"
    shapes_folder(root / "train", n=12, classes=("circle", "square"), sizes=(20, 24))
    shapes_folder(root / "valid", n=3, classes=("circle", "square"), seed=1, sizes=(20, 24))
    shapes_folder(root / "test", n=4, classes=("circle", "square"), seed=2, sizes=(20, 24))
    said = []
    ds = load_dataset(str(root), image_size=(16, 16), note=said.append)
    assert ds.name == "insects" and ds.class_names == ["circle", "square"]
    assert (len(ds.y_train), len(ds.y_val), len(ds.y_test)) == (24, 6, 8)
    assert said == ["insects is split already: 24 train / 6 validation / 8 test pictures, as given"]


def test_without_a_test_folder_val_is_the_test_and_validation_comes_from_train(tmp_path):
    root = tmp_path / "bugs"
    shapes_folder(root / "train", n=8, classes=("circle", "square"), sizes=(20, 24))
    shapes_folder(root / "val", n=5, classes=("circle", "square"), seed=1, sizes=(20, 24))
    said = []
    ds = load_dataset(str(root), image_size=(16, 16), note=said.append)
    assert (len(ds.y_train), len(ds.y_val), len(ds.y_test)) == (14, 2, 10)
    assert np.bincount(ds.y_val).tolist() == [1, 1]
    assert "val/ kept as the test" in said[0]


def test_a_small_folder_keeps_most_pictures_for_training_and_says_so(tmp_path):
    root = shapes_folder(tmp_path / "few", n=8, classes=("circle", "square"), sizes=(20, 24))
    said = []
    ds = load_dataset(str(root), image_size=(16, 16), note=said.append, data_in="memory")
    assert (len(ds.y_train), len(ds.y_val), len(ds.y_test)) == (12, 2, 2)
    assert np.bincount(ds.y_val).tolist() == [1, 1] and np.bincount(ds.y_test).tolist() == [1, 1]
    line = next(s for s in said if "is small" in s)
    assert "training keeps 12 of 16" in line
    streamed = load_dataset(str(root), image_size=(16, 16), data_in="stream")
    assert np.array_equal(np.asarray(streamed.y_train), ds.y_train)  # the same split either way


def test_a_large_enough_folder_keeps_the_usual_fifths(tmp_path):
    root = shapes_folder(tmp_path / "many", n=20, classes=("circle", "square"), sizes=(20, 24))
    said = []
    ds = load_dataset(str(root), image_size=(16, 16), note=said.append, data_in="memory")
    assert (len(ds.y_train), len(ds.y_val), len(ds.y_test)) == (24, 8, 8)
    assert not any("is small" in s for s in said)


def test_photos_of_any_mode_are_read_upright_and_centre_cropped(tmp_path):
    # a tall picture, red at the top, saved lying on its side with an EXIF turn
    tall = np.zeros((120, 60, 3), np.uint8)
    tall[:40, :, 0] = 255
    img = Image.fromarray(np.rot90(tall, 1).copy())
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn 90° clockwise to view it upright"
    img.save(tmp_path / "phone.jpg", exif=exif, quality=95)
    out = prepare_crop(open_image(tmp_path / "phone.jpg"), 32, 32, 36)
    assert out.shape == (32, 32, 3)
    upright = np.asarray(open_image(tmp_path / "phone.jpg"))
    assert upright.shape[:2] == (120, 60) and upright[:30, :, 0].mean() > 200
    Image.fromarray(tall).convert("CMYK").save(tmp_path / "print.jpg")
    assert prepare_crop(open_image(tmp_path / "print.jpg"), 32, 32, 36).shape == (32, 32, 3)
    deep = Image.fromarray((np.arange(64 * 64).reshape(64, 64) * 16).astype(np.uint16))
    deep.save(tmp_path / "deep.png")
    grey16 = prepare_crop(open_image(tmp_path / "deep.png"), 32, 32, 36)
    assert grey16.shape == (32, 32, 3) and grey16.max() > 100
