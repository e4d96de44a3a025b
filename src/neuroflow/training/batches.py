"""In-memory batches with no per-sample Python: index one tensor, scale per batch, keep
channels_last.

Images stay uint8 (N, H, W, C) in memory; a batch is gathered, viewed as NCHW (which is
channels_last memory already) and scaled to float, so the dataset is never copied as floats.
"""

from __future__ import annotations

import numpy as np
import torch

from neuroflow.models.logits import to_input


class ArrayData:
    def __init__(self, x: np.ndarray, y: np.ndarray, scale: float | None):
        self.x = torch.from_numpy(np.ascontiguousarray(x))
        self.y = torch.from_numpy(np.ascontiguousarray(y))
        self.scale = scale
        self.is_image = self.x.dim() == 4

    def __len__(self) -> int:
        return len(self.x)

    def inputs(self, index: torch.Tensor | slice) -> torch.Tensor:
        return to_input(_rows(self.x, index), self.scale)

    def batch(self, index: torch.Tensor | slice) -> tuple[torch.Tensor, torch.Tensor]:
        return self.inputs(index), _rows(self.y, index)


def _rows(t: torch.Tensor, index: torch.Tensor | slice) -> torch.Tensor:
    # index_select copies whole rows; t[index] goes element by element. For 128 of 55,000 MNIST
    # images: 6 µs against 104 µs (python -m timeit -s "import torch; x = torch.zeros(55000, 28, 28,
    # 1, dtype=torch.uint8); i = torch.randperm(55000)[:128]" "x.index_select(0, i)", then "x[i]").
    return t.index_select(0, index) if isinstance(index, torch.Tensor) else t[index]
