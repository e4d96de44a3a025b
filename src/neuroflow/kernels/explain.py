"""One output pixel of a convolution worked out by hand, as the lesson does it: the neighbourhood,
the kernel, each product, the sum, and the result after clipping or rescaling.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from neuroflow.errors import DataError, UsageError
from neuroflow.kernels.catalogue import Kernel, as_kernel
from neuroflow.kernels.convolution import kernel_reach, mode_name, valid_box
from neuroflow.kernels.text import fmt, format_matrix

# What each mode puts past the edge of a row a b c d (scipy.ndimage's own pictures).
MODE_PICTURES = {
    "reflect": "d c b a | a b c d | d c b a",
    "mirror": "d c b | a b c d | c b a",
    "nearest": "a a a | a b c d | d d d",
    "wrap": "a b c d | a b c d | a b c d",
    "constant": "k k k | a b c d | k k k",
    "valid": "no padding: the output shrinks",
}


def pixel_after(
    raw: float, *, absolute: bool = False, value_range: tuple[float, float] | None = None
) -> tuple[int, str]:
    """One filtered value as it lands in the output image, and the sentence that says how."""
    value = abs(raw) if absolute else raw
    steps = "absolute value and " if absolute else ""
    if value_range:
        low, high = value_range
        out = int(np.rint((value - low) * 255.0 / (high - low)))
        return out, (
            f"Result after {steps}rescaling {fmt(low)}..{fmt(high)} to 0..255: {out} "
            f"(({fmt(value)} - {fmt(low) if low >= 0 else f'({fmt(low)})'}) x 255 / "
            f"{fmt(high - low)}, rounded)"
        )
    out = int(np.rint(min(max(value, 0.0), 255.0)))
    why = (
        f"{fmt(value)} is below 0"
        if value < 0
        else f"{fmt(value)} is above 255"
        if value > 255
        else f"{fmt(value)} rounded"
        if value != out
        else f"{fmt(value)} is already inside"
    )
    return out, f"Result after {steps}clipping to 0..255: {out} ({why})"


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
        out = [
            f"Pixel x={self.x}, y={self.y} (value {fmt(self.value)}), kernel {self.kernel}, "
            f"{how}, mode {self.mode}"
        ]
        cells = [
            [fmt(v) + ("*" if o else "") for v, o in zip(row, orow, strict=True)]
            for row, orow in zip(self.neighbourhood, self.outside, strict=True)
        ]
        cy, cx = kernel_reach(self.neighbourhood.shape, self.flip)
        cells[cy][cx] = f"[{cells[cy][cx]}]"
        width = max(len(c) for row in cells for c in row)
        hood = [" ".join(c.rjust(width) for c in row) for row in cells]
        for n, (weights, products, total) in enumerate(
            zip(self.weights, self.products, self.sums, strict=True)
        ):
            part = f" ({self.kernel}-{'xy'[n]})" if len(self.weights) == 2 else ""
            title = "Kernel, flipped" if self.flip else "Kernel"
            out.append(f"{'Neighbourhood:'.ljust(len(hood[0]) + 6)}{title}{part}:")
            out += [f"  {h}    {k}" for h, k in zip(hood, format_matrix(weights), strict=True)]
            terms = [
                [
                    f"{c.strip('[]*')} x {fmt(w) if w >= 0 else f'({fmt(w)})'} = {fmt(p)}"
                    for c, w, p in zip(crow, wrow, prow, strict=True)
                ]
                for crow, wrow, prow in zip(cells, weights, products, strict=True)
            ]
            width = max(len(t) for row in terms for t in row)
            out.append("Products, pixel x weight:")
            out += ["  " + "   ".join(t.ljust(width) for t in row).rstrip() for row in terms]
            flat = [fmt(p) for p in products.ravel()]
            signed = flat[0] + "".join(
                f" - {p[1:]}" if p.startswith("-") else f" + {p}" for p in flat[1:]
            )
            out.append(f"Sum{part}: {signed} = {fmt(total)}")
        if len(self.sums) == 2:
            gx, gy = self.sums
            out.append(f"Magnitude: sqrt({fmt(gx)}² + {fmt(gy)}²) = {fmt(self.raw)}")
        if self.outside.any():
            out.append(
                f"* past the edge of the image, filled in by mode {self.mode}: "
                f"{MODE_PICTURES[self.mode]}"
            )
        out.append(self.result_words)
        return out

    def as_dict(self) -> dict:
        return {
            "x": self.x,
            "y": self.y,
            "value": self.value,
            "kernel": self.kernel,
            "mode": self.mode,
            "flip": self.flip,
            "neighbourhood": self.neighbourhood.tolist(),
            "outside": self.outside.tolist(),
            "weights": [w.tolist() for w in self.weights],
            "products": [p.tolist() for p in self.products],
            "sums": list(self.sums),
            "raw": self.raw,
            "result": self.result,
        }


def explain_pixel(
    image: np.ndarray,
    kernel: Kernel | np.ndarray | Sequence | str,
    x: int,
    y: int,
    *,
    mode: str = "reflect",
    cval: float = 0.0,
    flip: bool = False,
    absolute: bool = False,
    value_range: tuple[float, float] | None = None,
) -> PixelExplanation:
    """Work out output pixel (x = column, y = row, from 0 at the top left) of a 2-D image by hand.

    The raw sum equals convolve(image, kernel, ...) there; value_range is the (min, max) that
    to_pixels(rescale=True) used, so the result matches the output image."""
    kern = as_kernel(kernel)
    image = np.asarray(image, dtype=float)
    if image.ndim != 2:
        raise DataError(
            f"explain_pixel takes one channel, an (H, W) array, not shape {image.shape}"
        )
    height, width = image.shape
    if not (0 <= x < width and 0 <= y < height):
        raise UsageError(
            f"pixel x={x}, y={y} is outside the {width}x{height} image",
            f"choose x from 0 to {width - 1} and y from 0 to {height - 1}",
        )
    name = mode_name(mode)
    hood, outside = _neighbourhood(image, kern.shape, x, y, name, cval, flip)
    weights = tuple(w[::-1, ::-1] if flip else w for w in kern.parts)
    products = tuple(hood * w for w in weights)
    sums = tuple(math.fsum(p.ravel()) for p in products)
    raw = sums[0] if len(sums) == 1 else math.hypot(*sums)
    result, words = pixel_after(raw, absolute=absolute, value_range=value_range)
    pixel = float(image[y, x])
    found = (hood, outside, weights, products, sums, raw, result, words)
    return PixelExplanation(x, y, pixel, kern.name, name, flip, *found)


def _neighbourhood(image, shape, x: int, y: int, mode: str, cval: float, flip: bool):
    """The values the kernel lies over at pixel (x, y), and which of them lie past the edge."""
    height, width = image.shape
    top, left = kernel_reach(shape, flip)
    rows = np.arange(shape[0]) + y - top
    cols = np.arange(shape[1]) + x - left
    if mode == "valid":
        box = valid_box(image.shape, shape, flip)
        if not (box[0].start <= y < box[0].stop and box[1].start <= x < box[1].stop):
            raise UsageError(
                f"with --mode valid, pixel x={x}, y={y} has no result: the kernel hangs over the "
                "edge",
                f"choose x from {box[1].start} to {box[1].stop - 1} and y from {box[0].start} to "
                f"{box[0].stop - 1}",
            )
    src_rows = [_source(int(r), height, mode) for r in rows]
    src_cols = [_source(int(c), width, mode) for c in cols]
    hood = np.array(
        [[cval if r is None or c is None else image[r, c] for c in src_cols] for r in src_rows]
    )
    outside = ~(((rows >= 0) & (rows < height))[:, None] & ((cols >= 0) & (cols < width))[None, :])
    return hood, outside
