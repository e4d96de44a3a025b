"""benchmarks.omniglot: the split by alphabet is fixed, and the shipped real strokes are its
training part prepared as digits (the file `python -m benchmarks.omniglot` writes)."""

from __future__ import annotations

import numpy as np
from benchmarks.omniglot import DIGIT_LIKE, MEASURING, SHIPPED, TRAINING, characters


def test_no_alphabet_is_in_both_parts(omniglot_zip):
    assert not set(TRAINING) & set(MEASURING)
    measuring, names = characters(omniglot_zip, MEASURING)
    assert len(measuring) == 920 and all(n.split("/")[1] in MEASURING for n in names)


def test_the_shipped_strokes_are_the_training_part_prepared(omniglot_zip):
    from neuroflow.data.pictures.digits import prepare_digit

    pictures, names = characters(omniglot_zip, TRAINING, DIGIT_LIKE)
    with np.load(SHIPPED) as archive:
        strokes, alphabets = archive["strokes"], archive["alphabets"]
    assert len(strokes) == len(pictures) == 1620 and tuple(alphabets) == TRAINING
    for i in (0, 777, 1619):
        assert np.array_equal(strokes[i], prepare_digit(pictures[i]))
