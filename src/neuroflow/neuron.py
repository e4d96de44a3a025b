"""The lesson's single neuron: a weighted sum of inputs, plus a bias, through an activation.

Pure Python on purpose: it is the arithmetic a learner does on paper, shown step by step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from neuroflow.errors import UsageError

ACTIVATIONS: dict[str, tuple[Callable[[float], float], str]] = {
    "relu": (lambda z: max(z, 0.0), "max({z}, 0)"),
    "sigmoid": (
        lambda z: 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z)),
        "1 / (1 + e^-({z}))",
    ),
    "tanh": (math.tanh, "tanh({z})"),
    "linear": (lambda z: z, "{z}"),
    "step": (lambda z: 1.0 if z >= 0 else 0.0, "1 if {z} >= 0 else 0"),
}


@dataclass(frozen=True)
class NeuronResult:
    inputs: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    activation: str
    products: tuple[float, ...]
    weighted_sum: float
    pre_activation: float
    output: float

    def steps(self) -> list[str]:
        """The lesson's worked arithmetic, one line per step."""
        terms = " + ".join(
            f"{_fmt(x)} * ({_fmt(w)})" if w < 0 else f"{_fmt(x)} * {_fmt(w)}"
            for x, w in zip(self.inputs, self.weights, strict=True)
        )
        products = " + ".join(f"({_fmt(p)})" if p < 0 else _fmt(p) for p in self.products)
        formula = ACTIVATIONS[self.activation][1].format(z=_fmt(self.pre_activation))
        return [
            f"Products:           {terms}",
            f"                  = {products}",
            f"Weighted sum:       {_fmt(self.weighted_sum)}",
            f"Add the bias:       {_fmt(self.weighted_sum)} + {_fmt(self.bias)} = "
            f"{_fmt(self.pre_activation)}",
            f"Activation {self.activation + ':':8s} {formula} = {_fmt(self.output)}",
            f"Neuron output = {_fmt(self.output)}",
        ]


def neuron_output(
    inputs: Sequence[float], weights: Sequence[float], bias: float = 0.0, activation: str = "relu"
) -> NeuronResult:
    """Compute one neuron's output, keeping every intermediate number."""
    if activation not in ACTIVATIONS:
        raise UsageError(
            f"unknown activation {activation!r}",
            f"choose one of: {', '.join(ACTIVATIONS)}",
        )
    if not inputs:
        raise UsageError("no inputs given", "pass at least one number to --inputs")
    if len(inputs) != len(weights):
        raise UsageError(
            f"{len(inputs)} inputs but {len(weights)} weights",
            "give one weight per input",
        )
    values = [*inputs, *weights, bias]
    if not all(math.isfinite(v) for v in values):
        raise UsageError("inputs, weights and bias must be finite numbers", "remove nan/inf")
    products = tuple(float(x) * float(w) for x, w in zip(inputs, weights, strict=True))
    try:  # finite inputs can still overflow a float
        total = math.fsum(products)
        z = total + float(bias)
    except OverflowError:
        z = math.inf
    if not all(math.isfinite(v) for v in (*products, z)):
        raise UsageError(
            "the weighted sum is too large to compute (it overflows to infinity)",
            "use smaller inputs, weights or bias",
        )
    return NeuronResult(
        inputs=tuple(map(float, inputs)),
        weights=tuple(map(float, weights)),
        bias=float(bias),
        activation=activation,
        products=products,
        weighted_sum=total,
        pre_activation=z,
        output=ACTIVATIONS[activation][0](z),
    )


def _fmt(value: float) -> str:
    """Numbers as a person writes them: 1.25, 0, -0.5 (no float noise)."""
    text = f"{value:.6g}"
    return "0" if text in ("-0", "0") else text
