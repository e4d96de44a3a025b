"""ResNet-18 (He et al., "Deep Residual Learning for Image Recognition", CVPR 2016,
arXiv:1512.03385), with the state-dict keys and shapes of torchvision's published weight file."""

from __future__ import annotations

import torch
import torch.nn as nn


class BasicBlock(nn.Module):
    """Two 3×3 convolutions and a shortcut (a strided 1×1 `downsample` when the shape changes)."""

    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        shortcut = x if self.downsample is None else self.downsample(x)
        return self.relu(out + shortcut)


class ResNet(nn.Module):
    """Stem (7×7 convolution, max pooling), four stages of blocks, average, `fc` (only when
    `num_classes` is given)."""

    def __init__(self, blocks: tuple[int, ...] = (2, 2, 2, 2), num_classes: int | None = 1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin = 64
        for i, (count, cout) in enumerate(zip(blocks, (64, 128, 256, 512), strict=True), 1):
            stride = 1 if i == 1 else 2
            stage = [BasicBlock(cin if j == 0 else cout, cout, stride if j == 0 else 1)
                     for j in range(count)]  # fmt: skip
            setattr(self, f"layer{i}", nn.Sequential(*stage))
            cin = cout
        self.feature_size = 512
        if num_classes is not None:
            self.fc = nn.Linear(512, num_classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return x.mean((2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.forward_features(x))


def resnet18(num_classes: int | None = 1000) -> ResNet:
    return ResNet((2, 2, 2, 2), num_classes)
