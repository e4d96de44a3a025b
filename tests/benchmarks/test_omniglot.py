"""benchmarks.omniglot: the split by alphabet is fixed, and its characters are prepared as a digit
model prepares a picture."""

from __future__ import annotations

import numpy as np
from benchmarks.omniglot import MEASURING, TRAINING, characters, prepared


def test_no_alphabet_is_in_both_parts(omniglot_zip):
    assert not set(TRAINING) & set(MEASURING)
    measuring, names = characters(omniglot_zip, MEASURING)
    assert len(measuring) == 920 and all(n.split("/")[1] in MEASURING for n in names)


def test_the_training_part_is_prepared_as_digits(omniglot_zip):
    from neuroflow.data.pictures.digits import prepare_digit

    pictures, names = characters(omniglot_zip, TRAINING)
    assert len(pictures) == 1800 and all(n.split("/")[1] in TRAINING for n in names)
    strokes = prepared(omniglot_zip, ("Latin",))
    assert strokes.shape[1:] == (28, 28) and strokes.dtype == np.uint8
    latin, _ = characters(omniglot_zip, ("Latin",))
    assert np.array_equal(strokes[5], prepare_digit(latin[5]))
