"""Keras-named layers as torch modules, resolved through one registry.

A layer spec is a dict such as {"type": "Conv2D", "filters": 16, "kernel_size": 5, "padding":
"same", "activation": "relu"}; `build_layer` checks its arguments when built and tracks Keras-style
shapes (H, W, C for images). Images flow as NCHW tensors in channels_last memory, so Flatten uses
NHWC order.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
import torch.nn as nn

from neuroflow.errors import SpecError
from neuroflow.models.layer_args import (
    activation_module,
    check_activation,
    count_params,
    glorot,
    no_more_args,
    pair,
    pop_arg,
    positive_int,
    with_activation,
)
from neuroflow.registry import Registry


@dataclass
class BuiltLayer:
    name: str  # e.g. "conv2d_1"
    kind: str  # the registry name, e.g. "Conv2D"
    module: object  # torch.nn.Module
    output_shape: tuple[int, ...]
    params: int
    activation: str | None = None


LAYERS: Registry[Callable] = Registry("layer", error=SpecError)
for _alias, _name in {
    "MaxPooling2D": "MaxPool2D",
    "AvgPool2D": "AveragePooling2D",
    "AveragePool2D": "AveragePooling2D",
    "GlobalAvgPool2D": "GlobalAveragePooling2D",
    "BatchNorm": "BatchNormalization",
    "Linear": "Dense",
}.items():
    LAYERS.alias(_alias, _name)


def register(name: str):
    return LAYERS.register(name)


def known_layers() -> list[str]:
    return sorted(LAYERS.names())


def resolve(name: str) -> str:
    """The registry name for `name` (any case, Keras aliases too) or a SpecError listing them."""
    return LAYERS.resolve(name)


def build_layer(spec: dict, input_shape: tuple[int, ...], index: int) -> BuiltLayer:
    """Build one layer from its spec for inputs of `input_shape` (without the batch dimension)."""
    kind = resolve(str(spec.get("type", "")))
    args = {k: v for k, v in spec.items() if k != "type"}
    try:
        return LAYERS.get(kind)(dict(args), tuple(input_shape), f"{kind.lower()}_{index}")
    except TypeError as err:
        raise SpecError(
            f"{kind}: {err}", "check the layer's arguments against the Keras layer of the same name"
        ) from None


@register("Dense")
def _dense(args, shape, name):

    units = pop_arg(args, "units", None, "Dense", positive_int, "a positive whole number")
    act = check_activation(args.pop("activation", None))
    use_bias = bool(args.pop("use_bias", True))
    no_more_args(args, "Dense")
    if len(shape) != 1:
        raise SpecError(
            f"Dense got inputs of shape {shape}",
            "add Flatten() or GlobalAveragePooling2D() before Dense",
        )
    linear = nn.Linear(shape[0], units, bias=use_bias)
    glorot(linear)
    return BuiltLayer(
        name, "Dense", with_activation(linear, act), (units,), count_params(linear), act
    )


_DROPOUT = threading.local()


@contextmanager
def dropout_generator(generator: torch.Generator | None) -> Iterator[None]:
    """Dropout layers run on this thread draw their masks from `generator` (training splits a
    batch across threads)."""
    _DROPOUT.generator = generator
    try:
        yield
    finally:
        _DROPOUT.generator = None


class Dropout(nn.Dropout):
    """nn.Dropout whose masks come from the generator the training loop gives this thread, so a
    batch split across threads is reproducible; without one (or not training) it is nn.Dropout."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        generator = getattr(_DROPOUT, "generator", None)
        if generator is None or not self.training or self.p == 0:
            return super().forward(x)
        keep = torch.empty_like(x).bernoulli_(1 - self.p, generator=generator)
        return x * keep.div_(1 - self.p)


@register("Dropout")
def _dropout(args, shape, name):

    rate = pop_arg(
        args,
        "rate",
        0.5,
        "Dropout",
        lambda v: isinstance(v, int | float) and 0 <= v < 1,
        "between 0 and 1",
    )
    no_more_args(args, "Dropout")
    return BuiltLayer(name, "Dropout", Dropout(float(rate)), shape, 0)


@register("Activation")
def _activation(args, shape, name):

    act = check_activation(args.pop("activation", None))
    no_more_args(args, "Activation")
    return BuiltLayer(name, "Activation", activation_module(act) or nn.Identity(), shape, 0, act)


@register("BatchNormalization")
def _batchnorm(args, shape, name):

    momentum = float(args.pop("momentum", 0.99))
    eps = float(args.pop("epsilon", 1e-3))
    no_more_args(args, "BatchNormalization")
    features = shape[-1]
    cls = nn.BatchNorm1d if len(shape) == 1 else nn.BatchNorm2d
    module = cls(features, eps=eps, momentum=1.0 - momentum)  # torch counts momentum the other way
    return BuiltLayer(name, "BatchNormalization", module, shape, 4 * features)


class Flatten(nn.Module):
    """Flatten in NHWC order, as Keras does, so Dense weights mean the same in both."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(0, 2, 3, 1).flatten(1) if x.dim() == 4 else x.flatten(1)


class GlobalAveragePooling2D(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3))


class Rescaling(nn.Module):
    def __init__(self, scale: float, offset: float):
        super().__init__()
        self.scale, self.offset = scale, offset

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale + self.offset


@register("Flatten")
def _flatten(args, shape, name):
    no_more_args(args, "Flatten")
    return BuiltLayer(name, "Flatten", Flatten(), (math.prod(shape),), 0)


def _image_shape(shape, kind):
    if len(shape) != 3:
        raise SpecError(
            f"{kind} needs image inputs (height, width, channels), got {shape}",
            "use it on image data, before Flatten",
        )
    return shape


def _same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


@register("Conv2D")
def _conv2d(args, shape, name):

    h, w, c = _image_shape(shape, "Conv2D")
    filters = pop_arg(args, "filters", None, "Conv2D", positive_int, "a positive whole number")
    kh, kw = pair(args.pop("kernel_size", None), "Conv2D", "kernel_size")
    sh, sw = pair(args.pop("strides", 1), "Conv2D", "strides")
    padding = pop_arg(
        args, "padding", "valid", "Conv2D", lambda v: v in ("same", "valid"), "'same' or 'valid'"
    )
    act = check_activation(args.pop("activation", None))
    use_bias = bool(args.pop("use_bias", True))
    no_more_args(args, "Conv2D")
    if padding == "same":
        (top, bottom), (left, right) = _same_padding(h, kh, sh), _same_padding(w, kw, sw)
        oh, ow = math.ceil(h / sh), math.ceil(w / sw)
    else:
        top = bottom = left = right = 0
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    if oh < 1 or ow < 1:
        raise SpecError(
            f"Conv2D kernel {kh}×{kw} is larger than its {h}×{w} input",
            "use a smaller kernel_size or padding='same'",
        )
    symmetric = top == bottom and left == right
    conv = nn.Conv2d(
        c, filters, (kh, kw), (sh, sw), padding=(top, left) if symmetric else 0, bias=use_bias
    )
    glorot(conv)
    module = conv if symmetric else nn.Sequential(nn.ZeroPad2d((left, right, top, bottom)), conv)
    return BuiltLayer(
        name, "Conv2D", with_activation(module, act), (oh, ow, filters), count_params(conv), act
    )


def _pool(args, shape, name, kind, cls):
    h, w, c = _image_shape(shape, kind)
    ph, pw = pair(args.pop("pool_size", 2), kind, "pool_size")
    sh, sw = pair(args.pop("strides", None) or (ph, pw), kind, "strides")
    padding = pop_arg(
        args, "padding", "valid", kind, lambda v: v in ("same", "valid"), "'same' or 'valid'"
    )
    no_more_args(args, kind)
    if padding == "same":
        oh, ow = math.ceil(h / sh), math.ceil(w / sw)
    else:
        oh, ow = (h - ph) // sh + 1, (w - pw) // sw + 1
    if oh < 1 or ow < 1:
        raise SpecError(
            f"{kind} pool {ph}×{pw} is larger than its {h}×{w} input",
            "use a smaller pool_size or fewer pooling layers",
        )
    module = cls((ph, pw), (sh, sw), ceil_mode=padding == "same")
    return BuiltLayer(name, kind, module, (oh, ow, c), 0)


@register("MaxPool2D")
def _maxpool(args, shape, name):

    return _pool(args, shape, name, "MaxPool2D", nn.MaxPool2d)


@register("AveragePooling2D")
def _avgpool(args, shape, name):

    return _pool(args, shape, name, "AveragePooling2D", nn.AvgPool2d)


@register("GlobalAveragePooling2D")
def _gap(args, shape, name):

    _, _, c = _image_shape(shape, "GlobalAveragePooling2D")
    no_more_args(args, "GlobalAveragePooling2D")

    return BuiltLayer(name, "GlobalAveragePooling2D", GlobalAveragePooling2D(), (c,), 0)


@register("Rescaling")
def _rescaling(args, shape, name):

    scale = float(args.pop("scale", 1.0))
    offset = float(args.pop("offset", 0.0))
    no_more_args(args, "Rescaling")
    return BuiltLayer(name, "Rescaling", Rescaling(scale, offset), shape, 0)


# the published networks register "Pretrained" here, so every spec can name them
from neuroflow.models.pretrained import layer as _pretrained_layer  # noqa: E402, F401
