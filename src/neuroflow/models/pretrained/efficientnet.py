"""EfficientNet-B0 (Tan and Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural
Networks", ICML 2019, arXiv:1905.11946), with the keys and shapes of torchvision's weight file."""

from __future__ import annotations

import torch
import torch.nn as nn

from neuroflow.models.pretrained.blocks import SqueezeExcitation, StochasticDepth, conv_bn

# (expansion, kernel, stride, input channels, output channels, blocks): the paper's Table 1
B0 = [
    (1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
    (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1),
]  # fmt: skip


class MBConv(nn.Module):
    """Mobile inverted bottleneck with squeeze-and-excitation and SiLU; the shortcut adds the input
    when shapes allow, the block's own output dropped with probability `drop` while training."""

    def __init__(self, expand: int, k: int, stride: int, cin: int, cout: int, drop: float = 0.0):
        super().__init__()
        mid = cin * expand
        parts = [] if mid == cin else [conv_bn(cin, mid, 1, act=nn.SiLU)]
        parts.append(conv_bn(mid, mid, k, stride, groups=mid, act=nn.SiLU))
        parts.append(SqueezeExcitation(mid, max(1, cin // 4), nn.SiLU, nn.Sigmoid))
        parts.append(conv_bn(mid, cout, 1))
        self.block = nn.Sequential(*parts)
        self.shortcut = stride == 1 and cin == cout
        self.stochastic_depth = StochasticDepth(drop)  # used only beside a shortcut, as torchvision

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.block(x)
        return self.stochastic_depth(out) + x if self.shortcut else out


class EfficientNet(nn.Module):
    """`features` (stem, seven stages, 1×1 convolution to 1280) → average → `classifier.1`;
    stochastic depth grows from 0 at the first block to `drop` × (n - 1) / n at the last of n."""

    def __init__(self, setting: list = B0, num_classes: int | None = 1000, drop: float = 0.2):
        super().__init__()
        layers = [conv_bn(3, setting[0][3], 3, 2, act=nn.SiLU)]
        total, done = sum(row[-1] for row in setting), 0
        for expand, k, stride, cin, cout, count in setting:
            stage = []
            for i in range(count):
                stage.append(MBConv(expand, k, stride if i == 0 else 1, cin if i == 0 else cout,
                                    cout, drop * done / total))  # fmt: skip
                done += 1
            layers.append(nn.Sequential(*stage))
        last = 4 * setting[-1][4]
        layers.append(conv_bn(setting[-1][4], last, 1, act=nn.SiLU))
        self.features = nn.Sequential(*layers)
        self.feature_size = last
        if num_classes is not None:
            self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(last, num_classes))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x).mean((2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.forward_features(x))


def efficientnet_b0(num_classes: int | None = 1000) -> EfficientNet:
    return EfficientNet(B0, num_classes)
