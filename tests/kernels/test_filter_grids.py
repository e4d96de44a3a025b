"""neuroflow.kernels.filter_grids: learned kernels and feature maps drawn as labelled grids."""

from types import SimpleNamespace

import numpy as np

from neuroflow.kernels.filter_grids import channel_names, kernel_grid, map_grid, save_picture


def test_channels_are_named_for_grey_colour_and_many():
    assert channel_names(1) == [""] and channel_names(3) == ["R", "G", "B"]
    assert channel_names(4) == ["c1", "c2", "c3", "c4"]


def test_kernels_and_maps_make_one_picture_each(tmp_path):
    weights = np.random.default_rng(0).normal(size=(4, 1, 3, 3))
    kernels = SimpleNamespace(weights=weights, layer="conv2d", activation="relu")
    grid = kernel_grid(kernels, "tiny", [("sobel-x", 0.9), None, None, ("-laplacian", 0.5)])
    path = save_picture(grid, tmp_path / "kernels.png")
    assert path.is_file() and grid.mode == "RGB" and grid.size[0] > 4 * 3 * 10
    layer = SimpleNamespace(name="conv2d", kind="Conv2D", activation="relu")
    maps = map_grid(
        layer,
        np.random.default_rng(1).normal(size=(2, 8, 8)),
        np.zeros((8, 8, 1), np.uint8),
        "x.png",
    )
    assert maps.mode == "RGB" and maps.size[0] > 64 * 3
