"""neuroflow.plotting.helper: the helper process draws what it is asked, importing each drawing's
module on first use."""

from __future__ import annotations

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


def test_the_helper_draws_so_this_process_never_loads_matplotlib(tmp_path):
    code = f"""
import sys
from neuroflow.plotting import figures as plotting
from neuroflow.evaluation import plots
from neuroflow.plotting import grids
plotting.start_helper()
assert plotting._helper is not None
plotting.loss_curve({HISTORY!r}, {str(tmp_path / "loss.png")!r}, 'Loss')
plots.confusion_matrix_png([[5, 1], [0, 4]], ['cat', 'dog'], {str(tmp_path / "cm.png")!r})
grids.image_grid_png([[[[0]] * 8] * 8, [[[255]] * 8] * 8], ["dark", "light"],
                      {str(tmp_path / "grid.png")!r}, 'Grid')
plotting.stop_helper()
print('matplotlib.figure' in sys.modules)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=None
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
    assert _png_size(tmp_path / "loss.png")[0] > 500 and _png_size(tmp_path / "cm.png")[0] > 200
    assert _png_size(tmp_path / "grid.png")[0] > 200
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cm.png",
        "grid.png",
        "loss.png",
    ]  # no temp files left
