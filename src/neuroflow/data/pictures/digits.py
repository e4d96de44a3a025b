"""A photo or drawing of one digit prepared the way MNIST digits were made: light ink on black,
fitted in 20×20, centred by mass in 28×28, thin pen lines widened to MNIST's stroke.
"""

from __future__ import annotations

import numpy as np

from neuroflow.data.pictures.digit_finding import find_digit, finding, paper_is_light
from neuroflow.data.pictures.images import to_array

MNIST_BOX, MNIST_SIZE = 20, 28  # MNIST fits each digit in 20×20, then centres its mass in 28×28
# MNIST's median stroke width in pixels (same estimate as _thicken); thinner pen lines are widened
STROKE_PX = 2.8


def prepare_digit(img, find: bool = True) -> np.ndarray:
    """A picture of one digit → uint8 (28, 28), made like MNIST: light ink on black, fitted in
    20×20, centred by mass. find=False skips the digit finder: the plain crop-and-centre path."""
    strokes = digit_strokes(img, find)
    if strokes is None:  # nothing stands out from the paper: an empty picture stays empty
        return np.zeros((MNIST_SIZE, MNIST_SIZE), np.uint8)
    return _centred(_thicken(*strokes))


def digit_strokes(img, find: bool = True) -> tuple[np.ndarray, np.ndarray] | None:
    """The digit's ink, light on dark and cropped to its box (0..255), and its mask; None when
    nothing stands out from the paper. find=False skips the digit finder."""
    from scipy import ndimage

    grey = _shrink(to_array(img, 1).astype(np.float32), 1024)
    # a frame, ruled lines or a plaque around the digit taken away
    found = find_digit(grey) if find else None
    grey = _ink_light_on_dark(grey if found is None else found[0])
    h, w = grey.shape
    # The paper under the ink: a grey opening wider than any stroke removes the strokes and follows
    # uneven light.
    ink = grey - ndimage.grey_opening(grey, size=max(3, min(h, w) // 2))
    # The ink's level: the k-th brightest pixel, so a few hot pixels cannot set it but a thin stroke
    # still does.
    k = max(1, min(h, w) // 10)
    top = float(np.partition(ink.ravel(), -k)[-k])
    if top < 8:
        return None
    return _strokes(ink, top)


def _ink_light_on_dark(grey: np.ndarray) -> np.ndarray:
    """The picture with its ink lighter than its paper, as MNIST draws digits."""
    return 255 - grey if paper_is_light(grey) else grey


def _strokes(ink: np.ndarray, top: float) -> tuple[np.ndarray, np.ndarray]:
    """The digit's strokes cropped to their box, without specks, with ink scaled to 0..255; and
    their mask."""
    from scipy import ndimage

    mask = ink > 0.3 * top
    labels, count = ndimage.label(mask)
    if count > 1:  # specks of noise are small next to the strokes of the digit
        sizes = ndimage.sum(mask, labels, index=np.arange(1, count + 1))
        mask = np.isin(labels, 1 + np.flatnonzero(sizes >= 0.05 * sizes.max()))
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    box = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
    mask = mask[box]
    # keeps the strokes' soft edges, drops the specks
    near = ndimage.binary_dilation(mask, iterations=2)
    ink = np.where(near & (ink[box] > 0.15 * top), ink[box], 0)
    return np.clip(ink * (255 / max(float(np.percentile(ink[mask], 90)), 1e-6)), 0, 255), mask


def _centred(ink: np.ndarray) -> np.ndarray:
    """The ink fitted in MNIST_BOX × MNIST_BOX and centred by mass in MNIST_SIZE × MNIST_SIZE."""
    from PIL import Image
    from scipy import ndimage

    scale = MNIST_BOX / max(ink.shape)
    size = (max(1, round(ink.shape[1] * scale)), max(1, round(ink.shape[0] * scale)))
    small = np.clip(
        np.asarray(Image.fromarray(ink.astype(np.float32), "F").resize(size, Image.LANCZOS)),
        0,
        None,
    )
    if small.max() <= 0:
        return np.zeros((MNIST_SIZE, MNIST_SIZE), np.uint8)
    small = small * (255 / small.max())
    cy, cx = ndimage.center_of_mass(small)
    top_row = int(np.clip(round(MNIST_SIZE / 2 - cy), 0, MNIST_SIZE - small.shape[0]))
    left = int(np.clip(round(MNIST_SIZE / 2 - cx), 0, MNIST_SIZE - small.shape[1]))
    out = np.zeros((MNIST_SIZE, MNIST_SIZE), np.float32)
    out[top_row : top_row + small.shape[0], left : left + small.shape[1]] = small
    return np.rint(out).astype(np.uint8)


def _shrink(grey: np.ndarray, longest: int) -> np.ndarray:
    """Block-average a big photo to at most `longest` pixels a side: plenty for a 20-pixel digit,
    and fast."""
    factor = -(-max(grey.shape) // longest)
    if factor <= 1:
        return grey
    # a side shorter than the factor (a 3000 × 1 strip) is averaged whole rather than emptied
    fy, fx = min(factor, grey.shape[0]), min(factor, grey.shape[1])
    h, w = grey.shape[0] // fy * fy, grey.shape[1] // fx * fx
    return grey[:h, :w].reshape(h // fy, fy, w // fx, fx).mean(axis=(1, 3))


def _thicken(ink: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Widen a thin pen line so that, shrunk into 20×20, it is about as wide as an MNIST stroke."""
    from scipy import ndimage

    edge = mask & ~ndimage.binary_erosion(mask)
    width = 2 * mask.sum() / max(edge.sum(), 1)  # a stroke's area over half its outline
    wanted = STROKE_PX * max(ink.shape) / MNIST_BOX
    grow = int(round((wanted - width) / 2))
    if grow < 1:
        return ink
    # Shrink very large crops first so the dilation stays cheap; the result is resized to 20×20
    # anyway.
    factor = max(1, max(ink.shape) // 160)
    if factor > 1:
        ink = ink[: ink.shape[0] // factor * factor, : ink.shape[1] // factor * factor]
        ink = ink.reshape(ink.shape[0] // factor, factor, ink.shape[1] // factor, factor).max(
            axis=(1, 3)
        )
        grow = max(1, round(grow / factor))
    yy, xx = np.mgrid[-grow : grow + 1, -grow : grow + 1]
    return ndimage.grey_dilation(ink, footprint=yy**2 + xx**2 <= grow**2)


def preparation_steps(img) -> list[tuple[str, np.ndarray]]:
    """Each step of prepare_digit as a uint8 picture, for `predict --show`: the picture in grey,
    the digit found in it (the picture itself when there was nothing around it to take away, or
    when no digit could be told from it: the finder fell back to the plain path, and says so), its
    ink light on dark cropped to its box, and the 28×28 input."""
    grey = _shrink(to_array(img, 1).astype(np.float32), 1024)
    what, found = finding(grey)
    strokes = digit_strokes(img)
    steps = [
        ("picture", grey),
        (what, grey if found is None else found[0]),
        ("ink, cropped", np.zeros((1, 1)) if strokes is None else strokes[0]),
        ("input", prepare_digit(img)),
    ]
    return [(name, np.clip(np.rint(step), 0, 255).astype(np.uint8)) for name, step in steps]
