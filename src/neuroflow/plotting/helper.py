"""The helper process of neuroflow.plotting: load matplotlib now, then draw what is asked on stdin.

Each request is one JSON line naming a drawing registered with plotting.drawing and its arguments;
each reply is one JSON line with the path written (or an error). It ignores Ctrl-C, which is meant
for the training process, and exits when its input ends.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from neuroflow.evaluation import plots
    from neuroflow.plotting import figures as plotting

    # the imports, fonts and renderer, while the training process works
    for fig in (
        plotting.loss_curve_figure(
            [{"epoch": 1, "loss": 1.0, "val_loss": 1.0, "accuracy": 0.5}], "warm-up"
        ),
        plots.confusion_matrix_figure([[1, 0], [0, 1]], ["a", "b"], "warm-up"),
    ):
        fig.savefig(io.BytesIO(), format="png", dpi=110, bbox_inches="tight")
    for line in sys.stdin.buffer:
        try:
            request = json.loads(line)
            path = plotting.DRAWINGS[request["draw"]](*request["args"], **request["kwargs"])
            reply = {"path": str(path)}
        except Exception as err:  # the parent draws it itself
            reply = {"error": f"{type(err).__name__}: {err}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    code = main()
    os._exit(
        code
    )  # every reply is flushed; skip tearing matplotlib down, which the caller would wait for
