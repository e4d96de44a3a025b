"""Finding the digit in a photo of its surroundings before it is cropped: a frame or the paper's
edge around it, ruled or squared paper under it, a light digit on a dark house-number plaque.

The ink is binarised both ways (dark on light, light on dark); long ruled lines are taken out;
parts touching the picture's border, filled blobs (a plaque, the paper inside a frame) and frames
enclosing other ink are dropped; the most digit-like part, with the pieces near it, is kept on
plain paper. A picture with nothing to drop is left exactly as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LINE_SPAN = 0.85  # a ruled line runs across most of the picture; a digit's bar does not
# a frame runs around most of the picture; an MNIST digit spans at most 20 of its 28 pixels
FRAME_SPAN = 0.8
CLOSED = 0.85  # a frame runs along at least this share of each side of its box
PLATE_FILL = 0.9  # a plaque, holes filled, covers this share of its box at least (slightly skewed)
NEAR = 0.3  # pieces within this share of the digit's size of its box belong to it


@dataclass
class Found:
    """One polarity's reading: the digit's mask (None if none), the ruled lines' mask, and whether
    there is context worth taking away (lines, a frame, the border's surroundings, a plaque)."""

    digit: np.ndarray | None
    lines: np.ndarray
    context: bool


NOTHING_AROUND = "nothing around it"  # the picture is one mark on plain paper
FOUND = "digit found"
FELL_BACK = "fell back: plain path"  # context found, but no digit told from it


def find_digit(grey: np.ndarray) -> tuple[np.ndarray, Found] | None:
    """A grey picture → the same picture with only the digit on plain paper, cropped around it,
    and what was found; None when there is no frame, line, border or plaque to take away, or no
    digit could be told from them (the plain path then prepares the picture as it is)."""
    return finding(grey)[1]


def finding(grey: np.ndarray) -> tuple[str, tuple[np.ndarray, Found] | None]:
    """What the finder did (NOTHING_AROUND, FOUND or FELL_BACK), and find_digit's answer."""
    if min(grey.shape) < 16:
        return NOTHING_AROUND, None
    dark_ink = paper_is_light(grey)
    found = _read(grey, dark_ink)
    if found is None or not found.context:
        return NOTHING_AROUND, None  # nothing but the digit: the usual preparation sees the same
    if found.digit is None:  # a light digit on a dark plaque on a light wall, or the reverse
        dark_ink = not dark_ink
        found = _read(grey, dark_ink)
        if found is None or found.digit is None:
            return FELL_BACK, None
    return FOUND, (_on_plain_paper(grey, found, dark_ink), found)


def paper_is_light(grey: np.ndarray) -> bool:
    """Whether the ink is darker than the paper, which is what the picture's border mostly shows:
    the ink differs most from the paper by being darker."""
    if grey.size == 0:
        return True  # no paper to read: the usual case
    h, w = grey.shape
    ring = max(1, round(0.04 * min(h, w)))
    border = np.concatenate(
        [grey[:ring].ravel(), grey[-ring:].ravel(), grey[:, :ring].ravel(), grey[:, -ring:].ravel()]
    )
    paper = float(np.median(border))
    return paper - grey.min() > grey.max() - paper


def _otsu(values: np.ndarray) -> float:
    """The level that splits values into two classes with the least spread within each."""
    hist = np.bincount(np.clip(values.ravel(), 0, 255).astype(np.int64), minlength=256)
    p = hist / hist.sum()
    omega, mu = np.cumsum(p), np.cumsum(p * np.arange(256))
    between = (mu[-1] * omega - mu) ** 2 / np.maximum(omega * (1 - omega), 1e-12)
    return float(np.argmax(between[:-1]))


def _read(grey: np.ndarray, dark_ink: bool) -> Found | None:
    """The digit in one polarity: ink above Otsu's level, lines and surroundings dropped."""
    from scipy import ndimage

    ink = 255 - grey if dark_ink else grey
    # rules are printed fainter than the pen: anything clearly darker than the paper may be one
    lines = _ruled_lines(ink > float(np.median(ink)) + 25)
    if lines.any():  # the pen's level, split from the paper's with the rules left out
        rule = float(np.median(ink[lines]))
        lines = ndimage.binary_dilation(lines)
        level = _otsu(ink[~lines])
        pen = ink[~lines & (ink > level)]
        if pen.size:  # where the pen crosses a rule it is darker than the rule: not a rule there
            lines &= ink < (rule + float(np.median(pen))) / 2
    else:
        level = _otsu(ink)
    if ink.max() - level < 20:
        return None
    mask = (ink > level) & ~lines
    labels, count = ndimage.label(mask)
    if count == 0:
        return Found(None, lines, bool(lines.any()))
    boxes = ndimage.find_objects(labels)
    sizes = ndimage.sum(mask, labels, np.arange(1, count + 1))
    context = lines.any() or any(
        _context_like(labels.shape, i, boxes, sizes, labels) for i in range(count)
    )
    candidates = [i for i in range(count) if _digit_like(labels, i, boxes, sizes)]
    if not candidates:
        return Found(None, lines, bool(context))
    main = max(candidates, key=lambda i: sizes[i])
    group = [i for i in candidates if _near(boxes[i], boxes[main])]
    return Found(np.isin(labels, np.asarray(group) + 1), lines, bool(context))


def _context_like(shape, i: int, boxes, sizes, labels: np.ndarray) -> bool:
    """Surroundings, surely not part of a digit: ink along most of the border, a large filled
    plate with ink of the other shade in it, or a closed frame with other ink inside."""
    h, w = shape
    rows, cols = boxes[i]
    bh, bw = rows.stop - rows.start, cols.stop - cols.start
    touches = rows.start == 0 or cols.start == 0 or rows.stop == h or cols.stop == w
    if touches and (bh >= FRAME_SPAN * h or bw >= FRAME_SPAN * w):
        return True  # a table, shadow or wall beyond the paper's edge
    if bh >= 0.5 * h and bw >= 0.5 * w and sizes[i] / (bh * bw) > 0.75:
        # a plaque, or the paper inside a frame
        return _plate(labels[boxes[i]] == i + 1, labels[boxes[i]] > 0)
    return bh >= FRAME_SPAN * h and bw >= FRAME_SPAN * w and _frame(labels, i, boxes, sizes)


def _frame(labels: np.ndarray, i: int, boxes, sizes) -> bool:
    """A closed or nearly closed border around other ink of some size."""
    return _closed(labels[boxes[i]] == i + 1) and any(
        j != i and sizes[j] >= 0.1 * sizes[i] and _inside(boxes[j], boxes[i])
        for j in range(len(boxes))
    )


def _closed(part: np.ndarray) -> bool:
    """Whether a part runs along nearly all of its box's outline, as a frame does (a drawn 0 or
    a letter's loop touches its box in a few places only)."""
    band = max(2, round(0.06 * min(part.shape)))
    sides = [part[:band].any(0), part[-band:].any(0), part[:, :band].any(1), part[:, -band:].any(1)]
    return min(float(side.mean()) for side in sides) >= CLOSED


def _plate(part: np.ndarray, ink: np.ndarray) -> bool:
    """A plate with a digit showing through it: filled out to its box (a thick letter's outline
    is not that square), with a hole drawn in strokes a good part of its height (a thick letter's
    counters are small round gaps). `ink` is all the ink in the plate's box."""
    from scipy import ndimage

    whole = ndimage.binary_fill_holes(part)
    if whole.mean() < PLATE_FILL:
        return False
    holes, count = ndimage.label(whole & ~ink)
    for k, box in enumerate(ndimage.find_objects(holes)):
        tall = box[0].stop - box[0].start
        long = max(tall, box[1].stop - box[1].start)
        if tall >= 0.25 * part.shape[0] and _thickness(holes[box] == k + 1) <= 0.25 * long:
            return True
    return False


def _ruled_lines(mask: np.ndarray) -> np.ndarray:
    """Pixels on horizontal or vertical runs across most of the picture that reach its edge: a
    rule goes on beyond what the picture shows; a digit's bar, however long, stops short of it."""
    from scipy import ndimage

    h, w = mask.shape
    across = ndimage.binary_opening(mask, structure=np.ones((1, round(LINE_SPAN * w)), bool))
    down = ndimage.binary_opening(mask, structure=np.ones((round(LINE_SPAN * h), 1), bool))
    lines = np.zeros_like(mask)
    for runs, axis, side in ((across, 1, w), (down, 0, h)):
        labels, _ = ndimage.label(runs)
        for k, box in enumerate(ndimage.find_objects(labels)):
            if box[axis].start == 0 or box[axis].stop == side:
                lines |= labels == k + 1
    return lines


def _digit_like(labels: np.ndarray, i: int, boxes, sizes) -> bool:
    """Strokes away from the border, not a filled blob, not a frame around other ink."""
    h, w = labels.shape
    rows, cols = boxes[i]
    bh, bw = rows.stop - rows.start, cols.stop - cols.start
    if rows.start == 0 or cols.start == 0 or rows.stop == h or cols.stop == w:
        return False  # the paper's edge, a shadow, the wall around a plaque, a cut-off line
    if bh < 0.1 * h or sizes[i] < 0.001 * h * w:
        return False  # a speck
    fill = sizes[i] / (bh * bw)
    if fill > 0.7 and min(bh, bw) > 0.4 * max(bh, bw):
        return False  # a filled blob: a plaque, a patch of paper, a smudge
    if _thickness(labels[boxes[i]] == i + 1) > 0.25 * max(bh, bw):
        return False  # too thick for a pen stroke: a band of paper between ruled lines
    return not _frame(labels, i, boxes, sizes)  # a frame: other ink of some size lies inside it


def _thickness(part: np.ndarray) -> float:
    """A part's width across: its area over half its outline."""
    from scipy import ndimage

    outline = part & ~ndimage.binary_erosion(part)
    return 2 * part.sum() / max(outline.sum(), 1)


def _inside(inner, outer) -> bool:
    return all(o.start < n.start and n.stop < o.stop for n, o in zip(inner, outer, strict=True))


def _near(box, main) -> bool:
    """Whether `box` lies within the main part's box grown by NEAR of its size."""
    grown = []
    for s in main:
        pad = NEAR * (s.stop - s.start)
        grown.append(slice(s.start - pad - 1, s.stop + pad + 1))
    return _inside(box, grown)


def _on_plain_paper(grey: np.ndarray, found: Found, dark_ink: bool) -> np.ndarray:
    """The digit's pixels (and a little soft edge, without the rules) on paper of one level, in a
    box with a margin of a quarter of its size."""
    from scipy import ndimage

    h, w = grey.shape
    grow = max(2, round(0.015 * min(h, w)))
    keep = ndimage.binary_dilation(found.digit, iterations=grow) & ~found.lines
    rows, cols = np.flatnonzero(keep.any(1)), np.flatnonzero(keep.any(0))
    y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    around = ndimage.binary_dilation(keep, iterations=grow) & ~keep & ~found.lines
    paper = float(np.median(grey[around])) if around.any() else (255.0 if dark_ink else 0.0)
    clean = np.where(keep, grey, paper)[y0:y1, x0:x1]
    pad = max(y1 - y0, x1 - x0) // 4
    return np.pad(clean, pad, constant_values=paper).astype(np.float32)
