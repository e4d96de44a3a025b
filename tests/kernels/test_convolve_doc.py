"""docs/convolve.md's worked example cannot drift: the picture a digits model sees is still the one
kept beside the page, and `convolve --explain` still prints what the page quotes for it."""

from __future__ import annotations

import re

import numpy as np
from PIL import Image

from tests.conftest import REPO

DOC = REPO / "docs" / "convolve.md"
KEPT = REPO / "docs" / "convolve-example"
# what `neuroflow train digits` records for its pictures (config.json's preprocessing)
DIGITS = {"type": "image", "height": 8, "width": 8, "channels": 1, "prepare": "digit-counts"}


def test_the_eight_is_still_prepared_into_the_kept_input(tmp_path):
    from sklearn.datasets import load_digits

    from neuroflow.data.pictures.prepare import prepare_for_model

    assert "load_digits().images[1796] * 255 / 16" in DOC.read_text()  # the page's eight.png
    eight = np.rint(load_digits().images[1796] * 255 / 16).astype(np.uint8)
    Image.fromarray(eight).save(tmp_path / "eight.png")
    seen = prepare_for_model(tmp_path / "eight.png", DIGITS)[..., 0]
    assert np.array_equal(seen, np.asarray(Image.open(KEPT / "input.png").convert("L")))


def test_the_worked_example_is_what_convolve_prints(cli):
    text = DOC.read_text()
    section = text[text.index("### The same arithmetic, by hand") :]
    command, printed = re.findall(r"```\n(.*?)```", section, re.S)[:2]
    args = command.split()[1:]
    args[1] = str(KEPT / "input.png")
    args[args.index("--kernel") + 1] = str(KEPT / "kernel_06.csv")
    res = cli(*args)
    assert res.code == 0, res.output
    assert res.out.strip() == printed.strip()
