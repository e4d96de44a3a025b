"""A picture of one digit prepared as scikit-learn's 8×8 `digits` were made (UCI optdigits): the
ink as a 32×32 bitmap it fills top to bottom, counted in 4×4 blocks, each count 0..16 → 0..255.
"""

from __future__ import annotations

import numpy as np

BITMAP, BLOCK = 32, 4  # NIST's normalised 32×32 bitmaps, counted in 4×4 blocks → 8×8
MIN_WIDTH = 20  # a narrow digit (a 1) is widened to this: in the data even 1s span ~5 of 8 blocks
INK_SHARE = 0.30  # the share of bitmap pixels that are ink, alike for every digit in the data


def prepare_digit_counts(img) -> np.ndarray:
    """A picture of one digit → uint8 (8, 8) like a `digits` image: polarity, cropped to the ink,
    filling the bitmap's height, centred, strokes as bold as the data's, counted in blocks."""
    from neuroflow.data.pictures.digits import digit_strokes

    strokes = digit_strokes(img)
    side = BITMAP // BLOCK
    if strokes is None:
        return np.zeros((side, side), np.uint8)
    bitmap = _embolden(_bitmap(strokes[1]))
    counts = bitmap.reshape(side, BLOCK, side, BLOCK).sum(axis=(1, 3))
    return np.rint(counts * (255 / BLOCK**2)).astype(np.uint8)


def _bitmap(mask: np.ndarray) -> np.ndarray:
    """The ink's mask fitted in BITMAP × BITMAP: full height (or full width if wider than tall),
    at least MIN_WIDTH wide, centred."""
    from PIL import Image

    h, w = mask.shape
    scale = BITMAP / max(h, w)
    height = max(1, round(h * scale))
    width = min(BITMAP, max(round(w * scale), MIN_WIDTH if h >= w else 1))
    small = Image.fromarray(mask.astype(np.float32), "F").resize((width, height), Image.BILINEAR)
    out = np.zeros((BITMAP, BITMAP), bool)
    top, left = (BITMAP - height) // 2, (BITMAP - width) // 2
    out[top : top + height, left : left + width] = np.asarray(small) >= 0.5
    return out


def _embolden(bitmap: np.ndarray) -> np.ndarray:
    """Thicken thin strokes (or thin bold ones) a pixel at a time until about INK_SHARE of the
    bitmap is ink, as in the data, where a 1 holds as much ink as an 8."""
    from scipy import ndimage

    step = ndimage.binary_dilation if bitmap.mean() < INK_SHARE else ndimage.binary_erosion
    for _ in range(6):
        changed = step(bitmap)
        if not changed.any() or abs(changed.mean() - INK_SHARE) >= abs(bitmap.mean() - INK_SHARE):
            break  # a step that overshoots further than where we are, or wipes the digit out
        bitmap = changed
    return bitmap
