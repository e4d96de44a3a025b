"""Made-up pictures of digits for tests and development, no downloads: digits as a user draws or
photographs them, pen strokes and typed, any size, colour and place. Same seed, same pictures.
"""

from __future__ import annotations

import functools
import glob
import math

import numpy as np

FONT_GLOB = "/usr/share/fonts/**/*.[ot]tf"


def _arc(
    cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 14
) -> list[tuple[float, float]]:
    angles = np.radians(np.linspace(a0, a1, n))  # y points down, so 90° is the bottom of the arc
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in angles]


# Each digit as pen strokes in a unit box (x right, y down), the way most people write it.
STROKES: dict[int, list[list[tuple[float, float]]]] = {
    0: [_arc(0.5, 0.5, 0.3, 0.42, -90, 275, 24)],
    1: [[(0.33, 0.26), (0.55, 0.08), (0.55, 0.92)]],
    2: [_arc(0.5, 0.3, 0.28, 0.22, 190, 395) + [(0.2, 0.9), (0.84, 0.9)]],
    3: [_arc(0.5, 0.28, 0.27, 0.2, 200, 450) + _arc(0.5, 0.68, 0.3, 0.23, -90, 160)],
    4: [[(0.62, 0.92), (0.62, 0.08), (0.15, 0.65), (0.86, 0.65)]],
    5: [[(0.78, 0.1), (0.32, 0.1), (0.29, 0.44)] + _arc(0.5, 0.66, 0.3, 0.25, -125, 155)],
    6: [[(0.72, 0.08), (0.46, 0.24), (0.3, 0.5)] + _arc(0.52, 0.7, 0.22, 0.2, 180, 540, 20)],
    7: [[(0.16, 0.1), (0.84, 0.1), (0.42, 0.92)]],
    8: [_arc(0.5, 0.28, 0.22, 0.19, 90, 450, 20), _arc(0.5, 0.7, 0.27, 0.22, -90, 270, 20)],
    9: [_arc(0.48, 0.3, 0.24, 0.2, 0, 360, 20), [(0.72, 0.3), (0.66, 0.92)]],
}


@functools.cache
def font_files() -> tuple[str, ...]:
    """TrueType/OpenType fonts found on this machine (may be none; Pillow's own font is always
    there)."""
    return tuple(sorted(glob.glob(FONT_GLOB, recursive=True)))[:24]


@functools.cache
def _font(index: int, size: int):
    from PIL import ImageFont

    files = font_files()
    if index < len(files):
        try:
            return ImageFont.truetype(files[index], size=size)
        except OSError:
            pass
    try:
        return ImageFont.load_default(size=size)  # Pillow >= 10.1 with FreeType: a scalable font
    except TypeError:  # pragma: no cover - older Pillow: one small bitmap font
        return ImageFont.load_default()


def _canvas(rng: np.random.Generator, size_range: tuple[int, int]):
    """A blank sheet: size, aspect, light paper with dark ink or the reverse, slightly tinted."""
    side = int(rng.integers(size_range[0], size_range[1] + 1))
    height = max(16, round(side * rng.uniform(0.7, 1.4)))
    light = rng.random() < 0.6
    paper = rng.uniform(170, 255) if light else rng.uniform(0, 70)
    ink = rng.uniform(0, 90) if light else rng.uniform(180, 255)
    return (side, height), _tint(paper, rng), _tint(ink, rng)


def _tint(level: float, rng: np.random.Generator) -> tuple[int, int, int]:
    r, g, b = (int(np.clip(level + rng.normal(0, 12), 0, 255)) for _ in range(3))
    return r, g, b


def _stroke_mask(digit: int, size: tuple[int, int], rng: np.random.Generator):
    """The digit drawn as jittered pen strokes, as an 'L' coverage mask the size of the canvas."""
    from PIL import Image, ImageDraw

    width, height = size
    box_h = rng.uniform(0.35, 0.85) * height
    box_w = min(box_h * rng.uniform(0.55, 0.8), 0.9 * width)
    angle, shear = np.radians(rng.uniform(-12, 12)), rng.uniform(-0.2, 0.2)
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]) @ [
        [1, shear],
        [0, 1],
    ]
    x0 = rng.uniform(0.05 * width, max(0.05 * width, 0.95 * width - box_w))
    y0 = rng.uniform(0.05 * height, max(0.05 * height, 0.95 * height - box_h))
    pen = max(1, round(rng.uniform(0.04, 0.14) * box_h))
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    for stroke in STROKES[digit]:
        pts = np.asarray(stroke) - 0.5 + rng.normal(0, 0.015, (len(stroke), 2))
        pts = pts @ rot.T * [box_w, box_h] + [x0 + box_w / 2, y0 + box_h / 2]
        points = [tuple(p) for p in pts]
        draw.line(points, fill=255, width=pen, joint="curve")
        for x, y in (points[0], points[-1]):  # round pen ends
            draw.ellipse([x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2], fill=255)
    return mask


def _text_mask(text: str, size: tuple[int, int], rng: np.random.Generator):
    """`text` in a random font, slightly rotated, placed off-centre, as an 'L' coverage mask."""
    from PIL import Image, ImageDraw

    width, height = size
    px = max(12, round(rng.uniform(0.4, 0.9) * height))
    font = _font(int(rng.integers(0, len(font_files()) + 1)), px)
    left, top, right, bottom = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox(
        (0, 0), text, font=font
    )
    glyph = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(glyph).text((-left, -top), text, fill=255, font=font)
    glyph = glyph.rotate(rng.uniform(-10, 10), resample=Image.BICUBIC, expand=True)
    fit = min(1.0, 0.9 * width / glyph.width, 0.9 * height / glyph.height)
    if fit < 1:
        glyph = glyph.resize(
            (max(1, round(glyph.width * fit)), max(1, round(glyph.height * fit))), Image.LANCZOS
        )
    mask = Image.new("L", size, 0)
    mask.paste(
        glyph,
        (
            int(rng.integers(0, width - glyph.width + 1)),
            int(rng.integers(0, height - glyph.height + 1)),
        ),
    )
    return mask


def _compose(mask, paper: tuple, ink: tuple, rng: np.random.Generator):
    """Ink through `mask` onto paper, with some uneven light and sensor noise; RGB, grey or
    transparent."""
    from PIL import Image

    cover = np.asarray(mask, np.float32)[..., None] / 255
    h, w = cover.shape[:2]
    sheet = np.broadcast_to(np.asarray(paper, np.float32), (h, w, 3)).copy()
    if rng.random() < 0.4:  # light falling off across the page
        sheet *= np.linspace(1.0, rng.uniform(0.75, 1.0), w, dtype=np.float32)[None, :, None]
    rgb = sheet * (1 - cover) + np.asarray(ink, np.float32) * cover
    if rng.random() < 0.5:
        rgb += rng.normal(0, rng.uniform(1, 8), rgb.shape)
    rgb = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    pick = rng.random()
    if pick < 0.1:  # a drawing app's transparent sheet: only the strokes are opaque
        return Image.fromarray(np.dstack([rgb, np.asarray(mask)]), "RGBA")
    return Image.fromarray(rgb, "RGB").convert("L") if pick < 0.3 else Image.fromarray(rgb, "RGB")


def handwritten_digits(
    n: int, seed: int = 0, size_range: tuple[int, int] = (24, 300), fonts: bool = True
) -> tuple[list, np.ndarray]:
    """`n` pictures of digits 0–9 (balanced) like a user's own: pen strokes and typed digits, any
    size, colour and place."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 10).astype(np.int64)
    images = []
    for digit in labels:
        size, paper, ink = _canvas(rng, size_range)
        typed = fonts and rng.random() < 0.4
        mask = _text_mask(str(digit), size, rng) if typed else _stroke_mask(int(digit), size, rng)
        images.append(_compose(mask, paper, ink, rng))
    return images, labels
