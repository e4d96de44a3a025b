"""Where a training step of the lesson's CNN spends its time, and how far it is from this CPU's
limit.

`python -m benchmarks.step_profile` prints, for one core: the matrix-multiply rate (the practical
ceiling for convolutions), the time of one part of a split batch (64 images, forward and backward)
alone and with a second part on the other core at the same time, the operations that take the time,
and the floor those figures put under a 60,000-image epoch. Then, for neuroflow's own step on both
cores (its network, SplitBatch strategy and fused Adam, batch 128): how long the parts take together
and how long each piece the main thread runs alone takes, while the other core waits.
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import torch
import torch.nn as nn
import torch.nn.functional as F

from benchmarks.timing import median_seconds
from benchmarks.usage import help_asked

PART = 64  # images per core: a batch of 128 split in two, as neuroflow trains it
# forward + backward multiply-adds of one image (backward: both gradients of conv2, weights only of
# conv1)
MACS = {
    "conv1": 16 * 25 * 28 * 28,
    "conv2": 32 * 16 * 25 * 14 * 14,
    "dense": 32 * 49 * 128 + 128 * 10,
}
FLOP_PER_IMAGE = 2 * (2 * MACS["conv1"] + 3 * MACS["conv2"] + 3 * MACS["dense"])


def lesson_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2),
        nn.MaxPool2d(2),
        nn.ReLU(),  # ReLU after pooling, as neuroflow runs it
        nn.Conv2d(16, 32, 5, padding=2),
        nn.MaxPool2d(2),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(32 * 49, 128),
        nn.ReLU(),
        nn.Dropout(0.4),
        nn.Linear(128, 10),
    ).to(memory_format=torch.channels_last)


def main() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    gemm = 2 * 2048**3 / median_seconds(lambda: a @ b, 5) / 1e9
    net = lesson_cnn()
    params = list(net.parameters())
    xs = [
        torch.randn(PART, 1, 28, 28).contiguous(memory_format=torch.channels_last) for _ in range(2)
    ]
    y = torch.randint(0, 10, (PART,))

    def part(i: int) -> float:
        start = time.perf_counter()
        torch.autograd.grad(F.cross_entropy(net(xs[i]), y), params)
        return time.perf_counter() - start

    alone, together, uneven = _parts_alone_and_together(part)
    print(f"one core: matrix multiply {gemm:.1f} GFLOP/s (2048×2048 float32)")
    print(
        f"one part of {PART} images, forward and backward: {alone * 1e3:.1f} ms alone, "
        f"{together * 1e3:.1f} ms with a second part "
        f"on the other core (two cores do {alone / together * 2:.2f}× the work of one)"
    )
    print(
        f"the two parts side by side: the slower takes {uneven[len(uneven) // 2]:.2f}× the "
        "faster's time in the median step, "
        f"{uneven[int(0.9 * (len(uneven) - 1))]:.2f}× at the 90th percentile"
    )
    print(
        f"the part's arithmetic: {PART * FLOP_PER_IMAGE / 1e9:.2f} GFLOP, "
        f"{PART * FLOP_PER_IMAGE / alone / 1e9:.1f} GFLOP/s alone"
    )
    floor = 60000 / (2 * PART) * (PART * FLOP_PER_IMAGE / (gemm * 1e9))
    print(
        f"a 60,000-image epoch: {60000 / (2 * PART) * together:.1f} s of parts at this rate; "
        f"{floor:.1f} s if every operation ran at the matrix-multiply rate on both cores"
    )
    _print_profile(part)
    step_pieces()


def _parts_alone_and_together(part) -> tuple[float, float, list[float]]:
    """Median seconds of one part alone and of two parts at once on two cores, and per step of
    two, the slower part's time over the faster one's (sorted): the step waits for the slower."""
    pool = ThreadPoolExecutor(1, initializer=torch.set_num_threads, initargs=(1,))
    uneven = []

    def both():
        other = pool.submit(part, 1)
        mine = part(0)
        theirs = other.result()
        uneven.append(max(mine, theirs) / min(mine, theirs))

    for _ in range(3):  # warm-up, not counted
        part(0), both()
    uneven.clear()
    alone_s, together_s = [], []
    for _ in range(20):  # in turns, so both see the same machine
        alone_s.append(median_seconds(lambda: part(0), 3, warmup=0))
        together_s.append(median_seconds(both, 3, warmup=0))
    pool.shutdown()
    return statistics.median(alone_s), statistics.median(together_s), sorted(uneven)


def _print_profile(part) -> None:
    """torch's profiler table of where one part's time goes."""
    from torch.profiler import profile

    with profile(record_shapes=True) as prof:
        for _ in range(20):
            part(0)
    print("\nwhere one part's time goes (20 parts):")
    print(
        prof.key_averages(group_by_input_shape=True).table(
            sort_by="self_cpu_time_total",
            row_limit=10,
            max_name_column_width=34,
            max_shapes_column_width=48,
        )
    )


def step_pieces(steps: int = 300, batch: int = 128) -> dict[str, float]:
    """Median ms of each piece of neuroflow's training step, as its training loop runs them."""
    from neuroflow.training.optimizers import optimizer_step

    net, params, optimizer, runner, data, workers = _neuroflow_step(batch)
    order = torch.randperm(len(data)).split(batch)
    pieces: dict[str, list[float]] = {
        k: [] for k in ("batch", "parts and gradient sum", "Adam", "loss and accuracy", "step")
    }
    total_loss, correct = 0.0, 0
    net.train()
    with runner.steps():
        for i in range(steps):
            t0 = time.perf_counter()
            xb, yb = data.batch(order[i % len(order)])
            t1 = time.perf_counter()
            result = runner(xb, yb)
            t2 = time.perf_counter()
            for p, g in zip(params, result.grads, strict=True):
                p.grad = g
            optimizer_step(optimizer)
            t3 = time.perf_counter()
            total_loss += result.data_loss.item()  # the loop's running figures
            correct += int((result.logits.argmax(1) == yb).sum())
            t4 = time.perf_counter()
            for name, seconds in zip(
                pieces, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0), strict=True
            ):
                pieces[name].append(seconds)
    runner.close()
    ms = {name: statistics.median(v[steps // 10 :]) * 1e3 for name, v in pieces.items()}
    alone = ms["batch"] + ms["Adam"] + ms["loss and accuracy"]
    print(
        f"\nneuroflow's step on {workers} core(s), batch {batch}, median of "
        f"{steps - steps // 10} steps: " + ", ".join(f"{k} {v:.2f} ms" for k, v in ms.items())
    )
    print(
        f"the main thread alone (batch, Adam, loss and accuracy): {alone:.2f} ms, "
        f"{alone / ms['step']:.0%} of the step"
    )
    return ms


def _neuroflow_step(batch: int):
    """neuroflow's network, fused Adam and SplitBatch strategy for the lesson's CNN, on random
    pictures."""
    import numpy as np

    from neuroflow.config import configure_torch
    from neuroflow.models.recipes import resolve_model
    from neuroflow.models.spec import build_network
    from neuroflow.training.batches import ArrayData
    from neuroflow.training.strategies import SplitBatch, StepLoss

    threads = configure_torch()
    torch.manual_seed(0)
    _, net = build_network(
        resolve_model("mnist-cnn", "image", "mnist"), (28, 28, 1), 10, "classification"
    )
    params = list(net.parameters())
    optimizer = torch.optim.Adam(params, lr=1e-3, eps=1e-7, fused=True)
    runner = SplitBatch()
    workers = runner.parts(net, threads, batch, True)
    runner.setup(
        net,
        params,
        StepLoss(F.cross_entropy),
        [torch.Generator().manual_seed(i) for i in range(workers)],
    )
    rng = np.random.default_rng(0)
    data = ArrayData(
        rng.integers(0, 256, (batch * 20, 28, 28, 1), dtype=np.uint8),
        rng.integers(0, 10, batch * 20),
        1 / 255,
    )
    return net, params, optimizer, runner, data, workers


if __name__ == "__main__":
    help_asked(__doc__)
    main()
