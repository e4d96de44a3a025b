import hashlib

import numpy as np

from neuroflow.data.made_up import card_inputs
from neuroflow.data.made_up.unknown_inputs import render, unknown_inputs, write_card_letters


def test_the_card_letters_are_the_shipped_file_checked_by_its_sha256():
    assert hashlib.sha256(card_inputs.FILE.read_bytes()).hexdigest() == card_inputs.SHA256
    letters = unknown_inputs("letters", card_inputs.COUNT, seed=card_inputs.SEED)
    assert letters.shape == (1000, 28, 28) and letters.dtype == np.uint8
    assert 5 < letters.mean() < 120  # light strokes on dark, like MNIST, not blank or white
    with np.load(card_inputs.FILE) as archive:
        assert np.array_equal(letters, archive["letters"])


def test_other_requests_and_a_damaged_file_render_the_pictures(tmp_path, monkeypatch):
    assert card_inputs.shipped("letters", 999, card_inputs.SEED) is None
    assert card_inputs.shipped("shapes", card_inputs.COUNT, card_inputs.SEED) is None
    damaged = tmp_path / "card_letters.npz"
    data = bytearray(card_inputs.FILE.read_bytes())
    data[-1] ^= 0xFF
    damaged.write_bytes(bytes(data))
    monkeypatch.setattr(card_inputs, "FILE", damaged)
    assert card_inputs.shipped("letters", card_inputs.COUNT, card_inputs.SEED) is None
    few = unknown_inputs("letters", 5, seed=card_inputs.SEED)
    assert np.array_equal(few, render("letters", 5, seed=card_inputs.SEED))


def test_writing_the_file_gives_its_sha256_and_the_rendered_pictures(tmp_path):
    out = tmp_path / "letters.npz"
    digest = write_card_letters(out, count=20)
    assert digest == hashlib.sha256(out.read_bytes()).hexdigest()
    with np.load(out) as archive:
        assert np.array_equal(archive["letters"], render("letters", 20, seed=card_inputs.SEED))


def test_noise_is_the_same_for_the_same_seed_and_has_each_kind():
    a, b = unknown_inputs("noise", 8, seed=3), unknown_inputs("noise", 8, seed=3)
    assert np.array_equal(a, b) and a.dtype == np.uint8
    salt = a[2::4]
    assert set(np.unique(salt)) <= {0, 255}  # the third kind is salt: only black and white
    assert not np.array_equal(a, unknown_inputs("noise", 8, seed=4))
