"""neuroflow.kernels.pictures: pictures in and out for `neuroflow convolve`, and the number
grids."""

import numpy as np
import pytest
from PIL import Image

from neuroflow.errors import DataError, UsageError
from neuroflow.kernels.pictures import (
    channel_planes,
    check_output,
    grid_lines,
    grid_window,
    load_image,
    save_image,
)


def test_a_picture_round_trips_with_its_transparency(tmp_path):
    rgba = np.zeros((4, 6, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, 128
    Image.fromarray(rgba, "RGBA").save(tmp_path / "in.png")
    picture = load_image(tmp_path / "in.png")
    assert picture.pixels.shape == (4, 6, 3) and picture.pixels.dtype == np.float32
    assert picture.alpha.shape == (4, 6) and int(picture.alpha[0, 0]) == 128
    save_image(tmp_path / "out.png", picture.pixels.astype(np.uint8), picture.alpha)
    assert np.array_equal(np.asarray(Image.open(tmp_path / "out.png")), rgba)
    assert load_image(tmp_path / "in.png", gray=True).pixels.shape == (4, 6)


def test_bad_pictures_and_outputs_are_refused_before_any_work(tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(DataError, match="empty file"):
        load_image(tmp_path / "empty.png")
    with pytest.raises(DataError, match="does not exist"):
        load_image(tmp_path / "missing.png")
    with pytest.raises(UsageError, match="no picture extension"):
        check_output(tmp_path / "out.txt")
    (tmp_path / "dir.png").mkdir()
    with pytest.raises(UsageError, match="--compare .* is a folder"):
        check_output(tmp_path / "dir.png", "--compare")


def test_grids_show_a_small_picture_whole_and_a_window_of_a_big_one():
    assert grid_window((5, 7)) == (slice(0, 5), slice(0, 7))
    assert grid_window((100, 100), centre=(50, 2)) == (slice(0, 10), slice(45, 55))
    values = np.array([[1.0, 2.5], [np.nan, -3.0]])
    assert grid_lines(values, (slice(0, 2), slice(0, 2))) == [
        "       0   1   <- x",
        "y=0    1 2.5",
        "y=1    .  -3",
    ]
    assert [name for name, _ in channel_planes(np.zeros((2, 2, 3)))] == ["R", "G", "B"]
