"""Learned kernels and feature maps drawn as labelled grids: each kernel enlarged in red and blue
with its numbers, each layer's maps beside the input picture.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

NUMBERS_UP_TO = 7  # kernels up to 7×7 are drawn with each weight written in its cell
BACKGROUND, INK = (250, 250, 250), (20, 20, 20)
# cosine similarity from which a learned kernel is said to look like a hand-made one
LOOKS_LIKE = 0.8


def kernel_grid(kernels, model_name: str, matches: list):
    """Every kernel enlarged, red for positive and blue for negative weights, with the numbers when
    small; a colour kernel as its colour picture beside its R, G and B parts."""
    from PIL import Image

    n, channels, kh, kw = kernels.weights.shape
    numbers = max(kh, kw) <= NUMBERS_UP_TO
    cell = 40 if numbers else max(4, 120 // max(kh, kw))
    font = _font(max(9, cell // 4))
    names = channel_names(channels)
    tiles = []
    for i, w in enumerate(kernels.weights):
        scale = float(np.abs(w).max()) or 1.0
        parts = [
            _weights_tile(w[c], scale, cell, font if numbers else None) for c in range(channels)
        ]
        if channels == 3:
            rgb = np.clip(np.rint((w.transpose(1, 2, 0) / (2 * scale) + 0.5) * 255), 0, 255).astype(
                np.uint8
            )
            parts.insert(
                0, Image.fromarray(rgb, "RGB").resize((kw * cell, kh * cell), Image.NEAREST)
            )
        match = matches[i]
        like = f" ~ {match[0]}" if match and match[1] >= LOOKS_LIKE else ""
        tiles.append((_side_by_side(parts), f"{i + 1}{like}"))
    what = "colour | R | G | B" if channels == 3 else (" | ".join(names) if channels > 1 else "")
    header = [
        f"{kernels.layer}: {n} learned kernels {kh}x{kw} over {channels} "
        f"channel{'s' * (channels > 1)}"
        f"{' (' + what + ')' if what else ''}{' - ' + model_name if model_name else ''}",
        "red: positive weight, blue: negative, white: 0; each kernel scaled to its largest "
        "|weight|",
        f"~ name: the hand-made kernel it looks most like (cosine >= {LOOKS_LIKE}; '-' = sign "
        "flipped)",
    ]
    return _grid(tiles, header, max(1, 8 // (channels + (channels == 3))))


def map_grid(layer, maps: np.ndarray, x: np.ndarray, image_name: str):
    """The input, then each channel of one layer's output, each stretched from its own min (black)
    to its max (white)."""
    channels, h, w = maps.shape
    factor = max(1, math.ceil(64 / max(h, w)))
    tiles = [(_enlarge(_picture(x), 64), "input")]
    for c, m in enumerate(maps):
        low, high = float(m.min()), float(m.max())
        grey = np.zeros_like(m) if high <= low else (m - low) * (255.0 / (high - low))
        tiles.append(
            (
                _enlarge(_picture(np.rint(grey).astype(np.uint8)), factor * max(h, w)),
                f"{c + 1}: max {high:.3g}",
            )
        )
    after = f", after {layer.activation}" if layer.kind == "Conv2D" and layer.activation else ""
    header = [
        f"{layer.name} ({layer.kind}{after}): {channels} feature maps {h}x{w} of {image_name}",
        "each map from its smallest value (black) to its largest (white)",
    ]
    return _grid(tiles, header, 8)


def _weights_tile(w: np.ndarray, scale: float, cell: int, font):
    from PIL import Image, ImageDraw

    t = np.clip(w / scale, -1, 1)
    fade = np.rint(255 * (1 - np.abs(t))).astype(np.uint8)
    full = np.full_like(fade, 255)
    rgb = np.where(
        (t >= 0)[..., None], np.stack([full, fade, fade], -1), np.stack([fade, fade, full], -1)
    )
    tile = Image.fromarray(rgb, "RGB").resize((w.shape[1] * cell, w.shape[0] * cell), Image.NEAREST)
    if font is not None:
        draw = ImageDraw.Draw(tile)
        for (r, c), v in np.ndenumerate(w):
            text = f"{v:.2f}".replace("-0.00", "0.00")
            left, top, right, bottom = draw.textbbox(
                (0, 0), text, font=font
            )  # centred by hand: bitmap fonts take no anchor
            draw.text(
                ((c + 0.5) * cell - (left + right) / 2, (r + 0.5) * cell - (top + bottom) / 2),
                text,
                fill=(255, 255, 255) if abs(t[r, c]) > 0.6 else INK,
                font=font,
            )
    return tile


def _picture(x: np.ndarray):
    from PIL import Image

    return Image.fromarray(x[..., 0] if x.ndim == 3 and x.shape[2] == 1 else x).convert("RGB")


def _enlarge(img, side: int):
    """Nearest-neighbour enlargement (pixels stay visible squares) to about `side` pixels, at most
    160."""
    from PIL import Image

    scale = min(side, 160) / max(img.size)
    return img.resize(
        (max(1, round(img.width * scale)), max(1, round(img.height * scale))),
        Image.NEAREST if scale >= 1 else Image.BOX,
    )


def _side_by_side(parts: list):
    from PIL import Image

    gap = 8 if len(parts) > 1 else 0
    out = Image.new(
        "RGB",
        (sum(p.width for p in parts) + gap * (len(parts) - 1), max(p.height for p in parts)),
        BACKGROUND,
    )
    left = 0
    for p in parts:
        out.paste(p, (left, 0))
        left += p.width + gap
    return out


def _grid(tiles: list, header: list[str], cols: int):
    """Tiles with a caption under each, `cols` to a row, under a few lines of header text."""
    from PIL import Image, ImageDraw

    font, small = _font(13), _font(11)
    cols = max(1, min(cols, len(tiles)))
    cell_w = max(max(t.width for t, _ in tiles), max(int(small.getlength(c)) for _, c in tiles) + 6)
    cell_h = max(t.height for t, _ in tiles) + 16
    pad, line = 8, 17
    rows = -(-len(tiles) // cols)
    width = max(pad + cols * (cell_w + pad), max(int(font.getlength(h)) for h in header) + 2 * pad)
    top = pad + line * len(header) + pad
    canvas = Image.new("RGB", (width, top + rows * (cell_h + pad)), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    for k, text in enumerate(header):
        draw.text((pad, pad + k * line), text, fill=INK, font=font)
    for k, (tile, caption) in enumerate(tiles):
        left, y = pad + (k % cols) * (cell_w + pad), top + (k // cols) * (cell_h + pad)
        canvas.paste(tile, (left, y))
        draw.rectangle(
            [left - 1, y - 1, left + tile.width, y + tile.height], outline=(160, 160, 160)
        )
        draw.text((left, y + tile.height + 2), caption, fill=INK, font=small)
    return canvas


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow before 10.1: one small bitmap font
        return ImageFont.load_default()


def save_picture(img, path: Path) -> Path:
    from neuroflow.files import atomic_file

    with atomic_file(path) as fh:
        img.save(fh, format="PNG")
    return path


def channel_names(channels: int) -> list[str]:
    return (
        [""]
        if channels == 1
        else list("RGB")
        if channels == 3
        else [f"c{c + 1}" for c in range(channels)]
    )
