"""benchmarks/winograd.py: the F(2×2, 5×5) transforms are right, so its timing compares like with
like."""

import numpy as np
import torch
import torch.nn.functional as F
from benchmarks.winograd import matrices, winograd_conv


def test_the_transforms_give_the_one_dimensional_correlation_exactly():
    at, g, bt = matrices()
    rng = np.random.default_rng(0)
    for _ in range(5):
        kernel, data = rng.normal(size=5), rng.normal(size=6)
        expected = [kernel @ data[i : i + 5] for i in range(2)]
        np.testing.assert_allclose(at @ ((g @ kernel) * (bt @ data)), expected, atol=1e-12)


def test_winograd_gives_the_direct_convolution():
    torch.manual_seed(0)
    x, w = torch.randn(3, 4, 6, 8), torch.randn(5, 4, 5, 5)
    torch.testing.assert_close(winograd_conv(x, w), F.conv2d(x, w, padding=2), atol=1e-4, rtol=1e-4)
