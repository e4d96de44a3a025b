"""Small picture folders for tests: simple shapes at various sizes, places and colours, one folder
per class."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

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


def drawn_four(
    size=(900, 600),
    paper=(235, 230, 220),
    ink=(25, 25, 60),
    at=(560, 80),
    height=300,
    pen=14,
    mode="RGB",
):
    """A '4' drawn with a pen on paper, well away from the centre of the canvas."""
    img = Image.new("RGB", size, paper)
    x, y = at
    ImageDraw.Draw(img).line(
        [
            (x + 0.6 * height, y + height),
            (x + 0.6 * height, y),
            (x, y + 0.65 * height),
            (x + 0.8 * height, y + 0.65 * height),
        ],
        fill=ink,
        width=pen,
        joint="curve",
    )
    return img.convert(mode) if mode != "RGB" else img


def check_mnist_like(out: np.ndarray) -> None:
    assert out.shape == (28, 28) and out.dtype == np.uint8
    assert out.max() == 255 and np.median(out) == 0  # light ink on a black field
    cy, cx = ndimage.center_of_mass(out.astype(float))
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1
    ys, xs = np.nonzero(out)
    # Inside the central 20×20 box, give or take the 1 px that centring by mass (as MNIST did) may
    # move it.
    assert ys.min() >= 3 and ys.max() <= 24 and xs.min() >= 3 and xs.max() <= 24
    assert max(ys.max() - ys.min(), xs.max() - xs.min()) == 19  # 20 pixels along the longer side


# Photo-like pictures of several sizes and shapes: a wide and a tall one, a small one and a large
# one (900×600, which Pillow's reducing_gap first reduces by a whole factor before resampling).
PHOTO_SIZES = ((40, 40), (64, 40), (36, 90), (900, 600), (120, 50), (48, 60))


def photo(kind: str, size: tuple[int, int], rng: np.random.Generator) -> Image.Image:
    """A smooth colour scene, warm or cool, with a disc of a random colour in the middle."""
    w, h = size
    y, x = np.mgrid[0:h, 0:w] / max(w, h)
    base = np.array([200, 90, 40] if kind == "warm" else [40, 110, 200], float)
    waves = np.stack([np.sin(6 * x + rng.random()), np.cos(5 * y), np.sin(4 * (x + y))], -1)
    img = Image.fromarray(np.clip(base + 50 * waves, 0, 255).astype(np.uint8))
    disc = tuple(int(v) for v in rng.integers(0, 256, 3))
    ImageDraw.Draw(img).ellipse([w * 0.3, h * 0.3, w * 0.7, h * 0.7], fill=disc)
    return img


def photos_folder(root: Path, seed: int = 0) -> Path:
    """ROOT/warm and ROOT/cool: a PNG photo of each size in PHOTO_SIZES."""
    rng = np.random.default_rng(seed)
    for kind in ("warm", "cool"):
        (root / kind).mkdir(parents=True, exist_ok=True)
        for i, size in enumerate(PHOTO_SIZES):
            photo(kind, size, rng).save(root / kind / f"{i}.png")
    return root
