"""Data augmentation, as in the lesson: inverted copies double the training set; random changes vary
each batch.

Random ops run on whole float batches (N, C, H, W) in [0, 1]: one affine resampling for every
geometric op.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np

from neuroflow.errors import UsageError
from neuroflow.registry import Registry


class Op(NamedTuple):
    """An augmentation: its value when none is given, the range it accepts, what the value means."""

    default: float | None
    low: float | None
    high: float | None
    what: str


FLAGS = ("invert", "flip")
OPS: Registry[Op] = Registry("augmentation")
OPS.register(
    "invert",
    Op(None, None, None, "add an inverted copy of every training image (the lesson's INVERT)"),
    aliases=("inverse",),
)
OPS.register(
    "flip",
    Op(None, None, None, "mirror left-right at random (not for digits or text)"),
    aliases=("hflip",),
)
OPS.register(
    "rotate", Op(15.0, 0.0, 180.0, "turn by up to ±this many degrees"), aliases=("rotation",)
)
OPS.register("scale", Op(0.1, 0.0, 0.9, "zoom in or out by up to this fraction"), aliases=("zoom",))
OPS.register(
    "shift",
    Op(0.1, 0.0, 1.0, "move by up to this fraction of the width and height"),
    aliases=("translate",),
)
OPS.register("blur", Op(1.0, 0.0, 5.0, "Gaussian blur with sigma up to this many pixels"))
OPS.register("brightness", Op(0.2, 0.0, 1.0, "add up to ±this to every pixel"))
OPS.register("contrast", Op(0.2, 0.0, 1.0, "stretch or squash contrast by up to this fraction"))
OPS.register("noise", Op(0.05, 0.0, 1.0, "add Gaussian noise with this standard deviation"))
OPS.hint = "what each does: " + "; ".join(
    f"{name}{'' if name in FLAGS else '=X'} ({op.what})" for name, op in OPS.items()
)


@dataclass(frozen=True)
class Augmenter:
    """Parsed augmentation: `invert` is applied once to the data (add_inverted), the rest per batch
    by calling it."""

    invert: bool = False
    flip: bool = False
    rotate: float = 0.0
    scale: float = 0.0
    shift: float = 0.0
    blur: float = 0.0
    brightness: float = 0.0
    contrast: float = 0.0
    noise: float = 0.0

    @classmethod
    def from_spec(cls, spec: str | dict | list | None) -> Augmenter:
        """'invert,rotate=15,noise=0.1', {'rotate': 15}, or a YAML list of names and one-key
        dicts."""
        values: dict = {}
        for name, value in _items(spec):
            key = OPS.resolve(name)
            if key in values:
                raise UsageError(f"augmentation {key!r} is given twice", "give each one once")
            values[key] = _value(key, value)
        return cls(**values)

    @property
    def random_ops(self) -> list[str]:
        """The ops that change each batch (everything but invert) that are switched on."""
        return [f.name for f in fields(self) if f.name != "invert" and getattr(self, f.name)]

    def __str__(self) -> str:
        parts = [
            f.name if f.name in FLAGS else f"{f.name}={getattr(self, f.name):g}"
            for f in fields(self)
            if getattr(self, f.name)
        ]
        return ",".join(parts)

    def __call__(self, x, generator):
        """Randomly changed copy of the float batch `x` (N, C, H, W) in [0, 1], same memory format,
        clamped to [0, 1]."""
        import torch

        if x.dim() != 4:
            raise UsageError(
                "augmentation works on images, and this data is a table", "train without --augment"
            )
        if not self.random_ops or len(x) == 0:
            return x
        fmt = (
            torch.channels_last
            if x.is_contiguous(memory_format=torch.channels_last)
            else torch.contiguous_format
        )
        n, _, h, w = x.shape
        # every per-image draw in one go, in [-1, 1)
        u = torch.rand(n, 8, generator=generator, dtype=x.dtype) * 2 - 1
        geometric = self.rotate or self.scale or self.shift or self.flip
        out = self._move(x, u) if geometric else x
        out = out.contiguous(memory_format=fmt) if out is not x else out.clone(memory_format=fmt)
        if self.blur:
            out = _blur(out, (u[:, 5] + 1) / 2 * self.blur, self.blur, fmt)
        if self.contrast:
            mean = out.mean(dim=(1, 2, 3), keepdim=True)
            out.sub_(mean).mul_((1 + u[:, 6] * self.contrast).view(n, 1, 1, 1)).add_(mean)
        if self.brightness:
            out.add_((u[:, 7] * self.brightness).view(n, 1, 1, 1))
        if self.noise:
            # Drawn in the batch's own memory order, so adding it is one straight pass.
            shape = (n, h, w, x.shape[1]) if fmt == torch.channels_last else tuple(x.shape)
            noise = torch.randn(shape, generator=generator, dtype=x.dtype)
            out.add_(
                noise.permute(0, 3, 1, 2) if fmt == torch.channels_last else noise, alpha=self.noise
            )
        return out.clamp_(0, 1)

    def _move(self, x, u):
        """Rotate, zoom, shift and mirror each image by its own draws in `u`, in one resampling."""
        import torch
        import torch.nn.functional as F

        _, _, h, w = x.shape
        angle = u[:, 0] * math.radians(self.rotate)
        zoom = 1 + u[:, 1] * self.scale
        mirror = torch.where((u[:, 4] < 0) & self.flip, -1.0, 1.0).to(x.dtype)
        cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
        # Maps each output pixel to where it is read from, in [-1, 1] coordinates: the aspect
        # terms keep a rotation a rotation on non-square pictures; a shift of `shift` of the
        # width is 2 * shift here.
        theta = torch.stack(
            [
                torch.stack([cos * mirror, -sin * h / w, u[:, 2] * 2 * self.shift], 1),
                torch.stack([sin * w / h * mirror, cos, u[:, 3] * 2 * self.shift], 1),
            ],
            1,
        )
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        # 'border' repeats the edge: the background of a digit, whether black or (inverted) white.
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def _blur(x, sigma, max_sigma: float, fmt):
    """Separable Gaussian blur, a different sigma per image: weighted sums of 2r + 1 shifted views,
    r = ceil(2σmax)."""
    import torch
    import torch.nn.functional as F

    n, _, h, w = x.shape
    r = max(1, math.ceil(2 * max_sigma))
    taps = torch.arange(-r, r + 1, dtype=x.dtype)
    weights = torch.exp(-(taps**2) / (2 * sigma.clamp(min=1e-3).view(n, 1) ** 2))
    weights = (weights / weights.sum(1, keepdim=True)).view(n, 1, 2 * r + 1, 1, 1)
    padded = F.pad(x, (r, r, r, r), mode="replicate")
    rows = padded[:, :, :h, :] * weights[:, :, 0]
    for t in range(1, 2 * r + 1):
        rows.addcmul_(padded[:, :, t : t + h, :], weights[:, :, t])
    out = rows[:, :, :, :w] * weights[:, :, 0]
    for t in range(1, 2 * r + 1):
        out.addcmul_(rows[:, :, :, t : t + w], weights[:, :, t])
    return out.contiguous(memory_format=fmt)


def add_inverted(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lesson's INVERT: the images followed by their inverted copies (255 - x), labels
    repeated."""
    if x.ndim != 4 or x.dtype != np.uint8:
        raise UsageError(
            "invert works on images, and this data is a table", "train without --augment invert"
        )
    return np.concatenate([x, 255 - x]), np.concatenate([y, y])


def _items(spec) -> list[tuple[str, object]]:
    if spec is None:
        return []
    if isinstance(spec, str):
        out = []
        for part in spec.replace(";", ",").split(","):
            if part.strip().lower() != "none":  # an empty name is refused with the valid ones
                name, _, value = part.partition("=")
                out.append((name, value.strip() if value.strip() else None))
        return out
    if isinstance(spec, dict):
        if "name" in spec or "type" in spec:  # {'name': 'rotate', 'value': 15}
            return [(str(spec.get("name", spec.get("type"))), spec.get("value"))]
        return [(str(k), v) for k, v in spec.items()]
    if isinstance(spec, list | tuple):
        return [item for entry in spec for item in _items(entry)]
    raise UsageError(
        f"cannot read the augmentation {spec!r}", "write e.g. 'invert,rotate=15,noise=0.1'"
    )


def _value(key: str, value) -> float | bool:
    default, low, high, what = OPS.get(key)
    if key in FLAGS:
        if value is None or value is True or str(value).lower() in ("1", "true", "yes", "on"):
            return True
        if value is False or str(value).lower() in ("0", "false", "no", "off"):
            return False
        raise UsageError(
            f"augmentation {key} takes no value (got {value!r})", f"write just '{key}'"
        )
    if value is None:
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not (low <= number <= high):  # also refuses nan
        raise UsageError(
            f"augmentation {key}={value} is out of range",
            f"{key} means: {what}; give {low:g} to {high:g}",
        )
    return number


def preview(
    x: np.ndarray, y: np.ndarray | None, spec, out, n: int = 8, versions: int = 4, seed: int = 0
):
    """Write a grid: for `n` training images (one per class in turn), the original, its inverted
    copy when the spec inverts, and `versions` randomly augmented versions. Returns the path
    written."""
    import torch
    from PIL import Image, ImageDraw, ImageFont

    from neuroflow.files import atomic_file

    augmenter = spec if isinstance(spec, Augmenter) else Augmenter.from_spec(spec)
    if x.ndim != 4:
        raise UsageError(
            "augmentation previews need images, and this data is a table", "give an image dataset"
        )
    picks = _spread(y if y is not None else np.zeros(len(x), np.int64), n, seed)
    base = torch.from_numpy(np.ascontiguousarray(x[picks])).permute(0, 3, 1, 2).float().div_(255)
    columns = [("original", base)] + ([("inverted", 1 - base)] if augmenter.invert else [])
    generator = torch.Generator().manual_seed(seed)
    for v in range(versions):
        source = columns[v % len(columns)][
            1
        ]  # with invert, augment the inverted copies too, as training does
        columns.append(
            (f"augmented {v + 1}", augmenter(source, generator) if augmenter.random_ops else source)
        )
    h, w, c = x.shape[1:]
    zoom = max(1, 84 // max(h, w))
    cell_w, cell_h, gap, head = w * zoom, h * zoom, 4, 16
    grid = Image.new(
        "RGB",
        (len(columns) * (cell_w + gap) + gap, head + len(picks) * (cell_h + gap) + gap),
        (128, 128, 128),
    )
    draw, font = ImageDraw.Draw(grid), ImageFont.load_default()
    for j, (label, batch) in enumerate(columns):
        left = gap + j * (cell_w + gap)
        draw.text((left, 2), label[: max(3, cell_w // 6)], fill=(255, 255, 255), font=font)
        pixels = (batch.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
        for i, img in enumerate(pixels):
            tile = (
                Image.fromarray(img[..., 0] if c == 1 else img)
                .convert("RGB")
                .resize((cell_w, cell_h), Image.NEAREST)
            )
            grid.paste(tile, (left, head + gap + i * (cell_h + gap)))
    with atomic_file(out, "wb") as fh:
        grid.save(fh, format="PNG" if str(out).lower().endswith(".png") else "JPEG")
    return out


def _spread(y: np.ndarray, n: int, seed: int) -> np.ndarray:
    """`n` indices, seeded, taking each class in turn so the preview shows every class."""
    order = np.random.default_rng(seed).permutation(len(y))
    by_class = [order[y[order] == k] for k in np.unique(y)]
    picks: list[int] = []
    for rank in range(max(len(cls) for cls in by_class)):
        picks += [int(cls[rank]) for cls in by_class if rank < len(cls)]
        if len(picks) >= n:
            break
    return np.asarray(picks[:n], dtype=np.int64)
