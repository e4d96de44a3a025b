import math

import pytest

from neuroflow.errors import UsageError
from neuroflow.neuron import neuron_output


def test_lesson_exercise_gives_1_25():
    result = neuron_output([0, 0.5, 1], [-1, -0.5, 0.5], bias=1, activation="relu")
    assert result.products == (0.0, -0.25, 0.5)
    assert result.weighted_sum == 0.25
    assert result.output == 1.25


@pytest.mark.parametrize(
    ("activation", "expected"),
    [
        ("relu", 0.0),
        ("linear", -0.5),
        ("step", 0.0),
        ("sigmoid", 1 / (1 + math.exp(0.5))),
        ("tanh", math.tanh(-0.5)),
    ],
)
def test_activations(activation, expected):
    assert neuron_output([1], [-1], bias=0.5, activation=activation).output == pytest.approx(
        expected
    )


def test_mismatched_lengths_are_refused():
    with pytest.raises(UsageError, match="3 inputs but 2 weights"):
        neuron_output([1, 2, 3], [1, 2])


def test_cli_prints_the_arithmetic(cli):
    res = cli(
        "neuron",
        "--inputs",
        "0",
        "0.5",
        "1",
        "--weights",
        "-1",
        "-0.5",
        "0.5",
        "--bias",
        "1",
        "--activation",
        "relu",
    )
    assert res.code == 0
    assert "0.25 + 1 = 1.25" in res.out
    assert "max(1.25, 0) = 1.25" in res.out
    assert res.out.strip().endswith("Neuron output = 1.25")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--inputs", "0", "1", "--weights", "1"], "2 inputs but 1 weights"),
        (["--inputs", "x", "--weights", "1"], "not a number"),
        (["--inputs", "1", "--weights", "1", "--activation", "bogus"], "unknown activation"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(cli, args, message):
    res = cli("neuron", *args)
    assert res.code == 2
    assert message in res.err
    assert len(res.err.strip().splitlines()) == 1
    assert "Traceback" not in res.output
