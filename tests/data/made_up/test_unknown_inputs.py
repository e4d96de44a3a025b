"""Made-up unknown inputs: every kind has the documented shape, is seeded, and an unknown kind
lists the known ones."""

from __future__ import annotations

import numpy as np
import pytest

from neuroflow.data.made_up.unknown_inputs import (
    KINDS,
    LETTERS,
    SYMBOLS,
    unknown_inputs,
)
from neuroflow.errors import UsageError


def test_letters_and_symbols_leave_out_digit_lookalikes():
    assert set(LETTERS).isdisjoint("OoQDIlSsZzBbGgq0123456789")
    assert set(SYMBOLS).isdisjoint("|/\\()[]0123456789")


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_of_unknown_input(kind):
    x = unknown_inputs(kind, 12, seed=2)
    assert x.shape == (12, 28, 28) and x.dtype == np.uint8
    assert np.array_equal(x, unknown_inputs(kind, 12, seed=2))
    if kind != "blank":
        assert x.reshape(12, -1).std(1).min() > 0  # not flat
        assert not np.array_equal(x, unknown_inputs(kind, 12, seed=5))
    else:
        assert (x.reshape(12, -1).std(1) == 0).all()


def test_typed_unknown_inputs_are_prepared_like_mnist():
    for x in (unknown_inputs("letters", 6, seed=0), unknown_inputs("symbols", 6, seed=0)):
        assert (x.max(axis=(1, 2)) == 255).all() and (
            x[:, 0, :] == 0
        ).all()  # ink on black, margin kept


def test_scrambled_keeps_each_digits_pixels_but_not_its_shape():
    digits = np.zeros((2, 28, 28), np.uint8)
    digits[:, 6:22, 12:16] = 255  # two bars
    x = unknown_inputs("scrambled", 4, seed=0, digits=digits)
    assert np.array_equal(
        np.sort(x.reshape(4, -1), 1), np.sort(np.repeat(digits, 2, 0).reshape(4, -1), 1)
    )
    assert not any(np.array_equal(s, digits[0]) for s in x)


def test_an_unknown_kind_lists_the_kinds():
    with pytest.raises(
        UsageError,
        match="unknown kind of unknown input 'cats'. Choose one of: "
        "letters, symbols, noise, blank, shapes, scrambled",
    ):
        unknown_inputs("cats", 3)
