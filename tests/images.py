"""Small picture folders for tests: simple shapes at various sizes, places and colours, one folder per class."""

from __future__ import annotations

from pathlib import Path

import numpy as np

SHAPES = ("circle", "square", "triangle")


def draw_shape(kind: str, size: int, rng: np.random.Generator, colour: bool = True):
    """One light shape on a dark background, `size` pixels square, a little off-centre."""
    from PIL import Image, ImageDraw

    bg = (
        tuple(int(v) for v in rng.integers(0, 60, 3)) if colour else (int(rng.integers(0, 60)),) * 3
    )
    fg = (
        tuple(int(v) for v in rng.integers(150, 256, 3))
        if colour
        else (int(rng.integers(150, 256)),) * 3
    )
    img = Image.new("RGB", (size, size), bg)
    draw = ImageDraw.Draw(img)
    r = size * rng.uniform(0.28, 0.4)
    cx, cy = size / 2 + rng.uniform(-0.08, 0.08, 2) * size
    if kind == "circle":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fg)
    elif kind == "square":
        draw.rectangle([cx - r, cy - r, cx + r, cy + r], fill=fg)
    else:
        draw.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=fg)
    return img


def shapes_folder(
    root: Path, n: int = 20, classes=SHAPES, seed: int = 0, colour: bool = True, sizes=(24, 64)
) -> Path:
    """ROOT/<shape>/<i>.png (every third one a .jpg): `n` pictures per class."""
    rng = np.random.default_rng(seed)
    for kind in classes:
        (root / kind).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            img = draw_shape(kind, int(rng.integers(sizes[0], sizes[1] + 1)), rng, colour)
            img.save(root / kind / f"{i}.{'jpg' if i % 3 == 0 else 'png'}")
    return root
