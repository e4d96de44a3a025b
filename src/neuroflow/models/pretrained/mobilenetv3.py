"""MobileNetV3 Small and Large (Howard et al., "Searching for MobileNetV3", ICCV 2019,
arXiv:1905.02244), with the state-dict keys and shapes of torchvision's published weight files."""

from __future__ import annotations

import torch
import torch.nn as nn

from neuroflow.models.pretrained.blocks import SqueezeExcitation, conv_bn, make_divisible

EPS = 1e-3  # the paper's TensorFlow BatchNorm epsilon, kept by torchvision's port
# (input channels, kernel, expanded channels, output channels, squeeze-excite, activation, stride)
LARGE = [
    (16, 3, 16, 16, False, "RE", 1), (16, 3, 64, 24, False, "RE", 2),
    (24, 3, 72, 24, False, "RE", 1), (24, 5, 72, 40, True, "RE", 2),
    (40, 5, 120, 40, True, "RE", 1), (40, 5, 120, 40, True, "RE", 1),
    (40, 3, 240, 80, False, "HS", 2), (80, 3, 200, 80, False, "HS", 1),
    (80, 3, 184, 80, False, "HS", 1), (80, 3, 184, 80, False, "HS", 1),
    (80, 3, 480, 112, True, "HS", 1), (112, 3, 672, 112, True, "HS", 1),
    (112, 5, 672, 160, True, "HS", 2), (160, 5, 960, 160, True, "HS", 1),
    (160, 5, 960, 160, True, "HS", 1),
]  # fmt: skip
SMALL = [
    (16, 3, 16, 16, True, "RE", 2), (16, 3, 72, 24, False, "RE", 2),
    (24, 3, 88, 24, False, "RE", 1), (24, 5, 96, 40, True, "HS", 2),
    (40, 5, 240, 40, True, "HS", 1), (40, 5, 240, 40, True, "HS", 1),
    (40, 5, 120, 48, True, "HS", 1), (48, 5, 144, 48, True, "HS", 1),
    (48, 5, 288, 96, True, "HS", 2), (96, 5, 576, 96, True, "HS", 1),
    (96, 5, 576, 96, True, "HS", 1),
]  # fmt: skip


class InvertedResidual(nn.Module):
    """Expand (1×1) → depthwise → squeeze-excite → project (1×1), with a shortcut when shapes
    allow; `block.N` numbered as torchvision numbers them."""

    def __init__(self, cin, k, expanded, cout, se, act_name, stride):
        super().__init__()
        act = nn.Hardswish if act_name == "HS" else nn.ReLU
        parts = [] if expanded == cin else [conv_bn(cin, expanded, 1, act=act, eps=EPS)]
        parts.append(conv_bn(expanded, expanded, k, stride, groups=expanded, act=act, eps=EPS))
        if se:
            squeeze = make_divisible(expanded // 4)
            parts.append(SqueezeExcitation(expanded, squeeze, nn.ReLU, nn.Hardsigmoid))
        parts.append(conv_bn(expanded, cout, 1, eps=EPS))
        self.block = nn.Sequential(*parts)
        self.shortcut = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.block(x)
        return out + x if self.shortcut else out


class MobileNetV3(nn.Module):
    """`features` (stem, blocks, last 1×1 convolution) → average → `classifier`; the classifier
    exists only when `num_classes` is given (a backbone keeps what comes before it)."""

    def __init__(self, setting: list, last_channel: int, num_classes: int | None = 1000):
        super().__init__()
        layers = [conv_bn(3, 16, 3, 2, act=nn.Hardswish, eps=EPS)]
        layers += [InvertedResidual(*row) for row in setting]
        last_in = setting[-1][3]
        layers.append(conv_bn(last_in, 6 * last_in, 1, act=nn.Hardswish, eps=EPS))
        self.features = nn.Sequential(*layers)
        self.feature_size = 6 * last_in
        if num_classes is not None:
            self.classifier = nn.Sequential(
                nn.Linear(6 * last_in, last_channel),
                nn.Hardswish(),
                nn.Dropout(0.2),
                nn.Linear(last_channel, num_classes),
            )

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x).mean((2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.forward_features(x))


def mobilenet_v3_small(num_classes: int | None = 1000) -> MobileNetV3:
    return MobileNetV3(SMALL, 1024, num_classes)


def mobilenet_v3_large(num_classes: int | None = 1000) -> MobileNetV3:
    return MobileNetV3(LARGE, 1280, num_classes)
