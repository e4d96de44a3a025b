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
