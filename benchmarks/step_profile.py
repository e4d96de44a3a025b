"""Where a training step of the lesson's CNN spends its time, and how far it is from this CPU's limit.

`python -m benchmarks.step_profile` prints, for one core: the matrix-multiply rate (the practical
ceiling for convolutions), the time of one part of a split batch (64 images, forward and backward)
alone and with a second part on the other core at the same time, the operations that take the time,
and the floor those figures put under a 60,000-image epoch.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import torch
import torch.nn as nn
import torch.nn.functional as F

from benchmarks.timing import median_seconds

PART = 64  # images per core: a batch of 128 split in two, as neuroflow trains it
# forward + backward multiply-adds of one image (backward: both gradients of conv2, weights only of conv1)
MACS = {"conv1": 16 * 25 * 28 * 28, "conv2": 32 * 16 * 25 * 14 * 14, "dense": 32 * 49 * 128 + 128 * 10}
FLOP_PER_IMAGE = 2 * (2 * MACS["conv1"] + 3 * MACS["conv2"] + 3 * MACS["dense"])


def lesson_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.MaxPool2d(2), nn.ReLU(),  # ReLU after pooling, as neuroflow runs it
        nn.Conv2d(16, 32, 5, padding=2), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(32 * 49, 128), nn.ReLU(), nn.Dropout(0.4), nn.Linear(128, 10),
    ).to(memory_format=torch.channels_last)


def main() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    gemm = 2 * 2048**3 / median_seconds(lambda: a @ b, 5) / 1e9
    net = lesson_cnn()
    params = list(net.parameters())
    xs = [torch.randn(PART, 1, 28, 28).contiguous(memory_format=torch.channels_last) for _ in range(2)]
    y = torch.randint(0, 10, (PART,))

    def part(i: int):
        return torch.autograd.grad(F.cross_entropy(net(xs[i]), y), params)

    pool = ThreadPoolExecutor(1, initializer=torch.set_num_threads, initargs=(1,))

    def both():
        other = pool.submit(part, 1)
        part(0)
        other.result()

    alone, together = median_seconds(lambda: part(0), 60), median_seconds(both, 60)
    print(f"one core: matrix multiply {gemm:.1f} GFLOP/s (2048×2048 float32)")
    print(f"one part of {PART} images, forward and backward: {alone * 1e3:.1f} ms alone, {together * 1e3:.1f} ms with a second part "
          f"on the other core (two cores do {alone / together * 2:.2f}× the work of one)")
    print(f"the part's arithmetic: {PART * FLOP_PER_IMAGE / 1e9:.2f} GFLOP, {PART * FLOP_PER_IMAGE / alone / 1e9:.1f} GFLOP/s alone")
    floor = 60000 / (2 * PART) * (PART * FLOP_PER_IMAGE / (gemm * 1e9))
    print(f"a 60,000-image epoch: {60000 / (2 * PART) * together:.1f} s of parts at this rate; "
          f"{floor:.1f} s if every operation ran at the matrix-multiply rate on both cores")
    from torch.profiler import profile

    with profile(record_shapes=True) as prof:
        for _ in range(20):
            part(0)
    print("\nwhere one part's time goes (20 parts):")
    print(prof.key_averages(group_by_input_shape=True).table(sort_by="self_cpu_time_total", row_limit=10, max_name_column_width=34, max_shapes_column_width=48))
    pool.shutdown()


if __name__ == "__main__":
    main()
