"""An exported .onnx file that runs itself through onnxruntime: no torch needed on this path.

The config travels in the file's metadata, so raw rows and pictures get the same preprocessing as
with the model folder, and `neuroflow.predict` takes it as it takes a Model. The unknown-input
check is not part of an export.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from neuroflow.errors import DataError, ModelFileError


class OnnxModel:
    """An exported model: an onnxruntime session and the config it carries, run as Model runs."""

    def __init__(self, session, config: dict, path: Path):
        self.session = session
        self.config = config
        self.path = path
        self.input_name = session.get_inputs()[0].name
        self.output_names = [o.name for o in session.get_outputs()]

    kind = property(lambda self: self.config["kind"])
    task = property(lambda self: self.config["task"])
    class_names = property(lambda self: self.config.get("class_names"))
    preprocessing = property(lambda self: self.config["preprocessing"])
    input_shape = property(lambda self: tuple(self.config["input"]["shape"]))
    unknown_check = None  # the check's arrays are not exported

    def logits(self, x: np.ndarray) -> np.ndarray:
        return self.run(x)["logits"]

    def probabilities(self, x: np.ndarray | None = None, logits: np.ndarray | None = None):
        """Class probabilities as the graph computes them (with the model's temperature)."""
        if logits is not None:
            from neuroflow.models.logits import softmax

            return softmax(logits, float(self.config.get("calibration", {}).get("temperature", 1)))
        return self.run(x)["probabilities"]

    def values(self, x: np.ndarray) -> np.ndarray:
        """A regression model's answers in the target's own units."""
        return self.run(x)["prediction"][:, 0]

    def run(self, x: np.ndarray, batch_size: int = 1024) -> dict[str, np.ndarray]:
        """The graph's outputs for prepared inputs (float32 rows, or uint8 NHWC pictures)."""
        dtype = np.uint8 if self.kind == "image" else np.float32
        x = np.ascontiguousarray(x, dtype=dtype)
        if x.shape[1:] != self.input_shape:
            raise DataError(
                f"inputs of shape {x.shape[1:]} do not fit the model's {self.input_shape}",
                "prepare them as the model's config says",
            )
        parts = [
            self.session.run(None, {self.input_name: x[i : i + batch_size]})
            for i in range(0, len(x), batch_size)
        ]
        return {
            name: np.concatenate([p[k] for p in parts]) for k, name in enumerate(self.output_names)
        }

    def __repr__(self) -> str:
        name = self.config.get("name", "?")
        return f"<neuroflow OnnxModel {name}: {self.kind} {self.task}, from {self.path}>"


def _session(path: Path):
    import onnxruntime as ort

    from neuroflow.models.safety import looks_like_pickle

    if not path.exists():
        raise ModelFileError(
            f"model {path} not found", "give the .onnx file that 'neuroflow export' wrote"
        )
    if not path.is_file():
        raise ModelFileError(
            f"{path} is not a file", "give the .onnx file that 'neuroflow export' wrote"
        )
    with open(path, "rb") as fh:
        if looks_like_pickle(fh.read(4)):
            raise ModelFileError(
                f"refusing {path.name}: it is a Python pickle (whatever its name says), "
                "which runs code when loaded",
                "ask for a file made by 'neuroflow export'",
            )
    try:
        return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as err:  # onnxruntime raises its own error types for unreadable files
        raise ModelFileError(
            f"{path} is not a readable ONNX file ({' '.join(str(err).split())[:160]})",
            "export the model again with 'neuroflow export'",
        ) from None


def read_onnx_config(path: str | Path, session=None) -> dict:
    """The neuroflow config in an exported file's metadata, checked like a model folder's."""
    from neuroflow.models.config_check import check_config

    path = Path(path)
    session = session or _session(path)
    text = session.get_modelmeta().custom_metadata_map.get("neuroflow_config")
    if not text:
        raise ModelFileError(
            f"{path} was not exported by neuroflow (no neuroflow_config in its metadata)",
            "run it with onnxruntime directly, or export the model with 'neuroflow export'",
        )
    return check_config(text, path, f"the neuroflow_config metadata of {path}")


def load_onnx(path: str | Path) -> OnnxModel:
    """Open an exported .onnx file for prediction."""
    path = Path(path)
    session = _session(path)
    return OnnxModel(session, read_onnx_config(path, session), path)


def metadata(path: str | Path) -> dict:
    """Every metadata entry of an exported file, JSON values decoded (for tools and tests)."""
    session = _session(Path(path))
    out = {}
    for key, value in session.get_modelmeta().custom_metadata_map.items():
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out
