"""Synthetic non-examples made from each training batch, to teach the unknown-input score (the
method Hendrycks et al., 2019 call outlier exposure).

Images whose parts are right but whose whole is not an example of any class: tiles shuffled, two
images laid over each other, noise. Training pushes the model's output towards uniform on them, so
its unknown-input score learns the difference. Vectorised on the batch; deterministic for a
generator.
"""

from __future__ import annotations

import torch


def make_non_examples(x: torch.Tensor, count: int, generator: torch.Generator) -> torch.Tensor:
    """`count` non-examples (N, C, H, W) in [0, 1], built from the float batch `x` (N, C, H, W)."""
    n, c, h, w = x.shape
    kinds = torch.randint(0, 4, (count,), generator=generator)
    src = x[torch.randint(0, n, (count,), generator=generator)]
    out = src.clone(memory_format=torch.contiguous_format)
    tiles = kinds == 0
    if tiles.any():
        out[tiles] = _shuffle_tiles(src[tiles], generator)
    overlay = kinds == 1
    if overlay.any():
        other = x[torch.randint(0, n, (int(overlay.sum()),), generator=generator)]
        shift = int(torch.randint(-h // 4, h // 4 + 1, (1,), generator=generator))
        out[overlay] = torch.maximum(
            src[overlay], torch.roll(other, shifts=(shift, -shift), dims=(2, 3))
        )
    noise = kinds == 2
    if noise.any():
        k = int(noise.sum())
        coarse = torch.rand(k, c, max(h // 4, 1), max(w // 4, 1), generator=generator)
        blobs = torch.nn.functional.interpolate(
            coarse, size=(h, w), mode="bilinear", align_corners=False
        )
        level = torch.rand(k, 1, 1, 1, generator=generator)
        out[noise] = (blobs > level).float() * torch.rand(k, 1, 1, 1, generator=generator)
    strokes = kinds == 3
    if strokes.any():
        bank = scribbles((h, w))
        pick = torch.randint(0, len(bank), (int(strokes.sum()),), generator=generator)
        drawn = bank[pick].float().div_(255.0)
        out[strokes] = drawn.unsqueeze(1).expand(-1, c, -1, -1) * torch.rand(
            len(pick), 1, 1, 1, generator=generator
        ).add_(0.5).clamp_(max=1)
    return (
        out.contiguous(memory_format=torch.channels_last)
        if x.is_contiguous(memory_format=torch.channels_last)
        else out
    )


_SCRIBBLES: dict[tuple[int, int], torch.Tensor] = {}


def scribbles(size: tuple[int, int], n: int = 2048) -> torch.Tensor:
    """A bank of pen scribbles (1–3 random strokes) the size of the images, uint8: stroke-like, yet
    no class.

    Drawn once per size with Pillow from a fixed seed, so training stays deterministic; kept as
    bytes, a quarter of the memory of floats.
    """
    if size not in _SCRIBBLES:
        import numpy as np
        from PIL import Image, ImageDraw, ImageFilter

        rng = np.random.default_rng(20240611)
        h, w = size
        bank = np.zeros((n, h, w), np.uint8)
        for i in range(n):
            img = Image.new("L", (w * 2, h * 2))
            draw = ImageDraw.Draw(img)
            for _ in range(rng.integers(1, 4)):
                points = [
                    tuple(p)
                    for p in (rng.uniform(0.2, 0.8, (rng.integers(2, 6), 2)) * (w * 2, h * 2))
                ]
                draw.line(points, fill=255, width=int(rng.integers(3, 7)), joint="curve")
            small = img.filter(ImageFilter.GaussianBlur(1)).resize((w, h), Image.BILINEAR)
            bank[i] = np.asarray(small)
        _SCRIBBLES[size] = torch.from_numpy(bank)
    return _SCRIBBLES[size]


def _shuffle_tiles(x: torch.Tensor, generator: torch.Generator, grid: int = 4) -> torch.Tensor:
    n, c, h, w = x.shape
    th, tw = h // grid, w // grid
    core = x[:, :, : th * grid, : tw * grid]
    tiles = (
        core.reshape(n, c, grid, th, grid, tw)
        .permute(0, 2, 4, 1, 3, 5)
        .reshape(n, grid * grid, c, th, tw)
    )
    order = torch.argsort(torch.rand(n, grid * grid, generator=generator), dim=1)
    shuffled = torch.gather(tiles, 1, order[:, :, None, None, None].expand_as(tiles))
    out = x.clone(memory_format=torch.contiguous_format)
    out[:, :, : th * grid, : tw * grid] = (
        shuffled.reshape(n, grid, grid, c, th, tw)
        .permute(0, 3, 1, 4, 2, 5)
        .reshape(n, c, th * grid, tw * grid)
    )
    return out


def uniform_loss(logits: torch.Tensor) -> torch.Tensor:
    """Cross-entropy against the uniform distribution: low when the model is unsure on
    non-examples."""
    return (torch.logsumexp(logits, dim=1) - logits.mean(dim=1)).mean()
