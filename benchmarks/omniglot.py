"""Omniglot's real handwritten characters (Lake et al., 2015; MIT licence), split by alphabet: a
part that may teach the unknown-input check, and a part kept for measuring it.

The split is fixed: Greek, Korean and Latin (1,800 characters) may be used in training, Balinese
and Early Aramaic (920) only for measuring, so no measured character's alphabet was ever seen.
Latin and Greek are the letters written beside digits on forms and plates, what the check most
needs to know; Korean adds strokes of another kind. `python -m benchmarks.unknown_input MODEL`
measures the check on the measuring part.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np

ZIP = "../shared/data/omniglot/images_background_small1.zip"
TRAINING = ("Greek", "Korean", "Latin")
MEASURING = ("Balinese", "Early_Aramaic")


def characters(zip_path: str | Path, alphabets, leave_out=()) -> tuple[list, list[str]]:
    """The characters of `alphabets` as Pillow pictures (black on white, 105 × 105), read straight
    from the zip, in the order of their names, less those `leave_out` names; and the names."""
    from PIL import Image

    with zipfile.ZipFile(zip_path) as z:
        names = sorted(
            n
            for n in z.namelist()
            if n.endswith(".png")
            and n.split("/")[1] in alphabets
            and "/".join(n.split("/")[1:3]) not in leave_out
        )
        return [Image.open(io.BytesIO(z.read(n))).convert("L") for n in names], names


def prepared(zip_path: str | Path, alphabets, leave_out=()) -> np.ndarray:
    """The characters prepared as a digit model prepares a picture: uint8 (N, 28, 28)."""
    from neuroflow.data.pictures.digits import prepare_digit

    return np.stack([prepare_digit(p) for p in characters(zip_path, alphabets, leave_out)[0]])
