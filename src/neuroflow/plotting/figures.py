"""Matplotlib with the Agg backend, imported only when a picture is drawn, saved atomically as PNG.

Importing matplotlib and drawing the first figure take as long as the rest of training Iris; so
`neuroflow train` and `neuroflow evaluate` start a helper process (neuroflow.plotting.helper) that
does both on another core while torch loads and the model trains or is evaluated, then draws the
loss curve, confusion matrix and image grids there. Without a second core, or if the helper fails,
pictures are drawn in this process.
"""

from __future__ import annotations

import contextlib
import functools
import json
import select
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

HELPER_TIMEOUT_S = 120
DRAWINGS: dict[str, Callable] = {}  # what the helper may be asked to draw
_helper: subprocess.Popen | None = None


def start_helper() -> None:
    """Start the helper process (no-op on one core, or once matplotlib is loaded here)."""
    global _helper
    from neuroflow.config import usable_cores

    if _helper is not None or usable_cores() < 2 or "matplotlib.figure" in sys.modules:
        return
    try:
        _helper = subprocess.Popen(
            [sys.executable, "-m", "neuroflow.plotting.helper"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        _helper = None


@contextlib.contextmanager
def helper() -> Iterator[None]:
    """A helper process for the length of a command that draws (train, evaluate)."""
    start_helper()
    try:
        yield
    finally:
        stop_helper()


def stop_helper() -> None:
    """End the helper: it exits when its input ends."""
    global _helper
    proc, _helper = _helper, None
    if proc is not None:
        try:
            proc.communicate(timeout=10)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()


def drawing(fn: Callable) -> Callable:
    """Let the helper draw with `fn` while it runs (the arguments must be JSON values); else draw
    here."""
    name = f"{fn.__module__}:{fn.__qualname__}"
    DRAWINGS[name] = fn

    @functools.wraps(fn)
    def draw(*args, **kwargs):
        done = _ask_helper(name, args, kwargs) if _helper is not None else None
        return Path(done) if done is not None else fn(*args, **kwargs)

    return draw


def _ask_helper(name: str, args: tuple, kwargs: dict) -> str | None:
    """The path the helper wrote, or None (the helper is stopped and the caller draws here)."""
    global _helper
    try:
        request = (
            json.dumps(
                {
                    "draw": name,
                    "args": [str(a) if isinstance(a, Path) else a for a in args],
                    "kwargs": kwargs,
                }
            )
            + "\n"
        )
    except (TypeError, ValueError):  # e.g. numpy arrays: drawn here
        return None
    reply = None
    try:
        _helper.stdin.write(request.encode("utf-8"))
        _helper.stdin.flush()
        ready, _, _ = select.select([_helper.stdout], [], [], HELPER_TIMEOUT_S)
        reply = json.loads(_helper.stdout.readline()) if ready else None
    except (OSError, ValueError):
        pass
    if isinstance(reply, dict) and isinstance(reply.get("path"), str):
        return reply["path"]
    proc, _helper = _helper, None
    proc.kill()
    proc.wait()
    return None


class _Figures:
    """The two pyplot calls neuroflow uses, on matplotlib's Figure API: no pyplot import, no GUI
    state."""

    @staticmethod
    def subplots(nrows: int = 1, ncols: int = 1, figsize=None, squeeze: bool = True, **kwargs):
        from matplotlib.figure import Figure

        fig = Figure(figsize=figsize)
        return fig, fig.subplots(nrows, ncols, squeeze=squeeze, **kwargs)

    @staticmethod
    def close(fig) -> None:
        """Nothing to close: a Figure made without pyplot is freed like any object."""


def pyplot() -> type[_Figures]:
    return _Figures


def save_figure(fig, path: str | Path, dpi: int = 110, tight: bool = True) -> Path:
    """`tight` fits the picture to what is drawn, which draws it twice; figures with set margins
    skip it."""
    from neuroflow.files import atomic_file

    plt = pyplot()
    path = Path(path)
    with atomic_file(path) as fh:
        fig.savefig(fh, format="png", dpi=dpi, bbox_inches="tight" if tight else None)
    plt.close(fig)
    return path


@drawing
def loss_curve(history: list[dict], path: str | Path, title: str = "Loss curve") -> Path:
    """Training and validation loss (and the metric, if any) per epoch, as in the lesson's graph."""
    return save_figure(loss_curve_figure(history, title), path, tight=False)


def loss_curve_figure(history: list[dict], title: str):
    plt = pyplot()
    from matplotlib.ticker import MaxNLocator

    epochs = [h["epoch"] for h in history]
    metric = next((k for k in ("accuracy", "mae") if history and k in history[0]), None)
    fig, axes = plt.subplots(1, 2 if metric else 1, figsize=(10 if metric else 6, 4), squeeze=False)
    ax = axes[0][0]
    ax.plot(epochs, [h["loss"] for h in history], "o-", label="training loss", markersize=3)
    if history and "val_loss" in history[0]:
        ax.plot(
            epochs, [h["val_loss"] for h in history], "o-", label="validation loss", markersize=3
        )
    ax.set(xlabel="epoch", ylabel="loss")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs, never 1.2 or 1.4
    ax.set_title(title, y=1.0)  # placed, not fitted above the axes: the same picture, less drawing
    ax.legend()
    ax.grid(alpha=0.3)
    if metric:
        ax = axes[0][1]
        ax.plot(
            epochs, [h[metric] for h in history], "o-", label=f"training {metric}", markersize=3
        )
        if f"val_{metric}" in history[0]:
            ax.plot(
                epochs,
                [h[f"val_{metric}"] for h in history],
                "o-",
                label=f"validation {metric}",
                markersize=3,
            )
        ax.set(xlabel="epoch", ylabel=metric)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(metric.capitalize(), y=1.0)
        ax.legend()
        ax.grid(alpha=0.3)
    # Set margins instead of a tight bounding box: the labels are the same every time, and a tight
    # box draws the figure twice.
    fig.subplots_adjust(
        left=0.08 if metric else 0.13, right=0.98, bottom=0.12, top=0.91, wspace=0.22
    )
    return fig
