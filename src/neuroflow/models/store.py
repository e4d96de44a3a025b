"""The model folder: config.json, model.safetensors, README.md, history.json, loss_curve.png.

Saving writes a whole new folder and swaps it in; loading checks the format version, the weights'
sha256 and shapes, and refuses pickles, so a model someone sent you cannot run code.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from neuroflow import __version__
from neuroflow.errors import ModelFileError

FORMAT = "neuroflow-model"
FORMAT_VERSION = 1
WEIGHTS = "model.safetensors"
PICKLE_SUFFIXES = {".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".bin", ".joblib", ".h5", ".keras"}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def state_tensors(network) -> dict:
    """The network's weights as contiguous tensors (channels_last weights are not)."""
    return {k: v.detach().contiguous() for k, v in network.state_dict().items()}


def save_model(model, path: str | Path, card: bool = True) -> Path:
    """Write the model folder at `path` atomically (a half-written folder is never left behind)."""
    from safetensors.torch import save_file

    from neuroflow.files import atomic_folder, write_json
    from neuroflow.plotting import loss_curve

    path = Path(path)
    with atomic_folder(path) as tmp:
        save_file(state_tensors(model.network), str(tmp / WEIGHTS), metadata={"format": FORMAT})
        config = dict(model.config)
        config.update(format=FORMAT, format_version=FORMAT_VERSION, neuroflow_version=__version__)
        config["weights"] = {"file": WEIGHTS, "sha256": sha256(tmp / WEIGHTS)}
        model.config = config
        write_json(tmp / "history.json", model.history)
        if model.history:
            loss_curve(model.history, tmp / "loss_curve.png", title=f"Loss curve: {config.get('name', '')}")
        if card:
            from neuroflow.models.card import model_card

            (tmp / "README.md").write_text(model_card(model), encoding="utf-8")
        write_json(tmp / "config.json", config)
    model.path = path
    return path


def read_config(path: str | Path) -> dict:
    """config.json of a model folder, checked (no torch needed)."""
    path = Path(path)
    _refuse_unsafe(path)
    if not path.exists():
        raise ModelFileError(f"model {path} not found", "give the folder that 'neuroflow train' wrote (it holds config.json)")
    if not path.is_dir():
        raise ModelFileError(f"{path} is not a model folder", "give the folder that holds config.json and model.safetensors")
    cfg_path = path / "config.json"
    if not cfg_path.is_file():
        raise ModelFileError(f"{path} has no config.json", "this is not a complete neuroflow model folder; train or copy it again")
    try:
        config = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelFileError(f"{cfg_path} is not valid JSON ({err})", "the model folder is damaged; copy it again") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ModelFileError(f"{cfg_path} is not a neuroflow model config", "give a folder written by neuroflow")
    version = config.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} uses model format version {version}, newer than this neuroflow reads ({FORMAT_VERSION})",
            "upgrade neuroflow to load it",
        )
    return config


def load_model(path: str | Path):
    """Load a model folder: config checked, weights' checksum and shapes verified."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    from neuroflow.models.model import Model
    from neuroflow.models.spec import build_network

    path = Path(path)
    config = read_config(path)
    weights = path / config.get("weights", {}).get("file", WEIGHTS)
    if not weights.is_file():
        raise ModelFileError(f"{path} has no {weights.name}", "the weights file is missing; copy the whole model folder again")
    expected = config.get("weights", {}).get("sha256")
    if expected and sha256(weights) != expected:
        raise ModelFileError(f"the weights in {weights} do not match their recorded sha256", "the file was changed or damaged after saving; get the model again from its source")
    try:
        tensors = load_file(str(weights))
    except (SafetensorError, OSError, ValueError) as err:
        raise ModelFileError(f"{weights} is not a readable safetensors file ({err})", "copy the model folder again") from None
    n_out = len(config["class_names"]) if config["task"] == "classification" else 1
    _, network = build_network(config["spec"], tuple(config["input"]["shape"]), n_out, config["task"])
    expected_state = network.state_dict()
    for key, value in expected_state.items():
        if key not in tensors:
            raise ModelFileError(f"the weights lack {key!r} that the spec needs", "the weights do not belong to this config")
        if tuple(tensors[key].shape) != tuple(value.shape):
            raise ModelFileError(f"weights {key!r} have shape {tuple(tensors[key].shape)} but the spec needs {tuple(value.shape)}", "the weights do not belong to this config")
    extra = set(tensors) - set(expected_state)
    if extra:
        raise ModelFileError(f"the weights hold tensors the spec does not use: {', '.join(sorted(extra)[:5])}", "the weights do not belong to this config")
    network.load_state_dict(tensors)
    network.eval()
    history_file = path / "history.json"
    history = json.loads(history_file.read_text()) if history_file.is_file() else []
    return Model(network, config, history, path=path)


def _refuse_unsafe(path: Path) -> None:
    if path.suffix.lower() in PICKLE_SUFFIXES and path.is_file():
        raise ModelFileError(
            f"refusing {path.name}: {path.suffix} files are pickles, which run code when loaded",
            "ask for a neuroflow model folder (config.json + model.safetensors) or an exported .onnx file",
        )
    if path.is_dir():
        pickles = [p.name for p in path.iterdir() if p.suffix.lower() in PICKLE_SUFFIXES]
        if pickles and not (path / "config.json").exists():
            raise ModelFileError(
                f"refusing {path}: it holds {pickles[0]}, a pickle, which runs code when loaded",
                "neuroflow loads only config.json + model.safetensors",
            )
