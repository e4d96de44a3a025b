"""Why the lesson's second convolution stays oneDNN's direct convolution: Winograd's fewer
multiplies do not pay here.

Winograd F(2×2, 5×5) turns each 6×6 input tile into 36 numbers, multiplies them channel by channel
with the transformed filters (36 small matrix products), and turns the 36 results back into a 2×2
output tile: 2.78× fewer multiply-adds than the direct 5×5 convolution. Written in torch operations,
`python -m benchmarks.winograd` times its forward pass against `F.conv2d` on one part of a batch
(64 images, 16 → 32 channels, 14×14, one thread), in turns, and prints the 36 products' share.
With 16 input channels the products are too thin to run at the matrix-multiply rate, which is
what the printed share shows.
"""

from __future__ import annotations

import functools
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

from benchmarks.usage import help_asked

OUT, KERNEL = 2, 5  # F(2×2, 5×5): 2×2 outputs per 6×6 tile
POINTS = (0.0, 1.0, -1.0, 2.0, -2.0)  # and the point at infinity


def matrices(
    points=POINTS, m: int = OUT, r: int = KERNEL
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A^T (m×n), G (n×r) and B^T (n×n) of the 1-D transform: y = A^T [(G g) ⊙ (B^T d)] for y_i =
    Σ_k g_k d_{i+k}."""
    n = m + r - 1
    at, g = np.zeros((m, n)), np.zeros((n, r))
    for j, a in enumerate(points):
        at[:, j] = [a**i for i in range(m)]
        g[j] = np.array([a**k for k in range(r)]) / np.prod([a - b for b in points if b != a])
    at[m - 1, n - 1] = g[n - 1, r - 1] = 1.0
    # B^T is what makes the identity hold for every g and d: one least-squares solve per column
    # (exact here)
    products = np.array([at[i] * g[:, k] for i in range(m) for k in range(r)])
    bt = np.stack(
        [
            np.linalg.lstsq(
                products,
                [1.0 if col == i + k else 0.0 for i in range(m) for k in range(r)],
                rcond=None,
            )[0]
            for col in range(n)
        ],
        axis=1,
    )
    return at, g, bt


@functools.cache
def tile_transforms() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The 2-D transforms on flattened tiles (output 4×36, filter 36×25, input 36×36), made once."""
    at, g, bt = (torch.tensor(a, dtype=torch.float32) for a in matrices())
    return torch.kron(at, at), torch.kron(g, g), torch.kron(bt, bt)


def winograd_conv(x: torch.Tensor, w: torch.Tensor, padding: int = 2) -> torch.Tensor:
    """F.conv2d(x, w, padding=padding) for 5×5 kernels and even output sizes, by Winograd F(2×2,
    5×5)."""
    out_t, filter_t, input_t = tile_transforms()
    n, c, h, wd = x.shape
    k = w.shape[0]
    th, tw = h // OUT, wd // OUT
    xp = F.pad(x.permute(0, 2, 3, 1), (0, 0, padding, padding, padding, padding))  # NHWC
    tiles = xp.unfold(1, 6, OUT).unfold(2, 6, OUT)  # N, th, tw, C, 6, 6
    v = (
        (tiles.reshape(-1, 36) @ input_t.T).view(n * th * tw, c, 36).permute(2, 0, 1)
    )  # 36, tiles, C
    u = (w.reshape(k * c, 25) @ filter_t.T).view(k, c, 36).permute(2, 1, 0)  # 36, C, K
    m = torch.bmm(v, u)  # the 36 products
    y = m.permute(1, 2, 0).reshape(-1, 36) @ out_t.T  # tiles·K, 4
    return y.view(n, th, tw, k, OUT, OUT).permute(0, 3, 1, 4, 2, 5).reshape(n, k, h, wd)


def main(turns: int = 30, images: int = 64) -> dict:
    torch.set_num_threads(1)
    torch.manual_seed(0)
    x = torch.randn(images, 16, 14, 14).contiguous(memory_format=torch.channels_last)
    w = torch.randn(32, 16, 5, 5) * 0.1
    wc = w.contiguous(memory_format=torch.channels_last)
    v = torch.randn(36, images * 49, 16)
    u = torch.randn(36, 16, 32)
    runs = {
        "direct": lambda: F.conv2d(x, wc, padding=2),
        "winograd": lambda: winograd_conv(x, w),
        "products": lambda: torch.bmm(v, u),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(turns):
        for name, run in runs.items():
            t = time.perf_counter()
            for _ in range(5):
                run()
            times[name].append((time.perf_counter() - t) / 5)
    ms = {name: statistics.median(t) * 1e3 for name, t in times.items()}
    error = float((winograd_conv(x, w) - F.conv2d(x, w, padding=2)).abs().max())
    flop = 2 * 36 * images * 49 * 16 * 32
    print(
        f"conv2 forward, {images} images, one thread, median of {turns} turns: direct (oneDNN) "
        f"{ms['direct']:.2f} ms, "
        f"Winograd F(2×2,5×5) in torch operations {ms['winograd']:.2f} ms (largest difference "
        f"{error:.1e})"
    )
    print(
        f"its 36 small products alone: {ms['products']:.2f} ms, "
        f"{flop / ms['products'] / 1e6:.1f} GFLOP/s"
    )
    return ms | {"error": error}


if __name__ == "__main__":
    help_asked(__doc__)
    main()
