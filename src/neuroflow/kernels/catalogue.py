"""The catalogue of named kernels, and the parser for kernels a user types or saves.

A kernel is the lesson's small grid of weights laid over each pixel.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from neuroflow.errors import DataError, UsageError
from neuroflow.kernels.text import format_matrix, read_matrix, read_matrix_file
from neuroflow.registry import Registry

MAX_SIZE = 101  # largest --size for the blur kernels; bigger ones take minutes on a photo


@dataclass(frozen=True, eq=False)
class Kernel:
    """A named kernel: one weight matrix, or an x and y pair combined as sqrt(x² + y²)."""

    name: str
    parts: tuple[np.ndarray, ...]
    about: str = ""
    row: np.ndarray | None = (
        None  # set when the matrix is outer(row, row): filtered in two cheap passes
    )

    @property
    def is_magnitude(self) -> bool:
        return len(self.parts) == 2

    @property
    def shape(self) -> tuple[int, int]:
        return self.parts[0].shape


def _sized(size: int | None, default: int) -> int:
    size = default if size is None else size
    if not 1 <= size <= MAX_SIZE:
        raise UsageError(f"--size {size} is out of range", f"give a size from 1 to {MAX_SIZE}")
    return size


def _box(size: int | None, sigma: float | None) -> np.ndarray:
    n = _sized(size, 3)
    return np.full(n, 1.0 / n)


def _gaussian(size: int | None, sigma: float | None) -> np.ndarray:
    if sigma is None:  # Pascal's triangle: Wikipedia's [1 2 1]/4 ⊗ [1 2 1]/4 at size 3
        row = np.array([math.comb(_sized(size, 3) - 1, k) for k in range(_sized(size, 3))], float)
    else:
        if not (math.isfinite(sigma) and sigma > 0):
            raise UsageError(f"--sigma {sigma} must be a positive number", "e.g. --sigma 1.5")
        n = _sized(size, 2 * math.ceil(3 * sigma) + 1 if size is None else size)
        x = np.arange(n) - (n - 1) / 2
        row = np.exp(-(x**2) / (2 * sigma**2))
    return row / row.sum()


Builder = Callable[..., np.ndarray]


class Recipe(NamedTuple):
    """A catalogue entry: what the kernel does and how to build its matrix (or its x and y pair)."""

    about: str
    make_x: Builder
    make_y: Builder | None = None


def _fixed(*rows: Sequence[float]) -> Callable[..., np.ndarray]:
    return lambda size, sigma: np.array(rows, dtype=float)


SOBEL_X = ([-1, 0, 1], [-2, 0, 2], [-1, 0, 1])
PREWITT_X = ([-1, 0, 1], [-1, 0, 1], [-1, 0, 1])
_TABLE: dict[str, tuple[str, Builder, Builder | None]] = {
    "identity": ("leaves the image as it is", _fixed([0, 0, 0], [0, 1, 0], [0, 0, 0]), None),
    "sharpen": (
        "the lesson's kernel: 5 x the pixel minus its 4 neighbours",
        _fixed([0, -1, 0], [-1, 5, -1], [0, -1, 0]),
        None,
    ),
    "box-blur": ("average of the n x n neighbourhood (--size, default 3)", _box, None),
    "gaussian-blur": (
        "weighted blur: binomial weights, or a sampled Gaussian with --sigma (--size, default 3)",
        _gaussian,
        None,
    ),
    "laplacian": (
        "edge detection in every direction; sharpen = identity + laplacian",
        _fixed([0, -1, 0], [-1, 4, -1], [0, -1, 0]),
        None,
    ),
    "outline": (
        "stronger all-direction edges, using the diagonals too",
        _fixed([-1, -1, -1], [-1, 8, -1], [-1, -1, -1]),
        None,
    ),
    "sobel-x": (
        "horizontal change: positive where the right side is brighter",
        _fixed(*SOBEL_X),
        None,
    ),
    "sobel-y": (
        "vertical change: positive where the lower side is brighter",
        _fixed(*np.transpose(SOBEL_X)),
        None,
    ),
    "sobel": (
        "gradient magnitude sqrt(sobel-x² + sobel-y²): edges in every direction",
        _fixed(*SOBEL_X),
        _fixed(*np.transpose(SOBEL_X)),
    ),
    "prewitt-x": (
        "like sobel-x without the extra weight on the middle row",
        _fixed(*PREWITT_X),
        None,
    ),
    "prewitt-y": (
        "like sobel-y without the extra weight on the middle column",
        _fixed(*np.transpose(PREWITT_X)),
        None,
    ),
    "prewitt": (
        "gradient magnitude sqrt(prewitt-x² + prewitt-y²)",
        _fixed(*PREWITT_X),
        _fixed(*np.transpose(PREWITT_X)),
    ),
    "emboss": (
        "raised-relief look; sums to 1, so flat areas keep their brightness",
        _fixed([-2, -1, 0], [-1, 1, 1], [0, 1, 2]),
        None,
    ),
}
_ALIASES = {
    "blur": "box-blur",
    "box": "box-blur",
    "gaussian": "gaussian-blur",
    "edge": "laplacian",
    "gradient": "sobel",
    "sobel-magnitude": "sobel",
    "prewitt-magnitude": "prewitt",
}


KERNELS: Registry[Recipe] = Registry(
    "kernel", hint='or give numbers like "[[0,-1,0],[-1,5,-1],[0,-1,0]]"'
)
for _name, (_about, _make_x, _make_y) in _TABLE.items():
    KERNELS.register(_name, Recipe(_about, _make_x, _make_y))
for _alias, _name in _ALIASES.items():
    KERNELS.alias(_alias, _name)


def get_kernel(name: str, size: int | None = None, sigma: float | None = None) -> Kernel:
    """A catalogue kernel by name; box-blur and gaussian-blur take a size, gaussian-blur a sigma."""
    key = KERNELS.resolve(name)
    about, make_x, make_y = KERNELS.get(key)
    if key not in ("box-blur", "gaussian-blur") and (size is not None or sigma is not None):
        raise UsageError(
            f"--size and --sigma do not apply to {key}", "they set box-blur and gaussian-blur"
        )
    if key == "box-blur" and sigma is not None:
        raise UsageError(
            "--sigma does not apply to box-blur", "use gaussian-blur --sigma S, or --size N alone"
        )
    if key in (
        "box-blur",
        "gaussian-blur",
    ):  # the blurs' builders give one row of the separable matrix
        row = make_x(size, sigma)
        return Kernel(key, (np.outer(row, row),), about, row)
    parts = (make_x(size, sigma),) if make_y is None else (make_x(size, sigma), make_y(size, sigma))
    return Kernel(key, parts, about)


def parse_kernel(
    text_or_path: str | Path, size: int | None = None, sigma: float | None = None
) -> Kernel:
    """A catalogue name, numbers like "[[0,-1,0],[-1,5,-1],[0,-1,0]]" or "1 2 1; 2 4 2; 1 2 1"
    (fractions such as 1/16 allowed), or a CSV / JSON / text file holding them."""
    text = str(text_or_path).strip()
    if not text:
        raise UsageError(
            "the kernel is empty",
            'give a name such as sharpen, or numbers like "[[0,-1,0],[-1,5,-1],[0,-1,0]]"',
        )
    path = Path(text).expanduser()
    is_numbers = text.startswith("[") or re.fullmatch(r"[\d\s.,;+\-/eE]+", text)
    if (is_numbers or path.is_file()) and (size is not None or sigma is not None):
        raise UsageError(
            "--size and --sigma apply only to box-blur and gaussian-blur",
            "leave them out for your own numbers",
        )
    if is_numbers:
        return Kernel("custom", (_fits(read_matrix(text)),), "typed on the command line")
    if path.is_file():
        return Kernel(path.name, (_fits(read_matrix_file(path)),), f"from {path}")
    if path.suffix.lower() in (".csv", ".json", ".txt") or "/" in text:
        raise DataError(
            f"kernel file {path} does not exist", "check the path, or give a kernel name or numbers"
        )
    return get_kernel(text, size, sigma)


def _fits(weights: np.ndarray) -> np.ndarray:
    """Your own kernel, at most MAX_SIZE wide and high: every output pixel costs one product per
    weight."""
    if max(weights.shape) > MAX_SIZE:
        raise UsageError(
            f"the kernel is {weights.shape[0]}x{weights.shape[1]}, larger than "
            f"{MAX_SIZE}x{MAX_SIZE}",
            f"give at most {MAX_SIZE} rows of at most {MAX_SIZE} numbers (kernels are usually "
            "3x3 to 7x7)",
        )
    return weights


def as_kernel(kernel: Kernel | np.ndarray | Sequence | str) -> Kernel:
    if isinstance(kernel, Kernel):
        return kernel
    if isinstance(kernel, str):
        return parse_kernel(kernel)
    array = np.asarray(kernel, dtype=float)
    if array.ndim != 2 or array.size == 0:
        raise UsageError(
            f"a kernel must be a non-empty 2-D matrix, not shape {array.shape}",
            "give rows of numbers",
        )
    return Kernel("custom", (_fits(array),))


def catalogue_json() -> list[dict]:
    """Every named kernel with what it does and its weights (x and y for a magnitude pair)."""
    return [
        {"name": k.name, "about": k.about, "weights": [p.tolist() for p in k.parts]}
        for k in map(get_kernel, KERNELS)
    ]


def catalogue_text() -> str:
    """The catalogue as `neuroflow convolve --list` prints it: kernels, matrices, other names."""
    lines = []
    for k in map(get_kernel, KERNELS):
        lines.append(f"{k.name}: {k.about}")
        tags = ("x: ", "y: ") if k.is_magnitude else ("",)
        for tag, part in zip(tags, k.parts, strict=True):
            lines += [
                f"    {tag if i == 0 else ' ' * len(tag)}{line}"
                for i, line in enumerate(format_matrix(part))
            ]
    lines.append("\nOther names: " + ", ".join(f"{a} = {n}" for a, n in KERNELS.aliases().items()))
    lines.append("box-blur and gaussian-blur take --size N; gaussian-blur also --sigma S.")
    return "\n".join(lines)
