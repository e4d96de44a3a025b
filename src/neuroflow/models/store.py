"""The model folder: config.json, model.safetensors, README.md, history.json, loss_curve.png.

Saving writes a whole new folder and swaps it in; loading checks the format version, the weights'
sha256 and shapes, and refuses pickles, so a model someone sent you cannot run code.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from neuroflow._version import __version__
from neuroflow.errors import ModelFileError, SpecError

FORMAT = "neuroflow-model"
FORMAT_VERSION = 1
WEIGHTS = "model.safetensors"
DETECTOR = "detector.safetensors"
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
    from neuroflow.plotting.figures import loss_curve

    path = Path(path)
    with atomic_folder(path) as tmp:
        save_file(state_tensors(model.network), str(tmp / WEIGHTS), metadata={"format": FORMAT})
        config = dict(model.config)
        config.update(format=FORMAT, format_version=FORMAT_VERSION, neuroflow_version=__version__)
        config["weights"] = {"file": WEIGHTS, "sha256": sha256(tmp / WEIGHTS)}
        if model.detector and config.get("ood"):
            import torch

            save_file(
                {k: torch.as_tensor(v).contiguous() for k, v in model.detector.items()},
                str(tmp / DETECTOR),
            )
            config["ood"]["file"], config["ood"]["sha256"] = DETECTOR, sha256(tmp / DETECTOR)
        config["summary"] = summary_rows(
            model.network
        )  # so `neuroflow info` can show it without torch
        model.config = config
        write_json(tmp / "history.json", model.history)
        if model.history:
            loss_curve(
                model.history, tmp / "loss_curve.png", title=f"Loss curve: {config.get('name', '')}"
            )
        if card:
            from neuroflow.models.card import model_card

            (tmp / "README.md").write_text(model_card(model), encoding="utf-8")
        write_json(tmp / "config.json", config)
    model.path = path
    return path


def summary_rows(network) -> list[dict]:
    """Each layer's name, type, output shape and parameter count, as config["summary"] keeps them."""
    return [
        {"name": b.name, "type": b.kind, "output_shape": list(b.output_shape), "params": b.params}
        for b in network.built
    ]


def read_config(path: str | Path) -> dict:
    """config.json of a model folder or bundle .zip, checked (no torch needed)."""
    from neuroflow.models.bundle import is_zip, read_bundle_config

    path = Path(path)
    _refuse_unsafe(path)
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
            "give the folder that holds config.json and model.safetensors, or a .zip made by 'neuroflow bundle'",
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
        raise ModelFileError(
            f"{cfg_path} is not valid JSON ({err})", "the model folder is damaged; copy it again"
        ) from None
    return check_config(text, path, str(cfg_path))


def check_config(text: str, path: Path, cfg_path: str) -> dict:
    """Parse config.json text and check it is a neuroflow model config of a format this version reads."""
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
            f"{path} uses model format version {version}, newer than this neuroflow reads ({FORMAT_VERSION})",
            "upgrade neuroflow to load it",
        )
    from neuroflow.models.config_check import check_fields

    check_fields(config, cfg_path)
    return config


def verify_weights(path: Path, config: dict) -> Path:
    """The weights file of a model folder, checked: present, a complete safetensors file, sha256 as recorded."""
    name = config.get("weights", {}).get("file", WEIGHTS)
    weights = path / name
    if Path(name).name != name or not weights.is_file():
        raise ModelFileError(
            f"{path} has no {name}",
            "the weights file is missing; copy the whole model folder again",
        )
    _check_safetensors_layout(weights)
    expected = config.get("weights", {}).get("sha256")
    if expected and sha256(weights) != expected:
        raise ModelFileError(
            f"the weights in {weights} do not match their recorded sha256",
            "the file was changed or damaged after saving; get the model again from its source",
        )
    return weights


def _check_safetensors_layout(weights: Path) -> None:
    """Read only the safetensors header (8-byte length, JSON) to name a pickle or a truncated copy clearly."""
    size = weights.stat().st_size
    with open(weights, "rb") as fh:
        head = fh.read(8)
        if looks_like_pickle(head):
            raise ModelFileError(
                f"refusing {weights}: it is a pickle under a safetensors name, and pickles run code when loaded",
                "get the model again from a source you trust",
            )
        if len(head) < 8:
            raise ModelFileError(
                f"{weights} is truncated: {size} bytes, too short for a safetensors header",
                "the copy was interrupted; copy the model folder again",
            )
        n = int.from_bytes(head, "little")
        if n > 100 << 20:
            raise ModelFileError(
                f"{weights} is not a safetensors file", "copy the model folder again"
            )
        try:
            header = json.loads(fh.read(n)) if n + 8 <= size else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ModelFileError(
                f"{weights} is not a safetensors file (its header is not JSON)",
                "copy the model folder again",
            ) from None
    if header is not None and not isinstance(header, dict):
        raise ModelFileError(f"{weights} is not a safetensors file", "copy the model folder again")
    ends = [
        v["data_offsets"][1]
        for k, v in (header or {}).items()
        if k != "__metadata__" and isinstance(v, dict) and "data_offsets" in v
    ]
    needed = 8 + n + max(ends, default=0)
    if header is None or size < needed:
        raise ModelFileError(
            f"{weights} is truncated: {size:,} bytes where its header describes {max(needed, 8 + n):,}",
            "the copy was interrupted; copy the model folder again",
        )


def looks_like_pickle(head: bytes) -> bool:
    # Pickle protocols 2–5 open with PROTO; torch.save writes a zip ("PK") holding data.pkl.
    return (len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5) or head[:4] == b"PK\x03\x04"


def load_model(path: str | Path):
    """Load a model folder or bundle .zip: config checked, weights' checksum and shapes verified."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    from neuroflow.models.bundle import extracted, is_zip
    from neuroflow.models.model import Model
    from neuroflow.models.spec import build_network

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
    weights = verify_weights(path, config)
    try:
        tensors = load_file(str(weights))
    except (SafetensorError, OSError, ValueError) as err:
        raise ModelFileError(
            f"{weights} is not a readable safetensors file ({err})", "copy the model folder again"
        ) from None
    n_out = len(config["class_names"]) if config["task"] == "classification" else 1
    try:
        _, network = build_network(
            config["spec"], tuple(config["input"]["shape"]), n_out, config["task"]
        )
    except (
        SpecError
    ) as err:  # the config was checked field by field; here its parts do not fit together
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
                f"weights {key!r} have shape {tuple(tensors[key].shape)} but the spec needs {tuple(value.shape)}",
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
    history_file = path / "history.json"
    history = _read_history(history_file) if history_file.is_file() else []
    model = Model(network, config, history, path=path)
    if config.get("ood", {}).get("file"):
        model.detector = _load_detector(path, config["ood"])
    return model


def _read_history(file: Path) -> list:
    try:
        history = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelFileError(
            f"{file} is not valid JSON ({err})", "the model folder is damaged; copy it again"
        ) from None
    if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
        raise ModelFileError(
            f"{file} is not a list of epochs", "the model folder is damaged; copy it again"
        )
    return history


def _load_detector(path: Path, ood: dict) -> dict:
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    file = path / ood["file"]
    if not file.is_file():
        raise ModelFileError(
            f"{path} has no {file.name} (its unknown-input check)",
            "copy the whole model folder again",
        )
    if sha256(file) != ood.get("sha256"):
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


def _refuse_unsafe(path: Path) -> None:
    if path.suffix.lower() in PICKLE_SUFFIXES and path.is_file():
        raise ModelFileError(
            f"refusing {path.name}: {path.suffix} files are pickles, which run code when loaded",
            "ask for a neuroflow model folder (config.json + model.safetensors) or an exported .onnx file",
        )
    if path.is_file():
        with open(path, "rb") as fh:
            head = fh.read(4)
        if looks_like_pickle(head) and head != b"PK\x03\x04":  # a zip is judged by what it holds
            raise ModelFileError(
                f"refusing {path.name}: it is a Python pickle (whatever its name says), which runs code when loaded",
                "ask for a neuroflow model folder (config.json + model.safetensors) or an exported .onnx file",
            )
    if path.is_dir():
        pickles = [p.name for p in path.iterdir() if p.suffix.lower() in PICKLE_SUFFIXES]
        if pickles and not (path / "config.json").exists():
            raise ModelFileError(
                f"refusing {path}: it holds {pickles[0]}, a pickle, which runs code when loaded",
                "neuroflow loads only config.json + model.safetensors",
            )
