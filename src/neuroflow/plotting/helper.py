"""The helper process of neuroflow.plotting: load matplotlib now, then draw what is asked on stdin.

Each request is one JSON line naming a drawing registered with plotting.drawing ("module:name")
and its arguments; the helper imports that module on first use, so plotting depends on no drawer.
Each reply is one JSON line with the path written (or an error). It ignores Ctrl-C, which is meant
for the training process, and exits when its input ends.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import signal
import sys


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from neuroflow.plotting import figures as plotting

    _warm_up(plotting)
    for line in sys.stdin.buffer:
        try:
            request = json.loads(line)
            reply = {"path": str(_draw(plotting.DRAWINGS, request))}
        except Exception as err:  # the parent draws it itself
            reply = {"error": f"{type(err).__name__}: {err}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    return 0


def _warm_up(plotting) -> None:
    """Load the fonts and renderer, and draw what a loss curve and a confusion matrix use, while
    the training process works."""
    fig, ax = plotting.pyplot().subplots(figsize=(4, 4))
    ax.imshow([[1, 0], [0, 1]], cmap="Blues")
    ax.set_xticks(range(2), ["a", "b"], rotation=45, ha="right")
    ax.text(0, 0, "1", ha="center", va="center", color="white", fontsize=8)
    warm = [{"epoch": 1, "loss": 1.0, "val_loss": 1.0, "accuracy": 0.5}]
    for figure in (plotting.loss_curve_figure(warm, "warm-up"), fig):
        figure.savefig(io.BytesIO(), format="png", dpi=110, bbox_inches="tight")


def _draw(drawings: dict, request: dict):
    """Draw one request; a drawing's module is imported the first time it is asked for."""
    name = request["draw"]
    if name not in drawings:
        importlib.import_module(name.partition(":")[0])
    return drawings[name](*request["args"], **request["kwargs"])


if __name__ == "__main__":
    code = main()
    # every reply is flushed; skip tearing matplotlib down, which the caller would wait for
    os._exit(code)
