"""The torch module a spec builds: the layers in order, each with its name, shape and parameters.

Images enter as NCHW float tensors in channels_last memory; outputs are logits (softmax is applied
at prediction), so training uses the numerically stable cross-entropy on logits.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from neuroflow.models.layers import BuiltLayer, build_layer


class Network(nn.Module):
    def __init__(self, built: list[BuiltLayer], input_shape: tuple[int, ...]):
        super().__init__()
        self.built = built
        self.input_shape = tuple(input_shape)
        self.layers = nn.ModuleList(b.module for b in built)
        # the first layer run: training sets 1 while it feeds a frozen backbone's cached features
        self.start = 0
        if len(self.input_shape) == 3:
            self.to(memory_format=torch.channels_last)

    @classmethod
    def from_spec(cls, layers: list[dict], input_shape: tuple[int, ...]) -> Network:
        built, shape = [], tuple(input_shape)
        for i, layer in enumerate(layers, 1):
            b = build_layer(layer, shape, i)
            built.append(b)
            shape = b.output_shape
        return cls(built, input_shape)

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.built[-1].output_shape

    @property
    def is_image(self) -> bool:
        return len(self.input_shape) == 3

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        layers, i = self.layers, self.start
        while i < len(layers):
            if i + 1 < len(layers) and _relu_before_max_pool(layers[i], layers[i + 1]):
                # max(relu(a), relu(b)) == relu(max(a, b)): pooling first gives the same numbers and
                # gradients with the ReLU on a quarter of the values.
                x = torch.relu_(layers[i + 1](layers[i][0](x)))
                i += 2
            else:
                x = layers[i](x)
                i += 1
        return x

    def feature_maps(self, x: torch.Tensor) -> list[tuple[BuiltLayer, torch.Tensor]]:
        """Every layer's output for `x` (for looking inside a CNN)."""
        out = []
        for b, layer in zip(self.built, self.layers, strict=True):
            x = layer(x)
            out.append(
                (b, x.clone())
            )  # a later in-place ReLU (an Activation layer) would overwrite it
        return out

    def head_index(self) -> int:
        """Index of the last layer: the classifier head that --new-head replaces."""
        return len(self.layers) - 1

    def count_params(self) -> int:
        return sum(p.numel() for p in self.parameters())


def _relu_before_max_pool(layer: nn.Module, following: nn.Module) -> bool:
    """A layer with a ReLU activation (built as Sequential(layer, ReLU)) followed by MaxPool2D."""
    return (
        isinstance(following, nn.MaxPool2d)
        and isinstance(layer, nn.Sequential)
        and len(layer) == 2
        and isinstance(layer[1], nn.ReLU)
    )
