"""The search space of `neuroflow tune`: which hyperparameters a trial varies and how each one
changes the spec.

Every recipe or spec gets a default space derived from its own settings; a YAML file
(neuroflow.tuning.space_file) can pin, narrow or widen any entry.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

from neuroflow.errors import UsageError

# name: (kind of value, smallest allowed, largest allowed, what it changes in the spec)
PARAMS = {
    "lr": (float, 0.0, 10.0, "learning rate"),
    "batch_size": (int, 1, 1_000_000, "examples per step"),
    "epochs": (int, 1, 100_000, "passes over the training data"),
    "optimizer": (str, None, None, "adam, adamw, sgd or rmsprop"),
    "dropout": (float, 0.0, 1.0, "the rate of every Dropout layer"),
    "units": (int, 1, 100_000, "the width of every hidden Dense layer"),
    "filters": (int, 1, 10_000, "the first Conv2D's filters; each later Conv2D doubles them"),
    "kernel_size": (int, 1, 64, "the kernel size of every Conv2D layer"),
}
RANGE_KEYS = {"low", "high", "log", "step"}


@dataclass(frozen=True)
class Param:
    """One hyperparameter: a range (low…high, maybe log or stepped), a list of choices, or one
    pinned value."""

    name: str
    low: float | int | None = None
    high: float | int | None = None
    log: bool = False
    step: float | int | None = None
    choices: tuple | None = None
    value: object = None

    @property
    def pinned(self) -> bool:
        return self.low is None and self.choices is None

    def suggest(self, trial):
        if self.choices is not None:
            return trial.suggest_categorical(self.name, list(self.choices))
        if PARAMS[self.name][0] is int:
            return trial.suggest_int(
                self.name, self.low, self.high, log=self.log, step=self.step or 1
            )
        return trial.suggest_float(self.name, self.low, self.high, log=self.log, step=self.step)

    def describe(self) -> str:
        if self.choices is not None:
            return "one of " + ", ".join(map(str, self.choices))
        if self.pinned:
            return f"pinned to {self.value}"
        step = f" in steps of {self.step:g}" if self.step else ""
        if PARAMS[self.name][0] is int:
            return f"whole numbers {self.low} … {self.high}{step}" + (
                ", log-uniform" if self.log else ""
            )
        return f"{'log-uniform' if self.log else 'uniform'} {self.low:g} … {self.high:g}{step}"

    def as_yaml(self):
        """The entry as a space file writes it, so a printed space can be saved and edited."""
        if self.choices is not None:
            return list(self.choices)
        if self.pinned:
            return self.value
        out = {"low": self.low, "high": self.high}
        if self.log:
            out["log"] = True
        if self.step:
            out["step"] = self.step
        return out


def default_space(spec: dict) -> dict[str, Param]:
    """The lessons' tweaks around the spec's own settings: learning rate, batch size, epochs, and
    the layers it has."""
    space: dict[str, Param] = {}
    lr = float(spec.get("lr") or 0.001)
    space["lr"] = Param("lr", low=_round(lr / 10), high=_round(min(lr * 10, 1.0)), log=True)
    batch = int(spec.get("batch_size") or 32)
    space["batch_size"] = Param(
        "batch_size", choices=tuple(sorted({max(1, batch // 2), batch, batch * 2}))
    )
    if _dropouts(spec):
        space["dropout"] = Param("dropout", low=0.0, high=0.6)
    hidden = _hidden_dense(spec)
    if hidden and isinstance(hidden[0].get("units"), int):
        units = hidden[0]["units"]
        space["units"] = Param("units", low=max(4, units // 4), high=units * 4, log=True)
    convs = _convs(spec)
    if convs:
        filters = int(convs[0].get("filters", 16))
        space["filters"] = Param("filters", low=max(4, filters // 2), high=filters * 2, log=True)
        kernel = convs[0].get("kernel_size", 3)
        kernels = {3, 5} | ({kernel} if isinstance(kernel, int) else set())
        space["kernel_size"] = Param("kernel_size", choices=tuple(sorted(kernels)))
    epochs = int(spec.get("epochs") or 10)
    space["epochs"] = Param("epochs", low=max(1, math.ceil(epochs / 2)), high=epochs * 2)
    return space


def build_space(spec: dict, user: dict[str, Param], where: str = "space") -> dict[str, Param]:
    """The default space with the user's entries laid over it; an entry the model has no layer for
    is an error."""
    needs = {
        "dropout": (_dropouts, "Dropout layer"),
        "units": (_hidden_dense, "hidden Dense layer"),
        "filters": (_convs, "Conv2D layer"),
        "kernel_size": (_convs, "Conv2D layer"),
    }
    for name in user:
        if name in needs and not needs[name][0](spec):
            raise UsageError(
                f"{where}: {name!r} would change nothing: the model has no {needs[name][1]}",
                f"remove {name} from the space or use a model that has one",
            )
    return default_space(spec) | user


def apply(spec: dict, values: dict) -> dict:
    """The spec with one trial's values substituted (see PARAMS for what each name changes)."""
    spec = copy.deepcopy(spec)
    for key in ("lr", "batch_size", "epochs", "optimizer"):
        if key in values:
            spec[key] = values[key]
    for layer in _dropouts(spec) if "dropout" in values else []:
        layer["rate"] = values["dropout"]
    for layer in _hidden_dense(spec) if "units" in values else []:
        layer["units"] = values["units"]
    for i, layer in enumerate(_convs(spec)):
        if "filters" in values:
            layer["filters"] = values["filters"] * 2**i
        if "kernel_size" in values:
            layer["kernel_size"] = values["kernel_size"]
    return spec


def suggest(space: dict[str, Param], trial) -> dict:
    """One trial's values: sampled for ranges and choices, as given for pinned entries."""
    return {name: p.value if p.pinned else p.suggest(trial) for name, p in space.items()}


def describe(space: dict[str, Param]) -> dict[str, str]:
    return {name: p.describe() for name, p in space.items()}


def _dropouts(spec: dict) -> list[dict]:
    return [layer for layer in spec["layers"] if layer["type"] == "Dropout"]


def _hidden_dense(spec: dict) -> list[dict]:
    dense = [layer for layer in spec["layers"] if layer["type"] == "Dense"]
    return dense[:-1]  # the last Dense layer is the output: its width is the number of classes


def _convs(spec: dict) -> list[dict]:
    return [layer for layer in spec["layers"] if layer["type"] == "Conv2D"]


def _round(x: float) -> float:
    return float(f"{x:.3g}")


__all__ = ["PARAMS", "Param", "apply", "build_space", "default_space", "describe", "suggest"]
