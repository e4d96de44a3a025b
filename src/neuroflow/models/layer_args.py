"""What every layer builder shares: activations by Keras name, argument checks, Keras' init.

Each check raises a SpecError naming the layer and the argument, so a bad spec fails when built.
"""

from __future__ import annotations

from collections.abc import Callable

import torch.nn as nn

from neuroflow.errors import SpecError

ACTIVATIONS = [
    "linear",
    "relu",
    "sigmoid",
    "tanh",
    "softmax",
    "elu",
    "selu",
    "gelu",
    "leaky_relu",
    "silu",
    "swish",
    "softplus",
]


def activation_module(name: str | None):
    """A torch module for a Keras activation name; None for linear (and softmax, kept as logits)."""
    if name is None or name in ("linear", "softmax"):
        return None
    table = {
        "relu": lambda: nn.ReLU(inplace=True),
        "sigmoid": nn.Sigmoid,
        "tanh": nn.Tanh,
        "elu": nn.ELU,
        "selu": nn.SELU,
        "gelu": nn.GELU,
        "leaky_relu": lambda: nn.LeakyReLU(0.2),  # Keras' default negative slope
        "silu": nn.SiLU,
        "swish": nn.SiLU,
        "softplus": nn.Softplus,
    }
    return table[name]()


def check_activation(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value.lower() not in ACTIVATIONS:
        raise SpecError(
            f"unknown activation {value!r}", f"known activations: {', '.join(ACTIVATIONS)}"
        )
    return value.lower()


def pop_arg(args: dict, key: str, default, kind: str, check: Callable[[object], bool], what: str):
    value = args.pop(key, default)
    if not check(value):
        raise SpecError(f"{kind}: {key}={value!r} is not valid", f"{key} must be {what}")
    return value


def no_more_args(args: dict, kind: str) -> None:
    if args:
        raise SpecError(
            f"{kind}: unknown argument(s) {', '.join(map(repr, args))}",
            "remove them or check the spelling",
        )


def pair(value, kind: str, key: str) -> tuple[int, int]:
    if isinstance(value, int) and value > 0:
        return value, value
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and v > 0 for v in value)
    ):
        return int(value[0]), int(value[1])
    raise SpecError(
        f"{kind}: {key}={value!r} is not valid", f"{key} must be a positive whole number or a pair"
    )


def positive_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


def with_activation(module, activation: str | None):
    act = activation_module(activation)
    return module if act is None else nn.Sequential(module, act)


def count_params(module) -> int:
    return sum(p.numel() for p in module.parameters())


def glorot(module) -> None:
    """Keras' defaults: glorot-uniform kernels, zero biases."""
    nn.init.xavier_uniform_(module.weight)
    if module.bias is not None:
        nn.init.zeros_(module.bias)
