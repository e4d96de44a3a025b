"""The pieces the published networks share: convolution + BatchNorm + activation as one numbered
Sequential, and squeeze-and-excitation, named as in torchvision's weight files."""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(
    cin: int, cout: int, k: int = 1, stride: int = 1, groups: int = 1, act=None, eps: float = 1e-5
) -> nn.Sequential:
    """Conv2d (no bias) → BatchNorm2d → activation: keys `0.weight`, `1.running_var`...."""
    parts = [
        nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout, eps=eps, momentum=0.01 if eps == 1e-3 else 0.1),
    ]
    return nn.Sequential(*parts, *([act()] if act is not None else []))


class SqueezeExcitation(nn.Module):
    """Channels reweighted by a gate computed from their means (Hu et al. 2018,
    arXiv:1709.01507)."""

    def __init__(self, channels: int, squeeze: int, act=nn.ReLU, gate=nn.Sigmoid):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, channels, 1)
        self.act, self.gate = act(), gate()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scale = self.gate(self.fc2(self.act(self.fc1(F.adaptive_avg_pool2d(x, 1)))))
        return x * scale


class StochasticDepth(nn.Module):
    """A residual branch dropped for whole examples with probability `p` while training, the kept
    ones scaled by 1 / (1 - p) (Huang et al. 2016, arXiv:1603.09382); the identity in eval."""

    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = x.new_empty((x.shape[0],) + (1,) * (x.dim() - 1)).bernoulli_(1.0 - self.p)
        return x * keep.div_(1.0 - self.p)  # torchvision's order: the same draws, the same sums

    def extra_repr(self) -> str:
        return f"p={self.p}"


def make_divisible(value: float, divisor: int = 8) -> int:
    """Channel counts rounded to a multiple of `divisor`, never more than 10% below `value` (as
    the MobileNet papers' reference code rounds them)."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded
