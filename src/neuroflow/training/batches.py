"""In-memory batches with no per-sample Python: index one tensor, scale per batch, keep
channels_last.

Images stay uint8 (N, H, W, C) in memory; a batch is gathered, viewed as NCHW (which is
channels_last memory already) and scaled to float, so the dataset is never copied as floats.
Streamed images (data.stream.StreamRows) stay on disk and a batch reads its rows.
"""

from __future__ import annotations

import numpy as np
import torch

from neuroflow.data.stream_rows import StreamRows
from neuroflow.models.logits import to_input


class ArrayData:
    def __init__(self, x: np.ndarray, y: np.ndarray, scale: float | None):
        self.x = x if isinstance(x, StreamRows) else torch.from_numpy(np.ascontiguousarray(x))
        self.y = torch.from_numpy(np.ascontiguousarray(y))
        self.scale = scale
        self.is_image = self.x.dim() == 4

    def __len__(self) -> int:
        return len(self.x)

    def inputs(self, index: torch.Tensor | slice) -> torch.Tensor:
        return to_input(_rows(self.x, index), self.scale)

    def batch(self, index: torch.Tensor | slice) -> tuple[torch.Tensor, torch.Tensor]:
        return self.inputs(index), _rows(self.y, index)


def _rows(t: torch.Tensor | StreamRows, index: torch.Tensor | slice) -> torch.Tensor:
    if isinstance(t, StreamRows):
        rows = index.numpy() if isinstance(index, torch.Tensor) else np.arange(len(t))[index]
        return torch.from_numpy(t.take(rows))
    # index_select copies whole rows in one call; t[index] goes element by element
    return t.index_select(0, index) if isinstance(index, torch.Tensor) else t[index]
