"""Inside a trained CNN: its first layer's kernels as pictures, and the feature maps every
convolution and pooling layer makes of one picture — the learned counterparts of `neuroflow
convolve`'s kernels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neuroflow.errors import UsageError
from neuroflow.kernels.filter_grids import channel_names, kernel_grid, map_grid, save_picture

MAP_KINDS = ("Conv2D", "MaxPool2D", "AveragePooling2D")


@dataclass(frozen=True, eq=False)
class LearnedKernels:
    """The first Conv2D layer's weights (filters, channels, height, width), biases and
    activation."""

    layer: str
    weights: np.ndarray
    bias: np.ndarray | None
    activation: str | None

    def as_grey(self) -> np.ndarray:
        """What each kernel does to a grey picture (every channel equal): its channels summed."""
        return self.weights.sum(axis=1)


def first_kernels(model) -> LearnedKernels:
    """The first Conv2D's kernels; a model without one is refused in one line."""
    import torch.nn as nn

    for b in model.network.built:
        # a pretrained network's first convolution (its stem) is the one that sees the picture
        if b.kind in ("Conv2D", "Pretrained"):
            conv = next(m for m in b.module.modules() if isinstance(m, nn.Conv2d))
            bias = None if conv.bias is None else conv.bias.detach().numpy().copy()
            return LearnedKernels(b.name, conv.weight.detach().numpy().copy(), bias, b.activation)
    what = "a table model" if model.kind == "table" else "an image model without Conv2D layers"
    raise UsageError(
        f"{model.config.get('name', 'this model')} is {what}, so it has no learned kernels to show",
        "give a model with convolution layers, e.g. one from 'neuroflow train digits'",
    )


def closest_named(kernel: np.ndarray) -> tuple[str, float] | None:
    """The hand-made kernel (neuroflow.kernels) of the same size most like `kernel`, by cosine
    similarity; a name starting with '-' means the sign is flipped (dark and light swapped)."""
    from neuroflow.kernels.catalogue import KERNELS, get_kernel

    if kernel.shape[0] != kernel.shape[1]:
        return None
    best = None
    for name in KERNELS:
        sized = name in ("box-blur", "gaussian-blur")
        if not sized and kernel.shape != (3, 3):
            continue
        named = get_kernel(name, size=kernel.shape[0] if sized else None)
        if named.is_magnitude:
            continue
        ref = named.parts[0]
        norm = float(np.linalg.norm(kernel) * np.linalg.norm(ref))
        cos = float((kernel * ref).sum()) / norm if norm > 0 else 0.0
        if best is None or abs(cos) > abs(best[1]):
            best = (name if cos >= 0 else f"-{name}", abs(cos))
    return best


def layer_outputs(model, image, raw: bool = False) -> tuple[np.ndarray, list, np.ndarray]:
    """The picture prepared exactly as `predict` prepares it (uint8 H×W×C), the output of every
    Conv2D / pooling layer for it as (layer, maps of shape (channels, H, W)), and the model's
    output."""
    import torch

    from neuroflow.data.pictures.prepare import prepare_for_model
    from neuroflow.models.logits import image_scale, to_input

    x = prepare_for_model(image, model.preprocessing, raw=raw)
    batch = to_input(torch.from_numpy(np.array(x[None])), image_scale(model.preprocessing))
    model.network.eval()
    stem = _pretrained_stem(model.network)
    seen: list = []
    hook = stem[1].register_forward_hook(lambda m, i, o: seen.append(o)) if stem else None
    try:
        with torch.inference_mode():
            outputs = model.network.feature_maps(batch)
    finally:
        if hook is not None:
            hook.remove()
    maps = [(b, out[0].numpy()) for b, out in outputs if b.kind in MAP_KINDS]
    if stem:  # the maps of a pretrained network's first convolution, as a Conv2D layer's
        maps.insert(0, (stem[0], seen[0][0].numpy()))
    return x, maps, outputs[-1][1][0].numpy()


def _pretrained_stem(network):
    """(a Conv2D-like description, the module) of a pretrained backbone's first convolution."""
    import torch.nn as nn

    from neuroflow.models.layers import BuiltLayer

    b = network.built[0]
    if b.kind != "Pretrained":
        return None
    conv = next(m for m in b.module.modules() if isinstance(m, nn.Conv2d))
    params = sum(p.numel() for p in conv.parameters())
    return BuiltLayer(f"{b.name}_stem", "Conv2D", conv, (), params), conv


def write_filters(
    model, out: str | Path, image: str | Path | None = None, raw: bool = False
) -> dict:
    """Write DIR/kernels.png, DIR/kernels/*.csv and, for `image`, DIR/input.png and one
    DIR/feature_maps_<layer>.png per Conv2D / pooling layer. Returns what was written and found."""
    if isinstance(model, str | Path):
        from neuroflow.models.store import load_model

        model = load_model(model)
    kernels = first_kernels(model)
    # a bad picture fails before any file is written
    computed = layer_outputs(model, image, raw) if image is not None else None
    out = Path(out).expanduser()
    _check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    n, channels, kh, kw = kernels.weights.shape
    report: dict = {
        "model": model.config.get("name"),
        "layer": kernels.layer,
        "kernel_size": [kh, kw],
        "filters": n,
        "channels": channels,
        "activation": kernels.activation,
        "kernels": [],
        "files": [],
    }
    from neuroflow.files import atomic_folder

    # written whole into a temp folder that then takes out's place, as a model folder is
    with atomic_folder(out) as tmp:
        _write_kernels(report, kernels, tmp, out, model.config.get("name", ""))
        if computed is not None:
            _write_feature_maps(report, computed, tmp, out, (image, model, raw))
    return report


def _check_replaceable(out: Path) -> None:
    """--out is replaced whole: refuse a file, or a folder holding anything filters did not
    write."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file", "give a folder for the pictures")
    if out.is_dir():
        others = sorted(p.name for p in out.iterdir() if not _written_by_filters(p.name))
        if others:
            raise UsageError(
                f"--out {out} holds files 'neuroflow filters' did not write ({others[0]}, ...) "
                "and would be replaced whole",
                "give a new folder, or one that 'neuroflow filters' wrote",
            )


def _written_by_filters(name: str) -> bool:
    return name in ("kernels", "kernels.png", "input.png") or (
        name.startswith("feature_maps_") and name.endswith(".png")
    )


def _write_kernels(
    report: dict, kernels: LearnedKernels, tmp: Path, out: Path, model_name: str
) -> None:
    """Each kernel's weights as CSV (one file per input channel) and all of them as kernels.png,
    written in `tmp` and reported by their paths in `out`."""
    (tmp / "kernels").mkdir()
    report["kernels_folder"] = str(out / "kernels")
    names = channel_names(kernels.weights.shape[1])
    matches = [closest_named(k) for k in kernels.as_grey()]
    for i, match in enumerate(matches):
        bias = None if kernels.bias is None else float(kernels.bias[i])
        entry = {"index": i + 1, "bias": bias, "files": []}
        if match:
            entry["looks_like"], entry["cosine"] = match[0], round(match[1], 3)
        for c, name in enumerate(names):
            file = Path("kernels") / f"kernel_{i + 1:02d}{'_' + name if name else ''}.csv"
            rows = kernels.weights[i, c]
            (tmp / file).write_text(
                "".join(",".join(f"{v:.6g}" for v in row) + "\n" for row in rows)
            )
            entry["files"].append(str(out / file))
        report["kernels"].append(entry)
    grid = kernel_grid(kernels, model_name, matches)
    save_picture(grid, tmp / "kernels.png")
    report["files"].append(str(out / "kernels.png"))


def _write_feature_maps(report: dict, computed, tmp: Path, out: Path, asked) -> None:
    """The prepared input, one grid of feature maps per layer, and the model's prediction."""
    from PIL import Image

    x, maps, output = computed
    image, model, raw = asked
    report["input"] = {
        "image": str(image),
        "prepared": "resize only" if raw else model.preprocessing.get("prepare", "resize"),
        "shape": list(x.shape),
    }
    # grey stays one channel, so convolve reads it as the model did
    native = Image.fromarray(x[..., 0] if x.shape[2] == 1 else x)
    save_picture(native, tmp / "input.png")
    report["files"].append(str(out / "input.png"))
    report["feature_maps"] = []
    for b, values in maps:
        grid = map_grid(b, values, x, Path(str(image)).name)
        save_picture(grid, tmp / f"feature_maps_{b.name}.png")
        path = out / f"feature_maps_{b.name}.png"
        shape = list(values.shape[1:]) + [len(values)]
        report["feature_maps"].append(
            {"layer": b.name, "kind": b.kind, "shape": shape, "file": str(path)}
        )
        report["files"].append(str(path))
    if model.task == "classification":
        probs = model.probabilities(logits=output[None])[0]  # calibrated, as predict reports it
        report["prediction"] = {
            "label": model.class_names[int(probs.argmax())],
            "probability": float(probs.max()),
        }
