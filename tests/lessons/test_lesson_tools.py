"""The helpers every lesson uses: fast mode, the exercise checks, one-line errors, the command
line."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

import neuroflow as nf

LESSONS = Path(__file__).resolve().parents[2] / "lessons"


@pytest.fixture
def lt(monkeypatch):
    monkeypatch.syspath_prepend(str(LESSONS))
    sys.modules.pop("lesson_tools", None)
    return importlib.import_module("lesson_tools")


def test_fast_mode_follows_the_environment(lt, monkeypatch):
    monkeypatch.setenv("NEUROFLOW_LESSON_FAST", "1")
    assert importlib.reload(lt).FAST and lt.pick(3, 1) == 1
    monkeypatch.setenv("NEUROFLOW_LESSON_FAST", "0")
    assert not importlib.reload(lt).FAST and lt.pick(3, 1) == 3


def test_a_placeholder_is_not_an_answer(lt, capsys):
    assert not lt.answered(...)
    assert not lt.answered({1: "suits", 2: ...})
    assert not lt.answered([(28, 28, ...)][0])
    assert "✗ not yet: replace the ... with your answer" in capsys.readouterr().out
    assert lt.answered(0) and lt.answered([1, 2])


def test_check_says_right_or_not_yet_with_the_hint(lt, capsys):
    lt.check(True, "1.25 it is", "unused")
    lt.check(False, "unused", "add the bias")
    assert capsys.readouterr().out.splitlines() == [
        "✓ right: 1.25 it is",
        "✗ not yet: add the bias",
    ]
    assert lt.close(1.2501, 1.25) and not lt.close("x", 1.25) and not lt.close(1.3, 1.25)


def test_nf_says_prints_the_one_line(lt, capsys):
    with lt.nf_says() as said:
        nf.neuron_output([1], [1, 2])
    assert said.line == "1 inputs but 2 weights. Give one weight per input."
    assert capsys.readouterr().out == f"neuroflow says: {said.line}\n"
    with lt.nf_says() as said:
        pass
    assert said.line is None


def test_a_failing_command_stops_with_its_own_message(lt, tmp_path):
    assert "1.25" in lt.output("neuron --inputs 0 0.5 1 --weights -1 -0.5 0.5 --bias 1")
    with pytest.raises(
        nf.NeuroflowError,
        match=r"^unknown kernel 'sharpness'.*\(`neuroflow convolve` ended with exit status 2\)\.$",
    ):
        lt.output(f"convolve {tmp_path / 'x.png'} --kernel sharpness --out {tmp_path / 'y.png'}")


def test_drawn_pictures_are_pictures(lt, tmp_path):
    from PIL import Image

    digit = Image.open(lt.draw_digit(7, tmp_path / "7.png"))
    dog = Image.open(lt.draw_dog(tmp_path / "dog.png"))
    assert digit.size == (240, 240) and dog.size == (320, 240)
    grey = digit.convert("L")
    assert grey.getpixel((5, 5)) > 150  # light paper around dark ink
    assert grey.getextrema()[0] < 100
