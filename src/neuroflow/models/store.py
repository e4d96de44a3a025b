"""Opening a model folder or bundle: config.json checked, weights verified, the network rebuilt.

Loading checks the format version, the weights' sha256 and shapes, and refuses pickles, so a model
someone sent you cannot run code. Writing the folder is `writer`'s job.
"""

from __future__ import annotations

import json
from pathlib import Path

from neuroflow.errors import ModelFileError, SpecError
from neuroflow.models.config_check import check_config
from neuroflow.models.model import Model
from neuroflow.models.safety import refuse_unsafe, sha256, verify_weights
from neuroflow.models.unbundle import extracted, is_zip, read_bundle_config

DAMAGED = "the model folder is damaged; copy it again"


def read_config(path: str | Path) -> dict:
    """config.json of a model folder or bundle .zip, checked (no torch needed)."""
    path = Path(path)
    refuse_unsafe(path)
    if not path.exists():
        raise ModelFileError(
            f"model {path} not found",
            "give the folder that 'neuroflow train' wrote (it holds config.json)",
        )
    if is_zip(path):
        return check_config(read_bundle_config(path), path, f"config.json in {path}")
    if not path.is_dir():
        if path.suffix.lower() == ".onnx":
            raise ModelFileError(
                f"{path} is an exported ONNX file, which 'predict' and 'info' take",
                "give the model folder or bundle it was exported from",
            )
        raise ModelFileError(
            f"{path} is not a model folder or bundle",
            "give the folder that holds config.json and model.safetensors, "
            "or a .zip made by 'neuroflow bundle'",
        )
    cfg_path = path / "config.json"
    if not cfg_path.is_file():
        raise ModelFileError(
            f"{path} has no config.json",
            "this is not a complete neuroflow model folder; train or copy it again",
        )
    try:
        text = cfg_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ModelFileError(f"{cfg_path} is not valid JSON ({err})", DAMAGED) from None
    return check_config(text, path, str(cfg_path))


def load_model(path: str | Path) -> Model:
    """Load a model folder or bundle .zip: config checked, weights' checksum and shapes verified."""
    path = Path(path)
    config = read_config(path)
    if is_zip(path):
        with extracted(path) as folder:
            try:
                model = load_model(folder)
            except ModelFileError as err:  # name the bundle, not the temp folder it was opened into
                raise ModelFileError(
                    err.message.replace(str(folder), str(path)), err.hint
                ) from None
        model.path = None  # the temp folder is gone; figures from `evaluate` need --out
        return model
    network = _network(path, config, _read_weights(verify_weights(path, config)))
    history_file = path / "history.json"
    history = _read_history(history_file) if history_file.is_file() else []
    model = Model(network, config, history, path=path)
    if config.get("ood", {}).get("file"):
        model.detector = _load_detector(path, config["ood"])
    return model


def _read_weights(weights: Path) -> dict:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(str(weights))
    except (SafetensorError, OSError, ValueError) as err:
        raise ModelFileError(
            f"{weights} is not a readable safetensors file ({err})", "copy the model folder again"
        ) from None


def _network(path: Path, config: dict, tensors: dict):
    """The network rebuilt from the spec, with `tensors` loaded once their names and shapes fit."""
    from neuroflow.models.spec import build_network

    n_out = len(config["class_names"]) if config["task"] == "classification" else 1
    try:
        _, network = build_network(
            config["spec"], tuple(config["input"]["shape"]), n_out, config["task"]
        )
    except SpecError as err:  # each field was checked; here the parts do not fit together
        raise ModelFileError(
            f"the network in {path / 'config.json'} cannot be built: {err.message}",
            "the model folder is damaged or was edited by hand; copy it again from its source",
        ) from None
    expected_state = network.state_dict()
    for key, value in expected_state.items():
        if key not in tensors:
            raise ModelFileError(
                f"the weights lack {key!r} that the spec needs",
                "the weights do not belong to this config",
            )
        if tuple(tensors[key].shape) != tuple(value.shape):
            raise ModelFileError(
                f"weights {key!r} have shape {tuple(tensors[key].shape)} "
                f"but the spec needs {tuple(value.shape)}",
                "the weights do not belong to this config",
            )
    extra = set(tensors) - set(expected_state)
    if extra:
        raise ModelFileError(
            f"the weights hold tensors the spec does not use: {', '.join(sorted(extra)[:5])}",
            "the weights do not belong to this config",
        )
    network.load_state_dict(tensors)
    network.eval()
    return network


def _read_history(file: Path) -> list:
    try:
        history = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelFileError(f"{file} is not valid JSON ({err})", DAMAGED) from None
    if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
        raise ModelFileError(f"{file} is not a list of epochs", DAMAGED)
    return history


def _load_detector(path: Path, check: dict) -> dict:
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    file = path / check["file"]
    if not file.is_file():
        raise ModelFileError(
            f"{path} has no {file.name} (its unknown-input check)",
            "copy the whole model folder again",
        )
    if sha256(file) != check.get("sha256"):
        raise ModelFileError(
            f"{file} does not match its recorded sha256",
            "the file was changed or damaged after saving; get the model again",
        )
    try:
        return load_file(str(file))
    except (SafetensorError, OSError, ValueError) as err:
        raise ModelFileError(
            f"{file} is not a readable safetensors file ({err})", "copy the model folder again"
        ) from None
