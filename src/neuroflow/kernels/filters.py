"""Inside a trained CNN: its first layer's kernels as pictures, and the feature maps every
convolution and pooling layer makes of one picture — the learned counterparts of `neuroflow
convolve`'s kernels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neuroflow.errors import UsageError

MAP_KINDS = ("Conv2D", "MaxPool2D", "AveragePooling2D")
NUMBERS_UP_TO = 7  # kernels up to 7×7 are drawn with each weight written in its cell
LOOKS_LIKE = (
    0.8  # cosine similarity from which a learned kernel is said to look like a hand-made one
)
BACKGROUND, INK = (250, 250, 250), (20, 20, 20)


@dataclass(frozen=True, eq=False)
class LearnedKernels:
    """The first Conv2D layer's weights (filters, channels, height, width), biases and
    activation."""

    layer: str
    weights: np.ndarray
    bias: np.ndarray | None
    activation: str | None

    def as_grey(self) -> np.ndarray:
        """What each kernel does to a grey picture (every channel equal): its channels summed."""
        return self.weights.sum(axis=1)


def first_kernels(model) -> LearnedKernels:
    """The first Conv2D's kernels; a model without one is refused in one line."""
    import torch.nn as nn

    for b in model.network.built:
        if b.kind == "Conv2D":
            conv = next(m for m in b.module.modules() if isinstance(m, nn.Conv2d))
            bias = None if conv.bias is None else conv.bias.detach().numpy().copy()
            return LearnedKernels(b.name, conv.weight.detach().numpy().copy(), bias, b.activation)
    what = "a table model" if model.kind == "table" else "an image model without Conv2D layers"
    raise UsageError(
        f"{model.config.get('name', 'this model')} is {what}, so it has no learned kernels to show",
        "give a model with convolution layers, e.g. one from 'neuroflow train digits'",
    )


def closest_named(kernel: np.ndarray) -> tuple[str, float] | None:
    """The hand-made kernel (neuroflow.kernels) of the same size most like `kernel`, by cosine
    similarity; a name starting with '-' means the sign is flipped (dark and light swapped)."""
    from neuroflow.kernels.catalogue import KERNELS, get_kernel

    if kernel.shape[0] != kernel.shape[1]:
        return None
    best = None
    for name in KERNELS:
        sized = name in ("box-blur", "gaussian-blur")
        if not sized and kernel.shape != (3, 3):
            continue
        named = get_kernel(name, size=kernel.shape[0] if sized else None)
        if named.is_magnitude:
            continue
        ref = named.parts[0]
        norm = float(np.linalg.norm(kernel) * np.linalg.norm(ref))
        cos = float((kernel * ref).sum()) / norm if norm > 0 else 0.0
        if best is None or abs(cos) > abs(best[1]):
            best = (name if cos >= 0 else f"-{name}", abs(cos))
    return best


def layer_outputs(model, image, raw: bool = False) -> tuple[np.ndarray, list, np.ndarray]:
    """The picture prepared exactly as `predict` prepares it (uint8 H×W×C), the output of every
    Conv2D / pooling layer for it as (layer, maps of shape (channels, H, W)), and the model's
    output."""
    import torch

    from neuroflow.data.images import prepare_for_model
    from neuroflow.training.batches import image_scale, to_input

    x = prepare_for_model(image, model.preprocessing, raw=raw)
    batch = to_input(torch.from_numpy(np.array(x[None])), image_scale(model.preprocessing))
    model.network.eval()
    with torch.inference_mode():
        outputs = model.network.feature_maps(batch)
    maps = [(b, out[0].numpy()) for b, out in outputs if b.kind in MAP_KINDS]
    return x, maps, outputs[-1][1][0].numpy()


def write_filters(
    model, out: str | Path, image: str | Path | None = None, raw: bool = False
) -> dict:
    """Write DIR/kernels.png, DIR/kernels/*.csv and, for `image`, DIR/input.png and one
    DIR/feature_maps_<layer>.png per Conv2D / pooling layer. Returns what was written and found."""
    from PIL import Image

    from neuroflow.files import atomic_file

    if isinstance(model, str | Path):
        from neuroflow.models.store import load_model

        model = load_model(model)
    kernels = first_kernels(model)
    computed = (
        layer_outputs(model, image, raw) if image is not None else None
    )  # a bad picture fails before any file
    out = Path(out).expanduser()
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file", "give a folder for the pictures")
    out.mkdir(parents=True, exist_ok=True)
    n, channels, kh, kw = kernels.weights.shape
    names = _channel_names(channels)
    report: dict = {
        "model": model.config.get("name"),
        "layer": kernels.layer,
        "kernel_size": [kh, kw],
        "filters": n,
        "channels": channels,
        "activation": kernels.activation,
        "kernels": [],
        "files": [],
    }
    (out / "kernels").mkdir(exist_ok=True)
    report["kernels_folder"] = str(out / "kernels")
    matches = [closest_named(k) for k in kernels.as_grey()]
    for i, match in enumerate(matches):
        entry = {
            "index": i + 1,
            "bias": None if kernels.bias is None else float(kernels.bias[i]),
            "files": [],
        }
        if match:
            entry["looks_like"], entry["cosine"] = match[0], round(match[1], 3)
        for c, name in enumerate(names):
            path = out / "kernels" / f"kernel_{i + 1:02d}{'_' + name if name else ''}.csv"
            with atomic_file(path, "w") as fh:
                fh.write(
                    "".join(
                        ",".join(f"{v:.6g}" for v in row) + "\n" for row in kernels.weights[i, c]
                    )
                )
            entry["files"].append(str(path))
        report["kernels"].append(entry)
    report["files"].append(
        str(_save(kernel_grid(kernels, model.config.get("name", ""), matches), out / "kernels.png"))
    )
    if computed is not None:
        x, maps, output = computed
        report["input"] = {
            "image": str(image),
            "prepared": "resize only" if raw else model.preprocessing.get("prepare", "resize"),
            "shape": list(x.shape),
        }
        native = Image.fromarray(
            x[..., 0] if x.shape[2] == 1 else x
        )  # grey stays one channel, so convolve reads it as the model did
        report["files"].append(str(_save(native, out / "input.png")))
        report["feature_maps"] = []
        for b, values in maps:
            path = _save(
                map_grid(b, values, x, Path(str(image)).name), out / f"feature_maps_{b.name}.png"
            )
            report["feature_maps"].append(
                {
                    "layer": b.name,
                    "kind": b.kind,
                    "shape": list(values.shape[1:]) + [len(values)],
                    "file": str(path),
                }
            )
            report["files"].append(str(path))
        if model.task == "classification":
            from scipy.special import softmax

            probs = softmax(output / model.temperature)  # calibrated, as predict reports it
            report["prediction"] = {
                "label": model.class_names[int(probs.argmax())],
                "probability": float(probs.max()),
            }
    return report


def _channel_names(channels: int) -> list[str]:
    return (
        [""]
        if channels == 1
        else list("RGB")
        if channels == 3
        else [f"c{c + 1}" for c in range(channels)]
    )


def kernel_grid(kernels: LearnedKernels, model_name: str = "", matches: list | None = None):
    """Every kernel enlarged, red for positive and blue for negative weights, with the numbers when
    small; a colour kernel as its colour picture beside its R, G and B parts."""
    from PIL import Image

    n, channels, kh, kw = kernels.weights.shape
    numbers = max(kh, kw) <= NUMBERS_UP_TO
    cell = 40 if numbers else max(4, 120 // max(kh, kw))
    font = _font(max(9, cell // 4))
    names = _channel_names(channels)
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
        match = matches[i] if matches is not None else closest_named(kernels.as_grey()[i])
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


def _save(img, path: Path) -> Path:
    from neuroflow.files import atomic_file

    with atomic_file(path) as fh:
        img.save(fh, format="PNG")
    return path
