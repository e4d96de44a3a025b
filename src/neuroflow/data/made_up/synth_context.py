"""Made-up photos of one handwritten digit in its surroundings, as learners take them: inside a
drawn frame, a light digit on a dark house-number plaque, on lined or squared paper, next to the
paper's shadowed edge. The digit is neuroflow.data.made_up.synth's pen strokes. Same seed, same
pictures.
"""

from __future__ import annotations

import numpy as np

from neuroflow.data.made_up.synth import _stroke_mask

CONTEXTS = ("framed", "plaque", "lined", "squared", "shadowed")


def digits_in_context(kind: str, n: int, seed: int = 0) -> tuple[list, np.ndarray]:
    """`n` grey pictures (Pillow 'L') of digits 0–9 (balanced) in the context `kind`, and labels."""
    if kind not in CONTEXTS:
        raise ValueError(f"no context {kind!r}; known: {', '.join(CONTEXTS)}")
    rng = np.random.default_rng([seed, CONTEXTS.index(kind)])
    labels = rng.permutation(np.arange(n) % 10).astype(np.int64)
    return [_picture(kind, int(d), rng) for d in labels], labels


def _picture(kind: str, digit: int, rng: np.random.Generator):
    from PIL import Image

    w, h = int(rng.integers(120, 260)), int(rng.integers(120, 260))
    if kind == "plaque":  # a dark plate on a light wall, the digit light on the plate
        page, ink = np.full((h, w), rng.uniform(170, 235), np.float32), rng.uniform(215, 250)
        inner = _inset(w, h, rng, 0.12, 0.22)
        x0, y0, x1, y1 = inner
        page[y0:y1, x0:x1] = rng.uniform(15, 70)
        inner = _shrink_box(inner, 0.1)
    else:
        page, ink = np.full((h, w), rng.uniform(195, 245), np.float32), rng.uniform(10, 70)
        inner = _inset(w, h, rng, 0.1, 0.2)
        _draw_context(kind, page, inner, rng)
    cover = _digit_cover(digit, inner, (w, h), rng)
    page = page * (1 - cover) + ink * cover
    page += rng.normal(0, rng.uniform(1, 5), page.shape)
    return Image.fromarray(np.clip(np.rint(page), 0, 255).astype(np.uint8), "L")


def _inset(w: int, h: int, rng, low: float, high: float) -> tuple[int, int, int, int]:
    left, right = (round(w * rng.uniform(low, high)) for _ in range(2))
    top, bottom = (round(h * rng.uniform(low, high)) for _ in range(2))
    return left, top, w - right, h - bottom


def _shrink_box(box, share: float) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    dx, dy = round((x1 - x0) * share), round((y1 - y0) * share)
    return x0 + dx, y0 + dy, x1 - dx, y1 - dy


def _digit_cover(digit: int, box, size, rng) -> np.ndarray:
    """The digit's pen strokes, drawn inside `box`, as ink coverage 0..1 of the whole picture."""
    x0, y0, x1, y1 = box
    cover = np.zeros((size[1], size[0]), np.float32)
    cover[y0:y1, x0:x1] = np.asarray(_stroke_mask(digit, (x1 - x0, y1 - y0), rng)) / 255
    return cover


def _draw_context(kind: str, page: np.ndarray, inner, rng) -> None:
    """Frame, ruled lines or a shadowed paper edge, drawn onto `page` in place."""
    h, w = page.shape
    line = rng.uniform(90, 170)  # printed rules are fainter than the pen
    if kind == "framed":
        x0, y0, x1, y1 = _shrink_box((0, 0, w, h), rng.uniform(0.03, 0.08))
        t = int(rng.integers(2, 6))
        for rows, cols in (
            (slice(y0, y0 + t), slice(x0, x1)),
            (slice(y1 - t, y1), slice(x0, x1)),
            (slice(y0, y1), slice(x0, x0 + t)),
            (slice(y0, y1), slice(x1 - t, x1)),
        ):
            page[rows, cols] = rng.uniform(10, 60)
    elif kind in ("lined", "squared"):
        step, t = int(rng.integers(10, 22)), int(rng.integers(1, 3))
        start = int(rng.integers(0, step))
        for y in range(start, h, step):
            page[y : y + t] = np.minimum(page[y : y + t], line)
        if kind == "squared":
            for x in range(start, w, step):
                page[:, x : x + t] = np.minimum(page[:, x : x + t], line)
    else:  # shadowed: the table beyond the paper's edge, in a soft shadow, along one or two sides
        for side in rng.choice(4, size=int(rng.integers(1, 3)), replace=False):
            depth = int(rng.uniform(0.06, 0.16) * (w if side < 2 else h))
            ramp = np.clip(np.linspace(-1, 2, depth * 2), 0, 1).astype(np.float32)
            dark = rng.uniform(20, 80)
            edge = dark + (page.max() - dark) * ramp  # dark table → soft shadow → paper
            if side == 0:
                page[:, : 2 * depth] = np.minimum(page[:, : 2 * depth], edge[None, :])
            elif side == 1:
                page[:, -2 * depth :] = np.minimum(page[:, -2 * depth :], edge[None, ::-1])
            elif side == 2:
                page[: 2 * depth] = np.minimum(page[: 2 * depth], edge[:, None])
            else:
                page[-2 * depth :] = np.minimum(page[-2 * depth :], edge[::-1, None])
