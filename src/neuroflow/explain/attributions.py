"""Which part of an input made the answer: attributions by integrated gradients, saliency,
Grad-CAM on the last convolution or occlusion (Captum), one Explanation per input.

Inputs are prepared exactly as `predict` prepares them, so `.input` is what the network saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from neuroflow.errors import DataError, UsageError

METHODS = ("integrated-gradients", "saliency", "gradcam", "occlusion")
# Gauss-Legendre steps for integrated gradients: the completeness gap of the lesson's CNN on MNIST
# stays under 5% with these (benchmarks/explain.py measures it).
IG_STEPS = 50
BATCH = 16  # inputs per attribution call: IG runs IG_STEPS forward passes for each
# pictures per forward pass inside IG and occlusion: a 224×224 network's activations for all of a
# batch's 800 IG steps at once would take gigabytes
PASS = 64


@dataclass
class Explanation:
    name: str
    label: str | float  # the explained class (or a regression model's value)
    input: np.ndarray  # what the network's first layer received: (H, W, C) floats in 0..1, or a row
    attributions: np.ndarray  # the same shape as `input`
    method: str
    probability: float | None = None  # of `label`, calibrated; None for regression
    completeness_gap: float | None = None  # integrated gradients only
    columns: dict[str, float] = field(default_factory=dict)  # a table row, per input column

    def as_dict(self) -> dict:
        d: dict = {"input": self.name, "method": self.method, "label": self.label}
        if self.probability is not None:
            d["probability"] = round(self.probability, 6)
        if self.completeness_gap is not None:
            d["completeness_gap"] = round(self.completeness_gap, 6)
        if self.columns:
            d["columns"] = {k: round(v, 6) for k, v in self.columns.items()}
        else:
            d["shape"] = list(self.attributions.shape)
        return d


def check_method(method: str) -> str:
    """The method's name as METHODS spells it; an unknown one lists the valid ones."""
    name = str(method).lower().replace("_", "-")
    name = {"ig": "integrated-gradients", "grad-cam": "gradcam"}.get(name, name)
    if name not in METHODS:
        raise UsageError(f"unknown method {method!r}", f"use one of: {', '.join(METHODS)}")
    return name


def check_explainable(model) -> None:
    """Only a model with its network (a folder or bundle) has gradients to follow."""
    if not hasattr(model, "network"):
        raise UsageError(
            "explanations need the network's gradients, which an ONNX file does not keep",
            "open the model folder (or bundle) it was exported from",
        )


def explain(model, inputs, method: str = "integrated-gradients", target=None, *,
            raw: bool = False) -> list[Explanation]:  # fmt: skip
    """One Explanation per raw input (table rows, picture paths or a folder; or prepared images).

    `target` is the class to explain (a name or index; default: each input's predicted class).
    """
    from neuroflow.models.raw_inputs import prepare_inputs

    method = check_method(method)
    check_explainable(model)
    x, names, _ = prepare_inputs(model, inputs, raw)
    return explain_arrays(model, x, names, method, target)


def explain_arrays(model, x: np.ndarray, names: list[str], method: str = "integrated-gradients",
                   target=None) -> list[Explanation]:  # fmt: skip
    """Explanations for prepared inputs (what `neuroflow.models.raw_inputs` makes of raw ones)."""
    method = check_method(method)
    check_explainable(model)
    if len(x) == 0:
        raise DataError("there is nothing to explain (0 inputs)", "give at least one input")
    if model.task == "regression":
        if target is not None:
            raise UsageError("a regression model has one output: --target does not apply",
                             "leave out --target")  # fmt: skip
        targets = np.zeros(len(x), dtype=np.int64)
        labels: list = [float(v) for v in model.values(x)]
        probs = [None] * len(x)
    else:
        p = model.probabilities(x)
        chosen = None if target is None else _class_index(model, target)
        targets = p.argmax(1) if chosen is None else np.full(len(x), chosen)
        labels = [model.class_names[k] for k in targets]
        probs = [float(p[i, k]) for i, k in enumerate(targets)]
    seen, attributions, gaps = attribute(model, x, targets, method)
    columns = column_sums(model, attributions) if model.kind == "table" else [{}] * len(x)
    return [
        Explanation(
            names[i],
            labels[i],
            seen[i],
            attributions[i],
            method,
            probs[i],
            None if gaps is None else float(gaps[i]),
            columns[i],
        )  # fmt: skip
        for i in range(len(x))
    ]


def _class_index(model, target) -> int:
    names = model.class_names
    if str(target) in names:
        return names.index(str(target))
    if (isinstance(target, int) or str(target).isdigit()) and 0 <= int(target) < len(names):
        return int(target)
    raise UsageError(f"--target {target!r} is not one of the model's classes",
                     f"use one of: {', '.join(names)}")  # fmt: skip


def network_inputs(model, x: np.ndarray):
    """Prepared inputs as the float tensor the network's first layer takes."""
    import torch

    from neuroflow.models.logits import image_scale, to_input

    return to_input(torch.from_numpy(np.ascontiguousarray(x)), image_scale(model.preprocessing))


def attribute(model, x: np.ndarray, targets: np.ndarray, method: str, network=None):
    """(inputs as seen, attributions, completeness gaps or None) for prepared inputs `x`; images
    come back as (N, H, W, C) like the prepared pictures. `network` overrides the model's."""
    import torch

    network = model.network if network is None else network
    was_training = network.training
    network.eval()
    seen, out, gaps = [], [], []
    try:
        with torch.enable_grad():
            for i in range(0, len(x), BATCH):
                inputs = network_inputs(model, x[i : i + BATCH]).contiguous().requires_grad_()
                target = torch.as_tensor(targets[i : i + BATCH], dtype=torch.long)
                a, gap = _attribute(network, inputs, target, method)
                seen.append(inputs.detach())
                out.append(a.detach().to(torch.float32))
                gaps.append(gap)
    finally:
        network.train(was_training)
    seen_t, attr = torch.cat(seen), torch.cat(out)
    if seen_t.dim() == 4:  # NCHW → NHWC, as pictures are held
        seen_t, attr = seen_t.permute(0, 2, 3, 1), attr.permute(0, 2, 3, 1)
    gap = None if gaps[0] is None else np.concatenate(gaps)
    return seen_t.contiguous().numpy(), attr.contiguous().numpy(), gap


def captum_attr():
    """Captum's attribution methods, or one line saying how to install them."""
    try:
        from captum import attr
    except ImportError:
        raise UsageError(
            "explanations need Captum, which is not installed",
            "install it with pip install 'neuroflow[explain]'",
        ) from None
    return attr


def _attribute(network, inputs, target, method: str):
    import torch

    attr = captum_attr()
    if method == "integrated-gradients":
        ig = attr.IntegratedGradients(network)
        baseline = torch.zeros_like(inputs)  # black picture; a table's mean row (standardised 0)
        a, delta = ig.attribute(
            inputs, baseline, target=target, n_steps=IG_STEPS, internal_batch_size=PASS,
            return_convergence_delta=True,
        )  # fmt: skip
        with torch.no_grad():
            rows = torch.arange(len(target))
            diff = network(inputs)[rows, target] - network(baseline)[rows, target]
        # relative to the change in the logit that the attributions share out
        gap = delta.abs() / diff.abs().clamp_min(1e-12)
        return a, gap.detach().numpy()
    if method == "saliency":
        return attr.Saliency(network).attribute(inputs, target=target), None
    if method == "occlusion":
        window, stride = _occlusion_window(inputs)
        occ = attr.Occlusion(network)
        return occ.attribute(inputs, window, strides=stride, baselines=0, target=target,
                             perturbations_per_eval=PASS), None  # fmt: skip
    forward, conv = last_convolution(network)
    cam = attr.LayerGradCam(forward, conv).attribute(inputs, target=target, relu_attributions=True)
    up = attr.LayerAttribution.interpolate(cam, tuple(inputs.shape[2:]), "bilinear")
    return up.expand_as(inputs), None


def _occlusion_window(inputs):
    """A patch about a seventh of a picture's side (4 pixels on MNIST), moved half its width; a
    table's columns one at a time."""
    if inputs.dim() == 2:
        return (1,), (1,)
    c, h, w = inputs.shape[1:]
    side = max(1, round(min(h, w) / 7))
    step = max(1, side // 2)
    return (c, side, side), (c, step, step)


def last_convolution(network):
    """(forward, layer): the network's last Conv2D, where Grad-CAM looks, with its activation as
    Keras' Conv2D has it, and a forward pass that runs every layer's module as built."""
    import torch.nn as nn

    built = getattr(network, "built", [])
    convs = [i for i, b in enumerate(built) if b.kind == "Conv2D"]
    if convs:
        # Network.forward pools before the ReLU where that is the same; Grad-CAM wants the
        # convolution's own output after its activation, so its layers run one by one here.
        def forward(x):
            for layer in network.layers:
                x = layer(x)
            return x

        return forward, network.layers[convs[-1]]
    found = [m for m in network.modules() if isinstance(m, nn.Conv2d)]
    if not found:
        raise UsageError(
            "gradcam looks at the last convolution, and this model has none",
            f"use one of: {', '.join(m for m in METHODS if m != 'gradcam')}",
        )
    return network, found[-1]


def column_spans(preprocessing: dict) -> list[tuple[str, int]]:
    """(column, width in the feature row): one-hot categories and blank indicators belong to
    their column."""
    spans = []
    for c in preprocessing["columns"]:
        width = 1 if c["kind"] == "numeric" else len(c["categories"])
        spans.append((c["name"], width + (1 if c["missing_indicator"] else 0)))
    return spans


def column_sums(model, attributions: np.ndarray) -> list[dict[str, float]]:
    """Each row's attribution per input column, largest first (by size)."""
    spans = column_spans(model.preprocessing)
    out = []
    for row in attributions:
        sums, at = {}, 0
        for name, width in spans:
            sums[name] = float(row[at : at + width].sum())
            at += width
        out.append(dict(sorted(sums.items(), key=lambda kv: -abs(kv[1]))))
    return out
