"""Convolving a picture with a kernel in every edge mode, as scipy.ndimage.correlate / convolve do,
and turning the results into pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from neuroflow.errors import DataError, UsageError
from neuroflow.kernels.catalogue import Kernel, as_kernel

# The lesson's words and scipy's names, each mapped to what scipy.ndimage calls it; "valid" crops.
MODES = {
    "reflect": "reflect",
    "grid-mirror": "reflect",
    "symmetric": "reflect",
    "mirror": "mirror",
    "nearest": "nearest",
    "extend": "nearest",
    "edge": "nearest",
    "wrap": "wrap",
    "grid-wrap": "wrap",
    "constant": "constant",
    "grid-constant": "constant",
    "valid": "valid",
    "crop": "valid",
}


def mode_name(mode: str) -> str:
    """scipy's name for an edge mode (or "valid"), from any accepted spelling."""
    key = mode.strip().lower()
    if key not in MODES:
        raise UsageError(f"unknown edge mode {mode!r}", f"choose one of: {', '.join(MODES)}")
    return MODES[key]


def valid_box(
    shape: tuple[int, int], kernel_shape: tuple[int, int], flip: bool
) -> tuple[slice, slice]:
    """Where the kernel lies wholly inside the image, following scipy's origin for even sizes."""
    if kernel_shape[0] > shape[0] or kernel_shape[1] > shape[1]:
        raise UsageError(
            f"the kernel ({kernel_shape[0]}x{kernel_shape[1]}) is bigger than the image "
            f"({shape[0]}x{shape[1]}), "
            "so --mode valid leaves nothing",
            "use a smaller kernel or another --mode such as reflect",
        )
    return tuple(
        slice(before, n - (k - 1 - before))
        for n, k, before in zip(shape, kernel_shape, kernel_reach(kernel_shape, flip), strict=True)
    )


def kernel_reach(kernel_shape: tuple[int, ...], flip: bool) -> tuple[int, ...]:
    """How many pixels above / left of the centre the (flipped, if convolving) kernel reaches."""
    return tuple((k - 1) // 2 if flip else k // 2 for k in kernel_shape)


def convolve(
    image: np.ndarray,
    kernel: Kernel | np.ndarray | Sequence | str,
    mode: str = "reflect",
    cval: float = 0.0,
    flip: bool = False,
) -> np.ndarray:
    """Filter a (H, W) or (H, W, channels) image, each channel alone; returns floats.

    flip=False is cross-correlation (scipy.ndimage.correlate, CNN layers); flip=True is true
    convolution (scipy.ndimage.convolve). mode "valid" returns only pixels the kernel fits over.
    """
    kern = as_kernel(kernel)
    if not math.isfinite(cval):
        raise UsageError(
            f"--cval {cval} is not a finite number",
            "give the value past the edge as a number, e.g. --cval 0",
        )
    image = np.asarray(image)
    if image.ndim not in (2, 3) or image.size == 0:
        raise DataError(
            "an image must be a non-empty (H, W) or (H, W, channels) array, not shape "
            f"{image.shape}"
        )
    if not np.issubdtype(image.dtype, np.floating):
        image = image.astype(np.float64)  # scipy would keep uint8 and wrap negative sums around
    scipy_mode = mode_name(mode)
    crop = valid_box(image.shape[:2], kern.shape, flip) if scipy_mode == "valid" else None
    # Valid pixels never read past the edge, so any scipy mode gives them; nearest is cheapest.
    scipy_mode = "nearest" if crop else scipy_mode
    if kern.row is not None and kern.row.size > 3:
        out = _separable(image, kern.row, scipy_mode, cval, flip)
    else:
        out = _filtered(image, kern.parts, scipy_mode, cval, flip)
    return out[crop] if crop else out


def _separable(image: np.ndarray, row: np.ndarray, mode: str, cval: float, flip: bool):
    """outer(row, row) as a column pass then a row pass: a 21x21 blur is 42 products a pixel, not
    441; the row sums to 1, so even constant mode's corners come out the same."""
    import scipy.ndimage as ndi

    along = ndi.convolve1d if flip else ndi.correlate1d
    return along(along(image, row, axis=0, mode=mode, cval=cval), row, axis=1, mode=mode, cval=cval)


def _filtered(image: np.ndarray, parts, mode: str, cval: float, flip: bool) -> np.ndarray:
    """One matrix's result, or the magnitude sqrt(x² + y²) of an x and y pair."""
    import scipy.ndimage as ndi

    filt = ndi.convolve if flip else ndi.correlate
    results = []
    for weights in parts:
        # a 1-wide channel axis: channels never mix
        w = weights[:, :, None] if image.ndim == 3 else weights
        results.append(filt(image, w, mode=mode, cval=cval))
    out = results[0]
    if len(results) == 2:  # sqrt(gx² + gy²) in place: a 36-million-value photo needs no temporaries
        gy = results[1]
        np.multiply(out, out, out=out)
        np.multiply(gy, gy, out=gy)
        np.sqrt(np.add(out, gy, out=out), out=out)
    return out


def to_pixels(
    values: np.ndarray, *, absolute: bool = False, rescale: bool = False
) -> tuple[np.ndarray, tuple[float, float] | None]:
    """Filtered floats → 0..255 bytes: clip (default), or map min..max onto 0..255; |x| first with
    absolute. Returns the bytes and, when rescaling, the (min, max) that became 0 and 255."""
    values = np.abs(values) if absolute else values
    if rescale:
        low, high = float(values.min()), float(values.max())
        if high > low:
            return np.rint((values - low) * (255.0 / (high - low))).astype(np.uint8), (low, high)
    return np.rint(np.clip(values, 0, 255)).astype(np.uint8), None


def clipped_fraction(values: np.ndarray, *, absolute: bool = False) -> float:
    """The share of filtered values that clipping to 0..255 changes (the hint for --abs /
    --rescale)."""
    low = 0 if absolute else np.count_nonzero(values < 0)
    return (low + np.count_nonzero(np.abs(values) > 255 if absolute else values > 255)) / max(
        values.size, 1
    )
