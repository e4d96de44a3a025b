"""Synthetic non-examples made from each training batch, for outlier exposure (Hendrycks et al., 2019).

Images whose parts are right but whose whole is not an example of any class: tiles shuffled, two
images laid over each other, noise. Training pushes the model's output towards uniform on them, so its
unknown-input score learns the difference. Vectorised on the batch; deterministic for a generator.
"""

from __future__ import annotations

import torch


def make_outliers(x: torch.Tensor, count: int, generator: torch.Generator) -> torch.Tensor:
    """`count` non-examples (N, C, H, W) in [0, 1], built from the float batch `x` (N, C, H, W)."""
    n, c, h, w = x.shape
    kinds = torch.randint(0, 3, (count,), generator=generator)
    src = x[torch.randint(0, n, (count,), generator=generator)]
    out = src.clone(memory_format=torch.contiguous_format)
    tiles = kinds == 0
    if tiles.any():
        out[tiles] = _shuffle_tiles(src[tiles], generator)
    overlay = kinds == 1
    if overlay.any():
        other = x[torch.randint(0, n, (int(overlay.sum()),), generator=generator)]
        shift = int(torch.randint(-h // 4, h // 4 + 1, (1,), generator=generator))
        out[overlay] = torch.maximum(src[overlay], torch.roll(other, shifts=(shift, -shift), dims=(2, 3)))
    noise = kinds == 2
    if noise.any():
        k = int(noise.sum())
        coarse = torch.rand(k, c, max(h // 4, 1), max(w // 4, 1), generator=generator)
        blobs = torch.nn.functional.interpolate(coarse, size=(h, w), mode="bilinear", align_corners=False)
        level = torch.rand(k, 1, 1, 1, generator=generator)
        out[noise] = (blobs > level).float() * torch.rand(k, 1, 1, 1, generator=generator)
    return out.contiguous(memory_format=torch.channels_last) if x.is_contiguous(memory_format=torch.channels_last) else out


def _shuffle_tiles(x: torch.Tensor, generator: torch.Generator, grid: int = 4) -> torch.Tensor:
    n, c, h, w = x.shape
    th, tw = h // grid, w // grid
    core = x[:, :, : th * grid, : tw * grid]
    tiles = core.reshape(n, c, grid, th, grid, tw).permute(0, 2, 4, 1, 3, 5).reshape(n, grid * grid, c, th, tw)
    order = torch.argsort(torch.rand(n, grid * grid, generator=generator), dim=1)
    shuffled = torch.gather(tiles, 1, order[:, :, None, None, None].expand_as(tiles))
    out = x.clone(memory_format=torch.contiguous_format)
    out[:, :, : th * grid, : tw * grid] = shuffled.reshape(n, grid, grid, c, th, tw).permute(0, 3, 1, 4, 2, 5).reshape(n, c, th * grid, tw * grid)
    return out


def uniform_loss(logits: torch.Tensor) -> torch.Tensor:
    """Cross-entropy against the uniform distribution: low when the model is unsure on non-examples."""
    return (torch.logsumexp(logits, dim=1) - logits.mean(dim=1)).mean()
