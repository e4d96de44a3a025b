"""Kernel convolution, the lesson's first image idea: lay a small grid of weights over each pixel.

A catalogue of named kernels, a parser for kernels typed or saved by a user, and `convolve`, which
equals scipy.ndimage.correlate / convolve in every edge mode, plus a pixel's worked arithmetic.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neuroflow.errors import DataError, UsageError
from neuroflow.kernel_text import fmt, format_matrix, read_matrix, read_matrix_file

# The lesson's words and scipy's names, each mapped to what scipy.ndimage calls it; "valid" crops.
MODES = {
    "reflect": "reflect", "grid-mirror": "reflect", "symmetric": "reflect",
    "mirror": "mirror",
    "nearest": "nearest", "extend": "nearest", "edge": "nearest",
    "wrap": "wrap", "grid-wrap": "wrap",
    "constant": "constant", "grid-constant": "constant",
    "valid": "valid", "crop": "valid",
}
MAX_SIZE = 101  # largest --size for the blur kernels; bigger ones take minutes on a photo


@dataclass(frozen=True, eq=False)
class Kernel:
    """A named kernel: one weight matrix, or an x and y pair combined as sqrt(x² + y²)."""

    name: str
    parts: tuple[np.ndarray, ...]
    about: str = ""
    row: np.ndarray | None = None  # set when the matrix is outer(row, row): filtered in two cheap passes

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


def _fixed(*rows: Sequence[float]) -> Callable[..., np.ndarray]:
    return lambda size, sigma: np.array(rows, dtype=float)


SOBEL_X = ([-1, 0, 1], [-2, 0, 2], [-1, 0, 1])
PREWITT_X = ([-1, 0, 1], [-1, 0, 1], [-1, 0, 1])
CATALOGUE: dict[str, tuple[str, Callable[..., np.ndarray], Callable[..., np.ndarray] | None]] = {
    "identity": ("leaves the image as it is", _fixed([0, 0, 0], [0, 1, 0], [0, 0, 0]), None),
    "sharpen": ("the lesson's kernel: 5 x the pixel minus its 4 neighbours", _fixed([0, -1, 0], [-1, 5, -1], [0, -1, 0]), None),
    "box-blur": ("average of the n x n neighbourhood (--size, default 3)", _box, None),
    "gaussian-blur": ("weighted blur: binomial weights, or a sampled Gaussian with --sigma (--size, default 3)", _gaussian, None),
    "laplacian": ("edge detection in every direction; sharpen = identity + laplacian", _fixed([0, -1, 0], [-1, 4, -1], [0, -1, 0]), None),
    "outline": ("stronger all-direction edges, using the diagonals too", _fixed([-1, -1, -1], [-1, 8, -1], [-1, -1, -1]), None),
    "sobel-x": ("horizontal change: positive where the right side is brighter", _fixed(*SOBEL_X), None),
    "sobel-y": ("vertical change: positive where the lower side is brighter", _fixed(*np.transpose(SOBEL_X)), None),
    "sobel": ("gradient magnitude sqrt(sobel-x² + sobel-y²): edges in every direction", _fixed(*SOBEL_X), _fixed(*np.transpose(SOBEL_X))),
    "prewitt-x": ("like sobel-x without the extra weight on the middle row", _fixed(*PREWITT_X), None),
    "prewitt-y": ("like sobel-y without the extra weight on the middle column", _fixed(*np.transpose(PREWITT_X)), None),
    "prewitt": ("gradient magnitude sqrt(prewitt-x² + prewitt-y²)", _fixed(*PREWITT_X), _fixed(*np.transpose(PREWITT_X))),
    "emboss": ("raised-relief look; sums to 1, so flat areas keep their brightness", _fixed([-2, -1, 0], [-1, 1, 1], [0, 1, 2]), None),
}
ALIASES = {"blur": "box-blur", "box": "box-blur", "gaussian": "gaussian-blur", "edge": "laplacian",
           "gradient": "sobel", "sobel-magnitude": "sobel", "prewitt-magnitude": "prewitt"}


def get_kernel(name: str, size: int | None = None, sigma: float | None = None) -> Kernel:
    """A catalogue kernel by name; box-blur and gaussian-blur take a size, gaussian-blur a sigma."""
    key = re.sub(r"[\s_]+", "-", name.strip().lower())
    key = ALIASES.get(key, key)
    if key not in CATALOGUE:
        raise UsageError(f"unknown kernel {name!r}", f"choose one of: {', '.join(CATALOGUE)}, or give numbers like \"[[0,-1,0],[-1,5,-1],[0,-1,0]]\"")
    about, make_x, make_y = CATALOGUE[key]
    if key not in ("box-blur", "gaussian-blur") and (size is not None or sigma is not None):
        raise UsageError(f"--size and --sigma do not apply to {key}", "they set box-blur and gaussian-blur")
    if key == "box-blur" and sigma is not None:
        raise UsageError("--sigma does not apply to box-blur", "use gaussian-blur --sigma S, or --size N alone")
    if key in ("box-blur", "gaussian-blur"):  # the blurs' builders give one row of the separable matrix
        row = make_x(size, sigma)
        return Kernel(key, (np.outer(row, row),), about, row)
    parts = (make_x(size, sigma),) if make_y is None else (make_x(size, sigma), make_y(size, sigma))
    return Kernel(key, parts, about)


def parse_kernel(text_or_path: str | Path, size: int | None = None, sigma: float | None = None) -> Kernel:
    """A catalogue name, numbers like "[[0,-1,0],[-1,5,-1],[0,-1,0]]" or "1 2 1; 2 4 2; 1 2 1"
    (fractions such as 1/16 allowed), or a CSV / JSON / text file holding them."""
    text = str(text_or_path).strip()
    if not text:
        raise UsageError("the kernel is empty", "give a name such as sharpen, or numbers like \"[[0,-1,0],[-1,5,-1],[0,-1,0]]\"")
    path = Path(text).expanduser()
    is_numbers = text.startswith("[") or re.fullmatch(r"[\d\s.,;+\-/eE]+", text)
    if (is_numbers or path.is_file()) and (size is not None or sigma is not None):
        raise UsageError("--size and --sigma apply only to box-blur and gaussian-blur", "leave them out for your own numbers")
    if is_numbers:
        return Kernel("custom", (_fits(read_matrix(text)),), "typed on the command line")
    if path.is_file():
        return Kernel(path.name, (_fits(read_matrix_file(path)),), f"from {path}")
    if path.suffix.lower() in (".csv", ".json", ".txt") or "/" in text:
        raise DataError(f"kernel file {path} does not exist", "check the path, or give a kernel name or numbers")
    return get_kernel(text, size, sigma)


def _fits(weights: np.ndarray) -> np.ndarray:
    """Your own kernel, at most MAX_SIZE wide and high: every output pixel costs one product per weight."""
    if max(weights.shape) > MAX_SIZE:
        raise UsageError(f"the kernel is {weights.shape[0]}x{weights.shape[1]}, larger than {MAX_SIZE}x{MAX_SIZE}",
                         f"give at most {MAX_SIZE} rows of at most {MAX_SIZE} numbers (kernels are usually 3x3 to 7x7)")
    return weights


def _weights(kernel: Kernel | np.ndarray | Sequence | str) -> Kernel:
    if isinstance(kernel, Kernel):
        return kernel
    if isinstance(kernel, str):
        return parse_kernel(kernel)
    array = np.asarray(kernel, dtype=float)
    if array.ndim != 2 or array.size == 0:
        raise UsageError(f"a kernel must be a non-empty 2-D matrix, not shape {array.shape}", "give rows of numbers")
    return Kernel("custom", (_fits(array),))


def mode_name(mode: str) -> str:
    """scipy's name for an edge mode (or "valid"), from any accepted spelling."""
    key = mode.strip().lower()
    if key not in MODES:
        raise UsageError(f"unknown edge mode {mode!r}", f"choose one of: {', '.join(MODES)}")
    return MODES[key]


def valid_box(shape: tuple[int, int], kernel_shape: tuple[int, int], flip: bool) -> tuple[slice, slice]:
    """Where the kernel lies wholly inside the image, following scipy's origin for even sizes."""
    if kernel_shape[0] > shape[0] or kernel_shape[1] > shape[1]:
        raise UsageError(
            f"the kernel ({kernel_shape[0]}x{kernel_shape[1]}) is bigger than the image ({shape[0]}x{shape[1]}), "
            "so --mode valid leaves nothing", "use a smaller kernel or another --mode such as reflect")
    return tuple(slice(before, n - (k - 1 - before)) for n, k, before in zip(shape, kernel_shape, _before(kernel_shape, flip), strict=True))


def _before(kernel_shape: tuple[int, ...], flip: bool) -> tuple[int, ...]:
    """How many pixels above / left of the centre the (flipped, if convolving) kernel reaches."""
    return tuple((k - 1) // 2 if flip else k // 2 for k in kernel_shape)


def convolve(image: np.ndarray, kernel: Kernel | np.ndarray | Sequence | str, mode: str = "reflect",
             cval: float = 0.0, flip: bool = False) -> np.ndarray:
    """Filter a (H, W) or (H, W, channels) image, each channel alone; returns floats.

    flip=False is cross-correlation (scipy.ndimage.correlate, CNN layers); flip=True is true
    convolution (scipy.ndimage.convolve). mode "valid" returns only pixels the kernel fits over.
    """
    import scipy.ndimage as ndi

    kern = _weights(kernel)
    if not math.isfinite(cval):
        raise UsageError(f"--cval {cval} is not a finite number", "give the value past the edge as a number, e.g. --cval 0")
    image = np.asarray(image)
    if image.ndim not in (2, 3) or image.size == 0:
        raise DataError(f"an image must be a non-empty (H, W) or (H, W, channels) array, not shape {image.shape}")
    if not np.issubdtype(image.dtype, np.floating):
        image = image.astype(np.float64)  # scipy would keep uint8 and wrap negative sums around
    scipy_mode = mode_name(mode)
    crop = valid_box(image.shape[:2], kern.shape, flip) if scipy_mode == "valid" else None
    # Valid pixels never read past the edge, so any scipy mode gives them; nearest is cheapest.
    scipy_mode = "nearest" if crop else scipy_mode
    if kern.row is not None and kern.row.size > 3:
        # A 21x21 blur is 441 products a pixel, or 42 as a column pass then a row pass; the row sums
        # to 1, so even constant mode's corners come out the same.
        along = ndi.convolve1d if flip else ndi.correlate1d
        out = along(along(image, kern.row, axis=0, mode=scipy_mode, cval=cval), kern.row, axis=1, mode=scipy_mode, cval=cval)
        return out[crop] if crop else out
    filt = ndi.convolve if flip else ndi.correlate
    results = []
    for weights in kern.parts:
        w = weights[:, :, None] if image.ndim == 3 else weights  # a 1-wide channel axis: channels never mix
        results.append(filt(image, w, mode=scipy_mode, cval=cval))
    out = results[0]
    if len(results) == 2:  # sqrt(gx² + gy²) in place: a 36-million-value photo needs no temporaries
        gy = results[1]
        np.multiply(out, out, out=out)
        np.multiply(gy, gy, out=gy)
        np.sqrt(np.add(out, gy, out=out), out=out)
    return out[crop] if crop else out


def to_pixels(values: np.ndarray, *, absolute: bool = False, rescale: bool = False) -> tuple[np.ndarray, tuple[float, float] | None]:
    """Filtered floats → 0..255 bytes: clip (default), or map min..max onto 0..255; |x| first with absolute.
    Returns the bytes and, when rescaling, the (min, max) that became 0 and 255."""
    values = np.abs(values) if absolute else values
    if rescale:
        low, high = float(values.min()), float(values.max())
        if high > low:
            return np.rint((values - low) * (255.0 / (high - low))).astype(np.uint8), (low, high)
    return np.rint(np.clip(values, 0, 255)).astype(np.uint8), None


def clipped_fraction(values: np.ndarray, *, absolute: bool = False) -> float:
    """The share of filtered values that clipping to 0..255 changes (the hint for --abs / --rescale)."""
    low = 0 if absolute else np.count_nonzero(values < 0)
    return (low + np.count_nonzero(np.abs(values) > 255 if absolute else values > 255)) / max(values.size, 1)


def pixel_after(raw: float, *, absolute: bool = False, value_range: tuple[float, float] | None = None) -> tuple[int, str]:
    """One filtered value as it lands in the output image, and the sentence that says how."""
    value = abs(raw) if absolute else raw
    steps = "absolute value and " if absolute else ""
    if value_range:
        low, high = value_range
        out = int(np.rint((value - low) * 255.0 / (high - low)))
        return out, (f"Result after {steps}rescaling {fmt(low)}..{fmt(high)} to 0..255: {out} "
                     f"(({fmt(value)} - {fmt(low) if low >= 0 else f'({fmt(low)})'}) x 255 / {fmt(high - low)}, rounded)")
    out = int(np.rint(min(max(value, 0.0), 255.0)))
    why = (f"{fmt(value)} is below 0" if value < 0 else f"{fmt(value)} is above 255" if value > 255
           else f"{fmt(value)} rounded" if value != out else f"{fmt(value)} is already inside")
    return out, f"Result after {steps}clipping to 0..255: {out} ({why})"




# What each mode puts past the edge of a row a b c d (scipy.ndimage's own pictures).
MODE_PICTURES = {
    "reflect": "d c b a | a b c d | d c b a", "mirror": "d c b | a b c d | c b a",
    "nearest": "a a a | a b c d | d d d", "wrap": "a b c d | a b c d | a b c d",
    "constant": "k k k | a b c d | k k k", "valid": "no padding: the output shrinks",
}


def _source(i: int, n: int, mode: str) -> int | None:
    """Which pixel of a row of n a position outside it reads in this mode (None: the constant)."""
    if 0 <= i < n:
        return i
    if mode == "nearest":
        return min(max(i, 0), n - 1)
    if mode == "wrap":
        return i % n
    if mode == "reflect":
        i %= 2 * n
        return i if i < n else 2 * n - 1 - i
    if mode == "mirror":
        if n == 1:
            return 0
        i %= 2 * n - 2
        return i if i < n else 2 * n - 2 - i
    return None


@dataclass(frozen=True, eq=False)
class PixelExplanation:
    """One output pixel worked out by hand: the neighbourhood, each product, the sum, the result."""

    x: int
    y: int
    value: float
    kernel: str
    mode: str
    flip: bool
    neighbourhood: np.ndarray  # the pixels under the kernel, edge values filled in by the mode
    outside: np.ndarray  # True where that pixel lies past the image's edge
    weights: tuple[np.ndarray, ...]  # as laid over the image: flipped for true convolution
    products: tuple[np.ndarray, ...]
    sums: tuple[float, ...]
    raw: float  # the sum, or sqrt(x² + y²) for a gradient magnitude
    result: int  # the byte in the output image
    result_words: str

    def lines(self) -> list[str]:
        """The lesson's worked example as text, one line per step."""
        how = "true convolution (kernel flipped)" if self.flip else "cross-correlation"
        out = [f"Pixel x={self.x}, y={self.y} (value {fmt(self.value)}), kernel {self.kernel}, {how}, mode {self.mode}"]
        cells = [[fmt(v) + ("*" if o else "") for v, o in zip(row, orow, strict=True)]
                 for row, orow in zip(self.neighbourhood, self.outside, strict=True)]
        cy, cx = _before(self.neighbourhood.shape, self.flip)
        cells[cy][cx] = f"[{cells[cy][cx]}]"
        width = max(len(c) for row in cells for c in row)
        hood = [" ".join(c.rjust(width) for c in row) for row in cells]
        for n, (weights, products, total) in enumerate(zip(self.weights, self.products, self.sums, strict=True)):
            part = f" ({self.kernel}-{'xy'[n]})" if len(self.weights) == 2 else ""
            title = "Kernel, flipped" if self.flip else "Kernel"
            out.append(f"{'Neighbourhood:'.ljust(len(hood[0]) + 6)}{title}{part}:")
            out += [f"  {h}    {k}" for h, k in zip(hood, format_matrix(weights), strict=True)]
            terms = [[f"{c.strip('[]*')} x {fmt(w) if w >= 0 else f'({fmt(w)})'} = {fmt(p)}" for c, w, p in zip(crow, wrow, prow, strict=True)]
                     for crow, wrow, prow in zip(cells, weights, products, strict=True)]
            width = max(len(t) for row in terms for t in row)
            out.append("Products, pixel x weight:")
            out += ["  " + "   ".join(t.ljust(width) for t in row).rstrip() for row in terms]
            flat = [fmt(p) for p in products.ravel()]
            signed = flat[0] + "".join(f" - {p[1:]}" if p.startswith("-") else f" + {p}" for p in flat[1:])
            out.append(f"Sum{part}: {signed} = {fmt(total)}")
        if len(self.sums) == 2:
            gx, gy = self.sums
            out.append(f"Magnitude: sqrt({fmt(gx)}² + {fmt(gy)}²) = {fmt(self.raw)}")
        if self.outside.any():
            out.append(f"* past the edge of the image, filled in by mode {self.mode}: {MODE_PICTURES[self.mode]}")
        out.append(self.result_words)
        return out

    def as_dict(self) -> dict:
        return {"x": self.x, "y": self.y, "value": self.value, "kernel": self.kernel, "mode": self.mode,
                "flip": self.flip, "neighbourhood": self.neighbourhood.tolist(), "outside": self.outside.tolist(),
                "weights": [w.tolist() for w in self.weights], "products": [p.tolist() for p in self.products],
                "sums": list(self.sums), "raw": self.raw, "result": self.result}


def explain_pixel(image: np.ndarray, kernel: Kernel | np.ndarray | Sequence | str, x: int, y: int, *,
                  mode: str = "reflect", cval: float = 0.0, flip: bool = False, absolute: bool = False,
                  value_range: tuple[float, float] | None = None) -> PixelExplanation:
    """Work out output pixel (x = column, y = row, from 0 at the top left) of a 2-D image by hand.

    The raw sum equals convolve(image, kernel, ...) there; value_range is the (min, max) that
    to_pixels(rescale=True) used, so the result matches the output image."""
    kern = _weights(kernel)
    image = np.asarray(image, dtype=float)
    if image.ndim != 2:
        raise DataError(f"explain_pixel takes one channel, an (H, W) array, not shape {image.shape}")
    height, width = image.shape
    if not (0 <= x < width and 0 <= y < height):
        raise UsageError(f"pixel x={x}, y={y} is outside the {width}x{height} image", f"choose x from 0 to {width - 1} and y from 0 to {height - 1}")
    name = mode_name(mode)
    top, left = _before(kern.shape, flip)
    rows = np.arange(kern.shape[0]) + y - top
    cols = np.arange(kern.shape[1]) + x - left
    if name == "valid":
        box = valid_box(image.shape, kern.shape, flip)
        if not (box[0].start <= y < box[0].stop and box[1].start <= x < box[1].stop):
            raise UsageError(f"with --mode valid, pixel x={x}, y={y} has no result: the kernel hangs over the edge",
                             f"choose x from {box[1].start} to {box[1].stop - 1} and y from {box[0].start} to {box[0].stop - 1}")
    src_rows = [_source(int(r), height, name) for r in rows]
    src_cols = [_source(int(c), width, name) for c in cols]
    hood = np.array([[cval if r is None or c is None else image[r, c] for c in src_cols] for r in src_rows])
    outside = ~(((rows >= 0) & (rows < height))[:, None] & ((cols >= 0) & (cols < width))[None, :])
    weights = tuple(w[::-1, ::-1] if flip else w for w in kern.parts)
    products = tuple(hood * w for w in weights)
    sums = tuple(math.fsum(p.ravel()) for p in products)
    raw = sums[0] if len(sums) == 1 else math.hypot(*sums)
    result, words = pixel_after(raw, absolute=absolute, value_range=value_range)
    return PixelExplanation(x, y, float(image[y, x]), kern.name, name, flip, hood, outside, weights, products, sums, raw, result, words)
