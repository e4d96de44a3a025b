"""Model specs: read them (YAML, JSON, Python lists, Keras-like strings), check, build, summarise.

A spec is {"layers": [...], "optimizer": ..., "lr": ..., "batch_size": ..., "epochs": ...}; every
layer resolves through the registry in layers.py, so an unknown name answers with the known ones.
"""

from __future__ import annotations

import ast
import copy
import json
import math
from pathlib import Path

from neuroflow.errors import SpecError

# Keras' positional arguments, so "Conv2D(16, 5, padding='same')" means what it means in Keras.
POSITIONAL = {
    "Dense": ["units"],
    "Conv2D": ["filters", "kernel_size"],
    "MaxPool2D": ["pool_size", "strides", "padding"],
    "AveragePooling2D": ["pool_size", "strides", "padding"],
    "Dropout": ["rate"],
    "Activation": ["activation"],
    "Rescaling": ["scale", "offset"],
    "BatchNormalization": [],
    "Flatten": [],
    "GlobalAveragePooling2D": [],
}
TRAINING_KEYS = {
    "optimizer",
    "lr",
    "batch_size",
    "epochs",
    "loss",
    "augment",
    "name",
    "description",
    "schedule",
    "betas",
    "weight_decay",
    "label_smoothing",
    "early_stopping",
    "outlier_exposure",
}


def read_spec(source) -> dict:
    """A spec from a path (.yaml/.yml/.json), a dict or a list of layers; normalised, checked."""
    if isinstance(source, str | Path) and not isinstance(source, dict):
        path = Path(source)
        if not path.is_file():
            raise SpecError(
                f"spec file {path} not found",
                "give a recipe name (see 'neuroflow models') or a .yaml/.json spec",
            )
        try:
            text = path.read_text(encoding="utf-8")
            if path.suffix.lower() == ".json":
                raw = json.loads(text)
            else:
                import yaml

                raw = yaml.safe_load(text)
        except PermissionError:
            raise  # not a bad spec: the command line's one line names the path and the permissions
        except (UnicodeDecodeError, ValueError) as err:
            raise SpecError(
                f"cannot read spec {path}: {' '.join(str(err).split())[:200]}",
                "check that it is valid YAML or JSON",
            ) from None
        except Exception as err:  # yaml.YAMLError and friends
            raise SpecError(
                f"cannot read spec {path}: {' '.join(str(err).split())[:200]}",
                "check that it is valid YAML or JSON",
            ) from None
        return normalise(raw)
    return normalise(source)


def normalise(raw) -> dict:
    if isinstance(raw, list):
        raw = {"layers": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("layers"), list) or not raw["layers"]:
        raise SpecError(
            "a spec needs a non-empty list of layers",
            "write 'layers:' followed by one layer per line, e.g. '- Dense(10, "
            'activation="relu")\'',
        )
    unknown = set(raw) - TRAINING_KEYS - {"layers"}
    if unknown:
        raise SpecError(
            f"unknown spec key(s): {', '.join(sorted(unknown))}",
            f"known keys: layers, {', '.join(sorted(TRAINING_KEYS))}",
        )
    spec = copy.deepcopy({k: v for k, v in raw.items() if k != "layers"})
    _check_training_values(spec)
    spec["layers"] = [_layer(item, i) for i, item in enumerate(raw["layers"], 1)]
    return spec


# Keras' loss names for what the loop does: cross-entropy for classes, squared error for numbers
LOSSES = {
    "sparse_categorical_crossentropy": "classification",
    "categorical_crossentropy": "classification",
    "crossentropy": "classification",
    "mse": "regression",
    "mean_squared_error": "regression",
}
RANGES = {
    "betas": (0, 1),
    "weight_decay": (0, 10),
    "label_smoothing": (0, 1),
    "outlier_exposure": (0, 10),
}


def _check_training_values(spec: dict) -> None:
    """Types and ranges of the spec's training keys that the loop takes as they are (the loop
    checks epochs, batch size and lr itself)."""
    for key in ("optimizer", "schedule", "name", "description"):
        if spec.get(key) is not None and not isinstance(spec[key], str):
            raise SpecError(
                f"spec key {key!r} should be a word, not {spec[key]!r}",
                "see 'neuroflow models --json' for examples",
            )
    if spec.get("loss") is not None and spec["loss"] not in LOSSES:
        raise SpecError(
            f"unknown loss {spec['loss']!r}",
            "leave 'loss' out: classifiers train with sparse_categorical_crossentropy and "
            "regression with mse",
        )
    for key, (low, high) in RANGES.items():
        value = spec.get(key)
        if value is None:
            continue
        values = (
            value if key == "betas" and isinstance(value, list) and len(value) == 2 else [value]
        )
        if (key == "betas" and len(values) != 2) or not all(
            _in_range(v, low, high) for v in values
        ):
            what = "two numbers, each" if key == "betas" else "a number"
            raise SpecError(
                f"spec key {key!r} is {value!r}, out of range",
                f"give {what} from {low} up to (not including) {high}",
            )


def _in_range(value, low: float, high: float) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and low <= value < high
    )


def _layer(item, index: int) -> dict:
    from neuroflow.models.layers import resolve

    if isinstance(item, str):
        return _parse_call(item, index)
    if isinstance(item, dict) and "type" in item:
        return {**item, "type": resolve(str(item["type"]))}
    if isinstance(item, dict) and len(item) == 1:
        ((name, args),) = item.items()
        kind = resolve(str(name))
        if args is None:
            return {"type": kind}
        if isinstance(args, dict):
            return {"type": kind, **args}
        args = args if isinstance(args, list) else [args]
        return {"type": kind, **_positional(kind, args, index)}
    raise SpecError(
        f"layer {index} ({item!r}) is not a layer",
        "write e.g. Dense(10, activation='relu') or {type: Dense, units: 10}",
    )


def _parse_call(text: str, index: int) -> dict:
    """Parse "Conv2D(16, 5, padding='same')" safely: only literal arguments, nothing is executed."""
    from neuroflow.models.layers import resolve

    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise SpecError(
            f"layer {index} ({text!r}) cannot be read", "write e.g. Dense(10, activation='relu')"
        ) from None
    if isinstance(node, ast.Name):
        return {"type": resolve(node.id)}
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute)):
        raise SpecError(
            f"layer {index} ({text!r}) is not a layer call",
            "write e.g. Dense(10, activation='relu')",
        )
    name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
    kind = resolve(name)
    try:
        args = [ast.literal_eval(a) for a in node.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
    except ValueError:
        raise SpecError(
            f"layer {index} ({text!r}) has arguments that are not plain values",
            "use numbers, strings and lists only",
        ) from None
    return {"type": kind, **_positional(kind, args, index), **kwargs}


def _positional(kind: str, args: list, index: int) -> dict:
    names = POSITIONAL.get(kind, [])
    if len(args) > len(names):
        raise SpecError(
            f"layer {index} ({kind}) got {len(args)} positional arguments",
            f"{kind} takes {', '.join(names) or 'none'}",
        )
    return dict(zip(names, args, strict=False))


def resolve_auto(spec: dict, n_outputs: int, task: str) -> dict:
    """Fill `units: auto` and `activation: auto` in the last layer from the data."""
    spec = copy.deepcopy(spec)
    last = spec["layers"][-1]
    if last.get("units") == "auto":
        last["units"] = n_outputs
    if last.get("activation") == "auto":
        last["activation"] = "softmax" if task == "classification" else "linear"
    for layer in spec["layers"]:
        if "auto" in layer.values():
            raise SpecError(
                f"{layer['type']}: 'auto' is only understood in the last layer's units and "
                "activation",
                "give a number",
            )
    return spec


def build_network(spec: dict, input_shape: tuple[int, ...], n_outputs: int, task: str):
    """Build the torch network for `spec` on inputs of `input_shape`; checks the output size."""
    from neuroflow.models.network import Network

    spec = resolve_auto(spec, n_outputs, task)
    if LOSSES.get(spec.get("loss"), task) != task:
        raise SpecError(
            f"loss {spec['loss']!r} is for {LOSSES[spec['loss']]}, but this is {task}",
            "leave 'loss' out: neuroflow picks the loss from the task",
        )
    network = Network.from_spec(spec["layers"], input_shape)
    out = network.output_shape
    if out != (n_outputs,):
        want = f"{n_outputs} classes" if task == "classification" else "1 value (regression)"
        raise SpecError(
            f"the last layer gives outputs of shape {out} but the data needs {want}",
            f"end the spec with Dense({n_outputs})",
        )
    last = spec["layers"][-1]
    if task == "classification" and last.get("activation") not in (None, "softmax", "linear"):
        raise SpecError(
            f"a classifier's last layer should end in softmax, not {last.get('activation')}",
            f"use Dense({n_outputs}, activation='softmax')",
        )
    return spec, network
