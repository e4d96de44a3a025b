"""A grid of small pictures, each captioned: what a model saw, or the test images it got wrong.

The pictures are laid into one mosaic drawn by a single image call, with the captions as text
above each tile: one axes instead of one per picture, which draws several times faster.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuroflow.plotting.figures import drawing, pyplot, save_figure

CELL_IN = (1.4, 1.6)  # inches per tile: width, height (the extra height holds the caption)


@drawing
def image_grid_png(images, captions: list[str], path: Path, title: str = "", cols: int = 8) -> Path:
    """A grid of uint8 images (N, H, W, C; an array, or nested lists for the helper), each
    captioned."""
    images = np.asarray(images, dtype=np.uint8)
    n = len(images)
    cols = max(1, min(cols, n)) if n else max(1, cols)
    rows = max(1, -(-n // cols))
    fig, ax = pyplot().subplots(figsize=(cols * CELL_IN[0], rows * CELL_IN[1]))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - 0.45 / (rows * CELL_IN[1]))
    ax.axis("off")
    if n:
        mosaic, cell = _mosaic(images, rows, cols)
        grey = images.shape[-1] == 1
        ax.imshow(mosaic[..., 0] if grey else mosaic, cmap="gray" if grey else None, vmin=0,
                  vmax=255, interpolation="nearest")  # fmt: skip
        for i, caption in enumerate(captions[:n]):
            r, c = divmod(i, cols)
            ax.text((c + 0.5) * cell[1], r * cell[0] + cell[2] - 1, caption, ha="center",
                    va="bottom", fontsize=7)  # fmt: skip
    if title:
        fig.suptitle(title)
    return save_figure(fig, path, tight=False)


def _mosaic(images: np.ndarray, rows: int, cols: int) -> tuple[np.ndarray, tuple[int, int, int]]:
    """The images on a white canvas, a gap around each and a caption band above; (canvas, (cell
    height, cell width, band height))."""
    _, h, w, ch = images.shape
    gap = max(2, w // 10)
    band = int(round((w + 2 * gap) * (CELL_IN[1] / CELL_IN[0]))) - h - 2 * gap
    cell_h, cell_w = band + h + 2 * gap, w + 2 * gap
    canvas = np.full((rows * cell_h, cols * cell_w, ch), 255, np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, cols)
        top, left = r * cell_h + band + gap, c * cell_w + gap
        canvas[top : top + h, left : left + w] = img
    return canvas, (cell_h, cell_w, band)
