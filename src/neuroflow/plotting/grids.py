"""A grid of small pictures, each captioned: what a model saw, or the test images it got wrong."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuroflow.plotting.figures import drawing, pyplot, save_figure


@drawing
def image_grid_png(images, captions: list[str], path: Path, title: str = "", cols: int = 8) -> Path:
    """A grid of uint8 images (N, H, W, C; an array, or nested lists for the helper), each
    captioned."""
    images = np.asarray(images, dtype=np.uint8)
    plt = pyplot()
    n = len(images)
    rows = max(1, -(-n // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.4, rows * 1.6), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, img, cap in zip(axes.flat, images, captions, strict=False):
        ax.imshow(
            img[..., 0] if img.shape[-1] == 1 else img,
            cmap="gray" if img.shape[-1] == 1 else None,
            vmin=0,
            vmax=255,
        )
        ax.set_title(cap, fontsize=7)
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)
