"""Matplotlib with the Agg backend, imported only when a picture is drawn, saved atomically as PNG."""

from __future__ import annotations

from pathlib import Path


class _Figures:
    """The two pyplot calls neuroflow uses, on matplotlib's Figure API: no pyplot import, no GUI state."""

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


def save_figure(fig, path: str | Path, dpi: int = 110) -> Path:
    from neuroflow.files import atomic_file

    plt = pyplot()
    path = Path(path)
    with atomic_file(path) as fh:
        fig.savefig(fh, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return path


def loss_curve(history: list[dict], path: str | Path, title: str = "Loss curve") -> Path:
    """Training and validation loss (and the metric, if any) per epoch, as in the lesson's graph."""
    plt = pyplot()
    epochs = [h["epoch"] for h in history]
    metric = next((k for k in ("accuracy", "mae") if history and k in history[0]), None)
    fig, axes = plt.subplots(1, 2 if metric else 1, figsize=(10 if metric else 6, 4), squeeze=False)
    ax = axes[0][0]
    ax.plot(epochs, [h["loss"] for h in history], "o-", label="training loss", markersize=3)
    if history and "val_loss" in history[0]:
        ax.plot(epochs, [h["val_loss"] for h in history], "o-", label="validation loss", markersize=3)
    ax.set(xlabel="epoch", ylabel="loss", title=title)
    ax.legend()
    ax.grid(alpha=0.3)
    if metric:
        ax = axes[0][1]
        ax.plot(epochs, [h[metric] for h in history], "o-", label=f"training {metric}", markersize=3)
        if f"val_{metric}" in history[0]:
            ax.plot(epochs, [h[f"val_{metric}"] for h in history], "o-", label=f"validation {metric}", markersize=3)
        ax.set(xlabel="epoch", ylabel=metric, title=metric.capitalize())
        ax.legend()
        ax.grid(alpha=0.3)
    return save_figure(fig, path)
