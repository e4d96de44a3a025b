"""The ten digits as strokes on the serve page's pad (points are fractions of its side), and the
pad's way of drawing them: black round-capped lines on white, one stroke after another."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw


def _arc(cx, cy, rx, ry, start, end, n=14):
    """Points on an ellipse from `start` to `end` degrees (0 = right, 90 = down)."""
    return [
        (cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
        for a in np.linspace(start, end, n)
    ]


DIGIT_STROKES: dict[int, list[list[tuple[float, float]]]] = {
    0: [_arc(0.5, 0.5, 0.2, 0.3, -90, 270, 24)],
    1: [[(0.54, 0.2), (0.47, 0.8)]],
    2: [_arc(0.5, 0.36, 0.18, 0.15, 200, 380, 12) + [(0.32, 0.8), (0.72, 0.8)]],
    3: [_arc(0.48, 0.34, 0.17, 0.14, 210, 450, 14), _arc(0.48, 0.64, 0.2, 0.16, -90, 150, 14)],
    4: [[(0.6, 0.8), (0.6, 0.2), (0.28, 0.6), (0.74, 0.6)]],
    5: [[(0.68, 0.2), (0.38, 0.2), (0.35, 0.46)] + _arc(0.5, 0.62, 0.2, 0.18, -130, 150, 14)],
    6: [[(0.62, 0.18), (0.42, 0.4)] + _arc(0.5, 0.64, 0.18, 0.17, 200, 560, 20)],
    7: [[(0.25, 0.22), (0.75, 0.22)], [(0.75, 0.22), (0.42, 0.85)]],
    8: [_arc(0.5, 0.34, 0.14, 0.14, 0, 360, 18), _arc(0.5, 0.65, 0.18, 0.17, -90, 270, 20)],
    9: [_arc(0.5, 0.36, 0.17, 0.15, 0, 360, 18) + [(0.67, 0.36), (0.64, 0.82)]],
}


def pad_drawing(
    strokes,
    side: int = 280,
    pen: float = 18,
    ink: int = 0,
    paper: int = 255,
    at=(0.0, 0.0),
    scale: float = 1.0,
) -> Image.Image:
    """The strokes drawn as the pad draws them: `pen` wide, round caps and joins, ink on paper;
    `at` and `scale` move and size the drawing within the pad (fractions of its side)."""
    img = Image.new("L", (side, side), paper)
    draw = ImageDraw.Draw(img)
    r = pen / 2
    for stroke in strokes:
        points = [((at[0] + scale * x) * side, (at[1] + scale * y) * side) for x, y in stroke]
        draw.line(points, fill=ink, width=max(1, round(pen)), joint="curve")
        for x, y in points[:: max(1, len(points) - 1)]:  # round caps at both ends
            draw.ellipse([x - r, y - r, x + r, y + r], fill=ink)
    return img
