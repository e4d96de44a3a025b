"""Made-up unknown inputs for tests and benchmarks of the unknown-input check: 28×28 pictures,
light on dark like MNIST, that are not digits (letters, symbols, noise, blanks, shapes, scrambled
digits). Same seed, same pictures.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from neuroflow.data.made_up import card_inputs
from neuroflow.data.made_up.synth import _canvas, _compose, _text_mask, handwritten_digits
from neuroflow.registry import Registry

# leaves out O o D Q I l i j J T S s Z z B b G g q: they pass for digits
LETTERS = "ACEFHKLMNPRUVWXYacdefhkmnprtuvwxy"
SYMBOLS = "#@%&*+=?!$<>^~"


def unknown_inputs(
    kind: str, n: int, seed: int = 0, digits: np.ndarray | None = None
) -> np.ndarray:
    """`n` 28×28 uint8 unknown inputs of one `kind` in KINDS.

    'scrambled' shuffles the pixels or 7×7 patches of `digits` (N, 28, 28) if given, else of
    rendered digits. The card's letters are read from the file neuroflow ships
    (data.made_up.card_inputs).
    """
    pictures = card_inputs.shipped(kind, n, seed) if digits is None else None
    return pictures if pictures is not None else render(kind, n, seed, digits)


def render(kind: str, n: int, seed: int = 0, digits: np.ndarray | None = None) -> np.ndarray:
    """`n` unknown inputs of one `kind`, made now."""
    make = KINDS.get(kind)
    return make(n, np.random.default_rng(seed), digits)


def _letters(n: int, rng: np.random.Generator, digits=None) -> np.ndarray:
    return _typed(LETTERS, n, rng)


def _symbols(n: int, rng: np.random.Generator, digits=None) -> np.ndarray:
    return _typed(SYMBOLS, n, rng)


def _blank(n: int, rng: np.random.Generator, digits=None) -> np.ndarray:
    levels = np.array([0, 16, 64, 128, 192, 255], np.uint8)
    return np.broadcast_to(rng.choice(levels, n)[:, None, None], (n, 28, 28)).copy()


def _typed(chars: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Letters or symbols in any font, size and colour, prepared like MNIST digits."""
    from neuroflow.data.pictures.digits import prepare_digit

    out = np.zeros((n, 28, 28), np.uint8)
    for i in range(n):
        size, paper, ink = _canvas(rng, (32, 96))
        out[i] = prepare_digit(
            _compose(_text_mask(str(rng.choice(list(chars))), size, rng), paper, ink, rng)
        )
    return out


def _noise(n: int, rng: np.random.Generator, digits=None) -> np.ndarray:
    """Four kinds in turn: uniform, Gaussian, salt, and smooth blobs like out-of-focus patches."""
    import torch
    import torch.nn.functional as F

    kind = np.arange(n) % 4
    out = np.empty((n, 28, 28))
    k = [int((kind == i).sum()) for i in range(4)]
    out[kind == 0] = rng.uniform(0, 255, (k[0], 28, 28))
    out[kind == 1] = rng.normal(
        rng.uniform(40, 200, (k[1], 1, 1)), rng.uniform(20, 80, (k[1], 1, 1)), (k[1], 28, 28)
    )
    salt = rng.random((k[2], 28, 28)) < rng.uniform(0.05, 0.3, (k[2], 1, 1))
    out[kind == 2] = np.where(salt, 255.0, 0.0)
    coarse = torch.from_numpy(rng.uniform(0, 255, (k[3], 1, 7, 7)))
    blobs = F.interpolate(coarse, size=(28, 28), mode="bicubic", align_corners=True)[:, 0].numpy()
    blobs = (blobs - blobs.min((1, 2), keepdims=True)) * (
        255 / np.ptp(blobs, (1, 2), keepdims=True).clip(1)
    )
    out[kind == 3] = blobs
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _shapes(n: int, rng: np.random.Generator, digits=None) -> np.ndarray:
    from PIL import Image, ImageDraw

    out = np.zeros((n, 28, 28), np.uint8)
    for i in range(n):
        img = Image.new("L", (112, 112), 0)
        draw = ImageDraw.Draw(img)
        width, kind = int(rng.integers(4, 12)), i % 5
        a, b = sorted(rng.uniform(8, 104, 2)), sorted(rng.uniform(8, 104, 2))
        if kind == 0:  # filled discs: a ring would pass for a zero
            r = rng.uniform(15, 45)
            cx, cy = rng.uniform(r, 112 - r, 2)
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=255)
        elif kind == 1:
            draw.rectangle(
                [a[0], b[0], max(a[1], a[0] + 20), max(b[1], b[0] + 20)],
                outline=255,
                width=width,
                fill=255 if rng.random() < 0.5 else None,
            )
        elif kind == 2:
            draw.polygon([tuple(p) for p in rng.uniform(5, 107, (3, 2))], fill=255)
        elif kind == 3:  # several crossing lines: one alone would pass for a one
            for _ in range(int(rng.integers(3, 6))):
                draw.line(
                    [tuple(rng.uniform(0, 112, 2)), tuple(rng.uniform(0, 112, 2))],
                    fill=255,
                    width=width,
                )
        else:
            step = int(rng.integers(14, 30))
            for t in range(int(rng.integers(0, step)), 112, step):
                draw.line([(t, 0), (t, 111)], fill=255, width=width // 2 + 1)
                draw.line([(0, t), (111, t)], fill=255, width=width // 2 + 1)
        out[i] = np.asarray(img.resize((28, 28), Image.LANCZOS))
    return out


def _scrambled(n: int, rng: np.random.Generator, digits: np.ndarray | None) -> np.ndarray:
    if digits is None:
        from neuroflow.data.pictures.digits import prepare_digit

        pictures, _ = handwritten_digits(min(n, 200), int(rng.integers(2**31)), size_range=(28, 96))
        digits = (
            np.stack([prepare_digit(p) for p in pictures])
            if pictures
            else np.zeros((0, 28, 28), np.uint8)
        )
    digits = np.asarray(digits, np.uint8).reshape(-1, 28, 28)
    if n == 0:
        return np.zeros((0, 28, 28), np.uint8)
    base = digits[rng.integers(0, len(digits), n)]
    half = n // 2
    flat = base[:half].reshape(half, -1)  # every pixel moved: same brightness histogram, no strokes
    pixels = np.take_along_axis(flat, np.argsort(rng.random(flat.shape), axis=1), axis=1).reshape(
        half, 28, 28
    )
    tiles = base[half:].reshape(-1, 4, 7, 4, 7).transpose(0, 1, 3, 2, 4).reshape(-1, 16, 7, 7)
    # 7×7 patches moved: stroke pieces in the wrong places
    order = np.argsort(rng.random((len(tiles), 16)), axis=1)
    tiles = np.take_along_axis(tiles, order[:, :, None, None], axis=1)
    patches = tiles.reshape(-1, 4, 4, 7, 7).transpose(0, 1, 3, 2, 4).reshape(-1, 28, 28)
    return np.concatenate([pixels, patches])


KINDS: Registry[Callable[..., np.ndarray]] = Registry("kind of unknown input")
for _kind, _make in [
    ("letters", _letters),
    ("symbols", _symbols),
    ("noise", _noise),
    ("blank", _blank),
    ("shapes", _shapes),
    ("scrambled", _scrambled),
]:
    KINDS.register(_kind, _make)


def write_card_letters(path: Path = card_inputs.FILE, count: int = card_inputs.COUNT) -> str:
    """Render the card's letters into `path` (the file neuroflow ships); their sha256."""
    pictures = render(card_inputs.KIND, count, card_inputs.SEED)
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **{card_inputs.KIND: pictures})
    return hashlib.sha256(path.read_bytes()).hexdigest()


if __name__ == "__main__":
    print(write_card_letters(Path(sys.argv[1]) if len(sys.argv) > 1 else card_inputs.FILE))
