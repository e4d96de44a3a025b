"""Checks that keep a model someone sent you from running code: no pickles, checksums, safetensors.

Every loader (model folder, bundle, ONNX file) calls these before reading a byte it would trust.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from neuroflow.errors import ModelFileError

PICKLE_SUFFIXES = {".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".bin", ".joblib", ".h5", ".keras"}
ASK_FOR = (
    "ask for a neuroflow model folder (config.json + model.safetensors) or an exported .onnx file"
)
MAX_HEADER_BYTES = 100 << 20


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def looks_like_pickle(head: bytes) -> bool:
    # Pickle protocols 2–5 open with PROTO; torch.save writes a zip ("PK") holding data.pkl.
    return (len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5) or head[:4] == b"PK\x03\x04"


def refuse_unsafe(path: Path) -> None:
    """Refuse a pickle by its suffix or first bytes, and a folder of pickles without a config."""
    if path.suffix.lower() in PICKLE_SUFFIXES and path.is_file():
        raise ModelFileError(
            f"refusing {path.name}: {path.suffix} files are pickles, which run code when loaded",
            ASK_FOR,
        )
    if path.is_file():
        with open(path, "rb") as fh:
            head = fh.read(4)
        if looks_like_pickle(head) and head != b"PK\x03\x04":  # a zip is judged by what it holds
            raise ModelFileError(
                f"refusing {path.name}: it is a Python pickle (whatever its name says), "
                "which runs code when loaded",
                ASK_FOR,
            )
    if path.is_dir():
        pickles = [p.name for p in path.iterdir() if p.suffix.lower() in PICKLE_SUFFIXES]
        if pickles and not (path / "config.json").exists():
            raise ModelFileError(
                f"refusing {path}: it holds {pickles[0]}, a pickle, which runs code when loaded",
                "neuroflow loads only config.json + model.safetensors",
            )


def verify_weights(path: Path, config: dict, default: str = "model.safetensors") -> Path:
    """The weights file of a model folder, checked: present, whole safetensors, recorded sha256."""
    name = config.get("weights", {}).get("file", default)
    weights = path / name
    if Path(name).name != name or not weights.is_file():
        raise ModelFileError(
            f"{path} has no {name}",
            "the weights file is missing; copy the whole model folder again",
        )
    check_safetensors_layout(weights)
    expected = config.get("weights", {}).get("sha256")
    if expected and sha256(weights) != expected:
        raise ModelFileError(
            f"the weights in {weights} do not match their recorded sha256",
            "the file was changed or damaged after saving; get the model again from its source",
        )
    return weights


def check_safetensors_layout(weights: Path) -> None:
    """Read only the header (8-byte length, JSON) to name a pickle or a truncated copy clearly."""
    size = weights.stat().st_size
    with open(weights, "rb") as fh:
        head = fh.read(8)
        if looks_like_pickle(head):
            raise ModelFileError(
                f"refusing {weights}: it is a pickle under a safetensors name, "
                "and pickles run code when loaded",
                "get the model again from a source you trust",
            )
        if len(head) < 8:
            raise ModelFileError(
                f"{weights} is truncated: {size} bytes, too short for a safetensors header",
                "the copy was interrupted; copy the model folder again",
            )
        n = int.from_bytes(head, "little")
        if n > MAX_HEADER_BYTES:
            raise ModelFileError(
                f"{weights} is not a safetensors file", "copy the model folder again"
            )
        header = _read_header(fh, weights, n, size)
    ends = [
        v["data_offsets"][1]
        for k, v in (header or {}).items()
        if k != "__metadata__" and isinstance(v, dict) and "data_offsets" in v
    ]
    needed = 8 + n + max(ends, default=0)
    if header is None or size < needed:
        raise ModelFileError(
            f"{weights} is truncated: {size:,} bytes where its header describes "
            f"{max(needed, 8 + n):,}",
            "the copy was interrupted; copy the model folder again",
        )


def _read_header(fh, weights: Path, n: int, size: int) -> dict | None:
    try:
        header = json.loads(fh.read(n)) if n + 8 <= size else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelFileError(
            f"{weights} is not a safetensors file (its header is not JSON)",
            "copy the model folder again",
        ) from None
    if header is not None and not isinstance(header, dict):
        raise ModelFileError(f"{weights} is not a safetensors file", "copy the model folder again")
    return header
