"""How long neuroflow.kernels.convolve takes on a 4000x3000 colour photo with a 3x3 kernel.

Run: .venv/bin/python benchmarks/kernels_speed.py   (target: 1 s or less on 2 cores; sobel is two
kernels)
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.usage import help_asked
from neuroflow.kernels import convolve


def best_of(repeats: int, run) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(0)
    for dtype in (np.float64, np.float32):
        photo = rng.uniform(0, 255, (3000, 4000, 3)).astype(dtype)
        for kernel in ("sharpen", "box-blur", "sobel"):
            seconds = best_of(3, lambda p=photo, k=kernel: convolve(p, k, mode="reflect"))
            print(
                f"4000x3000x3 {np.dtype(dtype).name:7s} {kernel:8s} mode reflect  {seconds:.3f} "
                "s (best of 3)"
            )


if __name__ == "__main__":
    help_asked(__doc__)
    main()
