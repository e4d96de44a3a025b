"""What a model's config.json must hold, checked field by field before anything reads it.

A damaged or hand-edited config then fails with one line naming the field, never deep inside
predict.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from neuroflow.errors import ModelFileError
from neuroflow.models.config import FORMAT, FORMAT_VERSION

HINT = "the model folder is damaged or was edited by hand; copy it again from its source"
OPTIONAL_OBJECTS = (
    "dataset",
    "training",
    "lineage",
    "metrics",
    "tuning",
    "calibration",
    "ood",
    "weights",
)


def check_config(text: str, path: Path, cfg_path: str) -> dict:
    """Parse config.json text; check it is a neuroflow config of a format this version reads."""
    try:
        config = json.loads(text)
    except json.JSONDecodeError as err:
        raise ModelFileError(
            f"{cfg_path} is not valid JSON ({err})", "the model folder is damaged; copy it again"
        ) from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ModelFileError(
            f"{cfg_path} is not a neuroflow model config", "give a folder written by neuroflow"
        )
    version = config.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ModelFileError(
            f"{cfg_path}: field 'format_version' should be a whole number, not {version!r}",
            "the model folder is damaged; copy it again",
        )
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} uses model format version {version}, "
            f"newer than this neuroflow reads ({FORMAT_VERSION})",
            "upgrade neuroflow to load it",
        )
    check_fields(config, cfg_path)
    return config


def check_fields(config: dict, where: str) -> None:
    """Raise ModelFileError naming the first field of `config` that neuroflow cannot use."""

    def bad(field: str, want: str) -> ModelFileError:
        value = repr(_get(config, field))
        shown = value if len(value) <= 40 else value[:37] + "..."
        return ModelFileError(f"{where}: field {field!r} should be {want}, not {shown}", HINT)

    _check_basics(config, bad, where)
    _check_preprocessing(config, bad, where)
    _check_saved_parts(config, bad)


def _check_basics(config: dict, bad, where: str) -> None:
    """The fields every config has: kind, task, class names, input shape; objects are objects."""
    for key in ("kind", "task", "input", "preprocessing", "spec"):
        if key not in config:
            raise ModelFileError(f"{where} has no {key!r} field", HINT)
    if config["kind"] not in ("table", "image"):
        raise bad("kind", "'table' or 'image'")
    if config["task"] not in ("classification", "regression"):
        raise bad("task", "'classification' or 'regression'")
    names = config.get("class_names")
    names_ok = (
        isinstance(names, list)
        and len(names) >= 2
        and all(isinstance(n, str) for n in names)
        and len(set(names)) == len(names)
    )
    if config["task"] == "classification" and not names_ok:
        raise bad("class_names", "a list of two or more different class names")
    for key in OPTIONAL_OBJECTS:
        if config.get(key) is not None and not isinstance(config[key], dict):
            raise bad(key, "an object")
    if not isinstance(config["input"], dict):
        raise bad("input", "an object with 'shape'")
    shape = config["input"].get("shape")
    rank = 1 if config["kind"] == "table" else 3
    if not (
        isinstance(shape, list) and len(shape) == rank and all(_whole(d) and d >= 1 for d in shape)
    ):
        raise bad("input.shape", f"a list of {rank} positive whole number{'s' if rank > 1 else ''}")


def _check_saved_parts(config: dict, bad) -> None:
    """The spec, and what saving and fitting added: weights, calibration, the check, summary."""
    spec = config["spec"]
    if not (
        isinstance(spec, dict)
        and isinstance(spec.get("layers"), list)
        and spec["layers"]
        and all(
            isinstance(layer, dict) and isinstance(layer.get("type"), str)
            for layer in spec["layers"]
        )
    ):
        raise bad("spec", "an object whose 'layers' is a list of layers, each with a 'type'")
    weights = config.get("weights") or {}
    if not all(isinstance(weights.get(k, ""), str) for k in ("file", "sha256")):
        raise bad("weights", "an object with the strings 'file' and 'sha256'")
    if config.get("calibration") and not _number(config["calibration"].get("temperature"), low=0):
        raise bad("calibration.temperature", "a positive number")
    check = config.get("ood") or {}
    if check and not (_number(check.get("threshold")) and isinstance(check.get("method"), str)):
        raise bad("ood", "an object with a 'method' and a number 'threshold'")
    if check and not all(isinstance(check.get(k, ""), str) for k in ("file", "sha256")):
        raise bad("ood", "an object whose 'file' and 'sha256' are strings")
    summary = config.get("summary")
    if summary is not None and not (
        isinstance(summary, list)
        and all(
            isinstance(r, dict)
            and isinstance(r.get("output_shape"), list)
            and {"name", "type", "params"} <= set(r)
            for r in summary
        )
    ):
        raise bad("summary", "a list of layer rows (name, type, output_shape, params)")


def _check_preprocessing(config: dict, bad, where: str) -> None:
    prep, kind = config["preprocessing"], config["kind"]
    if not isinstance(prep, dict) or prep.get("type") != kind:
        raise bad("preprocessing", f'an object with "type": "{kind}"')
    if kind == "image":
        h, w, c = config["input"]["shape"]
        if [prep.get("height"), prep.get("width"), prep.get("channels")] != [h, w, c] or c not in (
            1,
            3,
        ):
            raise bad(
                "preprocessing",
                f"an object whose height, width and channels match input.shape {[h, w, c]} "
                "(channels 1 or 3)",
            )
        if not _number(prep.get("scale", 1 / 255), low=0):
            raise bad("preprocessing.scale", "a positive number")
        return
    columns = prep.get("columns")
    if not (isinstance(columns, list) and columns and all(_column_ok(c) for c in columns)):
        raise bad(
            "preprocessing.columns",
            "a list of columns, each with a name, a kind and its fitted numbers",
        )
    features = sum(
        (1 if c["kind"] == "numeric" else len(c["categories"])) + bool(c["missing_indicator"])
        for c in columns
    )
    if features != config["input"]["shape"][0]:
        raise ModelFileError(
            f"{where}: its preprocessing makes {features} features but input.shape says "
            f"{config['input']['shape'][0]}",
            HINT,
        )
    if config["task"] == "regression" and not (
        _number(prep.get("target_mean")) and _number(prep.get("target_std"), low=0)
    ):
        raise bad(
            "preprocessing", "an object with the regression target's 'target_mean' and 'target_std'"
        )


def _column_ok(c) -> bool:
    if not (
        isinstance(c, dict)
        and isinstance(c.get("name"), str)
        and isinstance(c.get("missing_indicator"), bool)
    ):
        return False
    if c.get("kind") == "numeric":
        return _number(c.get("mean")) and _number(c.get("std"), low=0)
    return c.get("kind") == "category" and isinstance(c.get("categories"), list)


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value, low: float | None = None) -> bool:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return ok and (low is None or value > low)


def _get(config: dict, dotted: str):
    value = config
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value
