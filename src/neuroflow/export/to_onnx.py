"""`export`: a model as one ONNX file that any ONNX runtime can run, its config in the metadata.

Table models take float32 (N, F) preprocessed features; image models take raw uint8 (N, H, W, C)
pixels and scale and transpose them inside the graph, exactly as training fed them. The batch
size is free.
"""

from __future__ import annotations

import json
from pathlib import Path

from neuroflow.errors import UsageError

OPSET = 17
FORMATS = ("onnx", "web")


def graph_io(config: dict) -> tuple[dict, list[str]]:
    """The graph's input (name, dtype, shape, layout) and output names for a model's config."""
    shape = [None, *config["input"]["shape"]]
    if config["kind"] == "image":
        h, w, c = config["input"]["shape"]
        scale = float(config["preprocessing"].get("scale", 1 / 255))
        inp = {
            "name": "pixels",
            "dtype": "uint8",
            "shape": shape,
            "layout": "NHWC",
            "note": f"raw pixels 0-255 of {h}x{w}x{c} pictures prepared as neuroflow prepares "
            f"them; the graph multiplies by {scale:.8g} and transposes to NCHW",
        }
    else:
        inp = {
            "name": "features",
            "dtype": "float32",
            "shape": shape,
            "layout": "NF",
            "note": "rows already preprocessed as config.preprocessing says (standardised "
            "numbers, one-hot categories, missing indicators)",
        }
    outputs = ["logits", "probabilities"] if config["task"] == "classification" else ["prediction"]
    return inp, outputs


def _graph_module(model, features: bool = False):
    """The network wrapped with what `predict` does around it: input scaling in, softmax or
    de-standardising out; with `features`, the last layer's input as a third output too."""
    import torch

    from neuroflow.models.logits import image_scale

    class Exported(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.network = model.network
            self.scale = image_scale(model.preprocessing)
            self.is_image = model.kind == "image"
            self.task = model.task
            self.temperature = float(model.temperature)
            prep = model.preprocessing
            self.target = (float(prep.get("target_mean", 0.0)), float(prep.get("target_std", 1.0)))

        def forward(self, x):
            if self.is_image:
                x = x.permute(0, 3, 1, 2).to(torch.float32) * self.scale
            if features:  # as the unknown-input check measures them (models.detector)
                for layer in self.network.layers[:-1]:
                    x = layer(x)
                logits = self.network.layers[-1](x)
                return logits, torch.softmax(logits / self.temperature, dim=1), x.flatten(1)
            logits = self.network(x)
            if self.task == "classification":
                return logits, torch.softmax(logits / self.temperature, dim=1)
            return logits * self.target[1] + self.target[0]

    return Exported().eval()


def export_onnx(
    model, out: str | Path | None = None, *, opset: int = OPSET, features: bool = False
) -> Path:
    """Write `model` (a Model, folder or bundle) as ONNX at `out` (default: NAME.onnx beside it);
    `features` adds the last layer's input as an output named "features"."""
    import onnx

    from neuroflow.files import atomic_file
    from neuroflow.models.config import exported_config
    from neuroflow.models.model import Model

    source = None
    if not isinstance(model, Model):
        from neuroflow.models.store import load_model

        source, model = Path(model), load_model(model)
    if out is None:
        if source is None:
            raise UsageError(
                "export needs a file name for a model that was never saved", "pass out='model.onnx'"
            )
        out = (
            source.resolve().with_suffix(".onnx")
            if source.suffix.lower() == ".zip"
            else source.resolve().parent / f"{source.resolve().name}.onnx"
        )
    out = Path(out)
    if out.suffix.lower() != ".onnx":
        raise UsageError(f"--out {out} should end in .onnx", "e.g. --out model.onnx")
    config = exported_config(model.config, model.network)
    inp, outputs = graph_io(config)
    outputs = [*outputs, "features"] if features else outputs
    proto = onnx.load_from_string(_traced(model, config, inp, outputs, opset))
    proto.producer_name, proto.producer_version = "neuroflow", config["neuroflow_version"]
    name = config.get("name", "neuroflow model")
    proto.doc_string = f"{name}: a {config['kind']} {config['task']} model exported by neuroflow"
    meta = {
        "neuroflow_config": json.dumps(config, indent=2, ensure_ascii=False),
        "neuroflow_format_version": str(config["format_version"]),
        "neuroflow_input": json.dumps(inp),
        "class_names": json.dumps(config.get("class_names")),
        "preprocessing": json.dumps(config["preprocessing"]),
    }
    onnx.helper.set_model_props(proto, meta)
    onnx.checker.check_model(proto)
    with atomic_file(out) as fh:
        fh.write(proto.SerializeToString())
    return out


def _traced(model, config: dict, inp: dict, outputs: list[str], opset: int) -> bytes:
    """The serialised ONNX graph of the wrapped network, its batch dimension left free."""
    import io
    import warnings

    import torch

    dtype = torch.uint8 if inp["dtype"] == "uint8" else torch.float32
    example = torch.zeros((2, *config["input"]["shape"]), dtype=dtype)
    buf = io.BytesIO()
    module = _graph_module(model, features="features" in outputs)
    # The default (dynamo) exporter needs the onnxscript package; the TorchScript one covers every
    # layer neuroflow builds and lets the batch dimension stay free through dynamic_axes.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch.onnx.export(
                module,
                (example,),
                buf,
                dynamo=False,
                opset_version=opset,
                input_names=[inp["name"]],
                output_names=outputs,
                dynamic_axes={name: {0: "batch"} for name in [inp["name"], *outputs]},
            )
        except Exception as err:  # the exporter raises many types for an operation it lacks
            kinds = ", ".join(sorted({type(m).__name__ for m in model.network.modules()}))
            raise UsageError(
                f"this model has a layer ONNX cannot carry ({' '.join(str(err).split())[:160]})",
                f"its layers are {kinds}; retrain it with layers from 'neuroflow models'",
            ) from None
    return buf.getvalue()
