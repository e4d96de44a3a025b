"""Pictures drawn by the helper process (matplotlib loaded beside training) or, failing that,
here."""

import subprocess
import sys

from PIL import Image

HISTORY = [
    {
        "epoch": e,
        "loss": 1 / e,
        "val_loss": 1.2 / e,
        "accuracy": 1 - 0.5 / e,
        "val_accuracy": 1 - 0.6 / e,
    }
    for e in range(1, 6)
]


def _png_size(path):
    with Image.open(path) as img:
        img.verify()
        return img.size


def test_a_dead_helper_means_drawing_here(tmp_path, monkeypatch):
    from neuroflow.plotting import figures as plotting

    dead = subprocess.Popen(
        [sys.executable, "-c", "pass"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    dead.wait()
    monkeypatch.setattr(plotting, "_helper", dead)
    path = plotting.loss_curve(HISTORY, tmp_path / "loss.png", "Loss")
    assert plotting._helper is None and _png_size(path)[0] > 500


def test_arguments_that_are_not_json_are_drawn_here(tmp_path):
    import numpy as np

    from neuroflow.evaluation import plots
    from neuroflow.plotting import figures as plotting

    assert plotting._ask_helper("x", (np.zeros(2),), {}) is None
    path = plots.confusion_matrix_png(np.array([[3, 0], [1, 2]]), ["a", "b"], tmp_path / "cm.png")
    assert _png_size(path)[0] > 200


def test_the_epoch_axes_show_whole_epochs_only():
    from neuroflow.plotting import figures as plotting

    fig = plotting.loss_curve_figure(HISTORY[:2], "Loss")  # two epochs: ticks 1.0, 1.2, ... before
    fig.canvas.draw()
    for ax in fig.axes:
        low, high = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if low <= t <= high]
        assert ticks == [1, 2], (ax.get_ylabel(), ticks)
        assert all(float(t).is_integer() for t in ax.get_xticks())
    plotting.pyplot().close(fig)
