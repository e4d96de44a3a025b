"""neuroflow.data.pictures.digit_finding: a digit photographed in its surroundings is found before
it is cropped, and a picture with nothing around its digit is prepared exactly as before."""

from __future__ import annotations

import gzip
import importlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from neuroflow.data.made_up.synth_context import CONTEXTS, digits_in_context
from neuroflow.data.pictures.digit_finding import find_digit
from neuroflow.data.pictures.digits import prepare_digit
from tests.images import drawn_four


def _framed(img):
    ImageDraw.Draw(img).rectangle([25, 25, 875, 575], outline=(20, 20, 20), width=10)
    return img


def _ruled(img, squared=False):
    paper = Image.new("RGB", img.size, (235, 230, 220))
    draw = ImageDraw.Draw(paper)
    for y in range(12, img.height, 36):
        draw.line([(0, y), (img.width, y)], fill=(150, 160, 190), width=3)
    for x in range(12, img.width, 36) if squared else ():
        draw.line([(x, 0), (x, img.height)], fill=(150, 160, 190), width=3)
    return Image.fromarray(np.minimum(np.asarray(paper), np.asarray(img)))  # the pen on top


def _plaque(img):
    wall = Image.new("RGB", (1300, 1000), (205, 200, 190))
    wall.paste(drawn_four(paper=(35, 35, 40), ink=(245, 240, 230)), (200, 200))
    return wall


def _shadowed(img):
    arr = np.asarray(img, np.float32)
    arr[:, :120] *= np.linspace(0.15, 1, 120)[None, :, None]  # the table beyond the paper's edge
    arr[:90] *= np.linspace(0.2, 1, 90)[:, None, None]
    return Image.fromarray(arr.astype(np.uint8))


@pytest.mark.parametrize(
    "surround",
    [_framed, _ruled, lambda img: _ruled(img, squared=True), _plaque, _shadowed],
    ids=["framed", "lined", "squared", "plaque", "shadowed"],
)
def test_a_digit_in_its_surroundings_is_prepared_like_the_bare_digit(surround):
    bare = prepare_digit(drawn_four()).astype(float)
    seen = prepare_digit(surround(drawn_four())).astype(float)
    assert np.corrcoef(bare.ravel(), seen.ravel())[0, 1] > 0.9


def test_mnist_digits_have_nothing_around_them_to_take_away(mnist_dir):
    raw = gzip.decompress((mnist_dir / "t10k-images-idx3-ubyte.gz").read_bytes())
    digits = np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 28, 28)[:500]
    assert all(find_digit(d.astype(np.float32)) is None for d in digits)


def test_a_plain_drawing_is_left_as_it_is():
    grey = np.asarray(drawn_four(mode="L"), np.float32)
    assert find_digit(grey) is None


def test_generated_digits_in_context_are_balanced_and_repeatable():
    for kind in CONTEXTS:
        images, labels = digits_in_context(kind, 10, seed=4)
        again, _ = digits_in_context(kind, 10, seed=4)
        assert sorted(labels.tolist()) == list(range(10)) and images[0].mode == "L"
        assert np.array_equal(np.asarray(images[3]), np.asarray(again[3]))
    with pytest.raises(ValueError, match="known: framed"):
        digits_in_context("napkin", 1)


def test_preparation_steps_show_the_digit_found_then_the_input(tmp_path):
    from neuroflow.data.pictures.digits import preparation_steps
    from neuroflow.inference.tables import _steps

    framed = _framed(drawn_four())
    steps = preparation_steps(framed)
    assert [name for name, _ in steps] == ["picture", "digit found", "ink, cropped", "input"]
    assert np.array_equal(steps[-1][1], prepare_digit(framed))
    found = steps[1][1]
    assert found.shape[0] < steps[0][1].shape[0] and found.min() < 100  # cropped to the dark 4
    assert preparation_steps(drawn_four())[1][0] == "nothing around it"
    framed.save(tmp_path / "4.png")
    drawn_four().save(tmp_path / "plain.png")
    tiles, captions = _steps([tmp_path], ["4.png\n4 99%", "plain.png\n4 98%"])
    assert tiles.shape == (8, 56, 56, 1) and captions[:4] == [
        "4.png\npicture",
        "digit found",
        "ink, cropped",
        "4.png\n4 99%",
    ]


def test_surroundings_without_a_digit_fall_back_to_the_plain_path_and_say_so():
    from neuroflow.data.pictures.digit_finding import FELL_BACK
    from neuroflow.data.pictures.digits import preparation_steps

    lined = _ruled(Image.new("RGB", (600, 400), (255, 255, 255)))  # ruled paper, nothing on it
    steps = preparation_steps(lined)
    assert steps[1][0] == FELL_BACK == "fell back: plain path"
    assert np.array_equal(steps[1][1], steps[0][1])  # the picture as it is goes on
    assert np.array_equal(prepare_digit(lined), prepare_digit(lined, find=False))


@pytest.mark.parametrize("digit", [3, 8, 0])
def test_the_lessons_hand_drawn_digits_are_prepared_whole(digit, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[3] / "lessons"))
    lt = importlib.import_module("lesson_tools")
    picture = Image.open(lt.draw_digit(digit, tmp_path / f"{digit}.png", slant=-3))
    grey = np.asarray(picture.convert("L"), np.float32)
    assert find_digit(grey) is None  # a grey digit on white paper: nothing to take away
    assert np.array_equal(prepare_digit(picture), prepare_digit(picture, find=False))
