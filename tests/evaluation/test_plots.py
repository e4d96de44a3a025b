import numpy as np

from neuroflow.evaluation.plots import confusion_matrix_png, score_histogram_png
from neuroflow.plotting.grids import image_grid_png


def test_each_picture_is_written_as_a_png(tmp_path):
    paths = [
        confusion_matrix_png([[3, 1], [0, 4]], ["a", "b"], tmp_path / "cm.png"),
        score_histogram_png(
            {"known": np.zeros(5), "other": np.ones(5)}, 0.5, tmp_path / "h.png", "s"
        ),
        image_grid_png(np.zeros((3, 8, 8, 1), np.uint8), ["x", "y", "z"], tmp_path / "g.png"),
    ]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
