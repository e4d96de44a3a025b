"""The one way a network is fed: prepared inputs in, logits out, and softmax with a temperature.

Images stay uint8 (N, H, W, C) until a batch is taken; it is viewed as NCHW (which is channels_last
memory already) and scaled to float, so a dataset is never copied as floats.
"""

from __future__ import annotations

import numpy as np
import torch

# Rows per forward pass when predicting: large enough that per-call overhead is small, small enough
# that a batch's activations (a quarter of a 1024-row batch's ~100 MiB for the lesson's CNN) do not
# set the process's peak memory.
PREDICT_BATCH = 256


def image_scale(preprocessing: dict) -> float | None:
    """What pixels are multiplied by on the way in; None for table rows."""
    if preprocessing.get("type") != "image":
        return None
    return float(preprocessing.get("scale", 1 / 255))


def to_input(x: torch.Tensor, scale: float | None) -> torch.Tensor:
    """uint8 NHWC images → scaled float NCHW in channels_last memory; table rows → float."""
    if x.dim() == 4:
        x = x.permute(0, 3, 1, 2)  # a view: NHWC storage is exactly channels_last NCHW
        out = x.to(torch.float32)
        return out.mul_(scale) if scale not in (None, 1.0) else out
    return x if x.dtype == torch.float32 else x.to(torch.float32)


@torch.inference_mode()
def predict_logits(
    network, data, scale: float | None = None, batch_size: int = PREDICT_BATCH
) -> torch.Tensor:
    """Logits for every row of `data`, in large batches without autograd.

    `data` is an array of prepared inputs (or rows read from disk as they are sliced), or anything
    with `len()` and `inputs(slice)` that gives network-ready batches (training's ArrayData).
    """
    if not hasattr(data, "inputs"):
        data = _Rows(data, scale)
    was_training = network.training
    if was_training:  # a loaded model is in eval mode already; switching costs more than a row
        network.eval()
    out = [network(data.inputs(slice(i, i + batch_size))) for i in range(0, len(data), batch_size)]
    if was_training:
        network.train()
    return torch.cat(out) if out else torch.zeros(0)


class _Rows:
    """Prepared inputs as a sequence of network-ready batches, each read when it is asked for."""

    def __init__(self, x, scale: float | None):
        self.x, self.scale = x, scale

    def __len__(self) -> int:
        return len(self.x)

    def inputs(self, index: slice) -> torch.Tensor:
        return to_input(torch.from_numpy(np.ascontiguousarray(self.x[index])), self.scale)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
