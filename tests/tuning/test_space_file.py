"""neuroflow.tuning.space_file: a user's space is read and every entry checked, errors naming the
file and the fix."""

from __future__ import annotations

import pytest

from neuroflow.errors import UsageError
from neuroflow.models.recipes import resolve_model
from neuroflow.tuning.space import Param, build_space, default_space
from neuroflow.tuning.space_file import read_space


def spec(name):
    return resolve_model(name, "table", "x")


def test_user_space_pins_narrows_and_lists_choices():
    space = read_space(
        {
            "lr": {"low": "1e-4", "high": 0.01, "log": True},
            "batch_size": [16, 32.0],
            "epochs": 5,
            "optimizer": ["Adam", "sgd"],
        }
    )
    assert space["lr"] == Param(
        "lr", low=0.0001, high=0.01, log=True
    )  # PyYAML reads 1e-4 as text; it still counts
    assert space["batch_size"].choices == (16, 32)
    assert space["epochs"].pinned and space["epochs"].value == 5
    assert space["optimizer"].choices == ("adam", "sgd")
    full = build_space(spec("iris-mlp"), space)
    assert full["units"] == default_space(spec("iris-mlp"))["units"] and full["epochs"].value == 5


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"learning_rate": 0.1}, "unknown parameter 'learning_rate'"),
        ({"lr": {"low": 0.1, "high": 0.001}}, "low 0.1 above high 0.001"),
        ({"batch_size": 8.5}, "must be a whole number"),
        ({"lr": "fast"}, "must be a number, not 'fast'. Write a plain number such as 0.001"),
        ({"batch_size": "many"}, "must be a number, not 'many'. Write a plain number such as 32"),
        ({"lr": {"low": 0, "high": 0.1, "log": True}}, "out of range"),
        ({"units": {"low": 0, "high": 8, "log": True}}, "out of range"),
        ({"epochs": {"low": 1, "high": 8, "max": 9}}, "unknown key(s) max"),
        ({"epochs": {"low": 1}}, "needs both low and high"),
        ({"dropout": 1.0}, "out of range"),
        ({"optimizer": ["adam", "lbfgs"]}, "'lbfgs' is not an optimizer"),
        ({"optimizer": {"low": 1, "high": 2}}, "cannot be a range"),
        ({"batch_size": []}, "empty list"),
        ({"lr": {"low": 0.1, "high": 1, "log": "yes"}}, "log must be true or false"),
        ([1, 2], "a space is a mapping"),
    ],
)
def test_bad_spaces_say_what_is_wrong(entry, words):
    with pytest.raises(UsageError) as err:
        read_space(entry)
    assert words in str(err.value)
    assert "\n" not in str(err.value)


def test_space_file_errors_name_the_file(tmp_path):
    path = tmp_path / "space.yaml"
    path.write_text("lr: {low: 0.1, high: 0.01}\n")
    with pytest.raises(UsageError, match="^space.yaml: lr has low"):
        read_space(path)
    path.write_text("lr: [0.1\n")
    with pytest.raises(UsageError, match="cannot read space file"):
        read_space(path)
    with pytest.raises(UsageError, match="not found"):
        read_space(tmp_path / "missing.yaml")
