"""A user's search space for `neuroflow tune`, from a YAML/JSON file or a dict: every entry checked
against the parameter's type and bounds before any trial runs.
"""

from __future__ import annotations

import math
from pathlib import Path

from neuroflow.errors import UsageError
from neuroflow.tuning.space import PARAMS, RANGE_KEYS, Param


def read_space(source, where: str = "space") -> dict[str, Param]:
    """A user's space from a YAML/JSON file or a dict, every entry checked; nothing about the model
    is known yet."""
    if source is None:
        return {}
    if isinstance(source, str | Path):
        path = Path(source)
        where = path.name
        if not path.exists() or path.is_dir():
            raise UsageError(
                f"space file {path} not found",
                "give a YAML file such as 'lr: {low: 0.0001, high: 0.1, log: true}'",
            )
        import yaml

        try:
            source = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError) as err:
            raise UsageError(
                f"cannot read space file {path}: {' '.join(str(err).split())[:160]}",
                "check that it is valid YAML",
            ) from None
    if not isinstance(source, dict) or not source:
        raise UsageError(
            f"{where}: a space is a mapping of parameter names to ranges, choices or values",
            "write e.g. 'lr: {low: 0.0001, high: 0.1, log: true}' and 'batch_size: [16, 32]'",
        )
    return {str(name): _entry(str(name), entry, where) for name, entry in source.items()}


def _entry(name: str, entry, where: str) -> Param:
    if name not in PARAMS:
        raise UsageError(
            f"{where}: unknown parameter {name!r}", f"known parameters: {', '.join(PARAMS)}"
        )
    label = f"{where}: {name}"
    if isinstance(entry, list):
        if not entry:
            raise UsageError(f"{label} has an empty list of choices", "give at least one value")
        choices = tuple(dict.fromkeys(_value(name, v, label) for v in entry))
        return Param(name, choices=choices)
    if not isinstance(entry, dict):
        return Param(name, value=_value(name, entry, label))
    if PARAMS[name][0] is str:
        raise UsageError(
            f"{label} cannot be a range", f"give a list of choices, e.g. '{name}: [adam, sgd]'"
        )
    return _range(name, entry, label)


def _range(name: str, entry: dict, label: str) -> Param:
    """A {low, high[, log][, step]} range, checked; equal ends make it a fixed value."""
    unknown = set(entry) - RANGE_KEYS
    if unknown:
        raise UsageError(
            f"{label} has unknown key(s) {', '.join(sorted(map(str, unknown)))}",
            "a range takes low, high, and optionally log and step",
        )
    if "low" not in entry or "high" not in entry:
        raise UsageError(
            f"{label} needs both low and high", f"write e.g. '{name}: {{low: ..., high: ...}}'"
        )
    low = _value(name, entry["low"], f"{label} low")
    high = _value(name, entry["high"], f"{label} high")
    if low > high:
        raise UsageError(f"{label} has low {low} above high {high}", "swap them")
    log = entry.get("log", False)
    if not isinstance(log, bool):
        raise UsageError(
            f"{label} log must be true or false, not {log!r}",
            "write log: true for a log-uniform range",
        )
    step = entry.get("step")
    if step is not None:
        step = _value(name, step, f"{label} step")
        if step <= 0 or log:
            raise UsageError(
                f"{label} step must be positive and cannot go with log: true", "drop one of them"
            )
    if log and low <= 0:
        raise UsageError(
            f"{label} is log-uniform, so low must be above 0, not {low}",
            "give a positive low or drop log",
        )
    if low == high:
        return Param(name, value=low)
    return Param(name, low=low, high=high, log=log, step=step)


def _value(name: str, value, label: str):
    """One value checked against the parameter's type and bounds."""
    kind, low, high, _ = PARAMS[name]
    if kind is str:
        from neuroflow.training.optimizers import OPTIMIZERS

        if not isinstance(value, str) or value.lower() not in OPTIMIZERS:
            raise UsageError(
                f"{label}: {value!r} is not an optimizer", f"choose from: {', '.join(OPTIMIZERS)}"
            )
        return value.lower()
    example = "32" if kind is int else "0.001"
    if isinstance(value, str):  # PyYAML reads 1e-4 (no dot) as text
        try:
            value = float(value)
        except ValueError:
            raise UsageError(
                f"{label} must be a number, not {value!r}",
                f"write a plain number such as {example}",
            ) from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UsageError(
            f"{label} must be a number, not {value!r}", f"write a plain number such as {example}"
        )
    if kind is int:
        if not float(value).is_integer():
            raise UsageError(
                f"{label} must be a whole number, not {value!r}", f"give {name} as a whole number"
            )
        value = int(value)
    else:
        value = float(value)
    too_low = value <= low if name == "lr" else value < low
    if too_low or value > high or (name == "dropout" and value >= 1):
        bounds = (
            "above 0 and at most 10"
            if name == "lr"
            else "from 0 up to (not including) 1"
            if name == "dropout"
            else f"from {low} to {high:,}"
        )
        raise UsageError(f"{label} is {value}, out of range", f"{name} must be {bounds}")
    return value


__all__ = ["read_space"]
