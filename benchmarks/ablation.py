"""Training settings of the lesson's CNN, each timed against the setting it changes.

Settings: memory layout, Adam (for-loop or fused), ReLU before or after max-pooling, the batch split
across cores or not, torch.compile, batch size, denormal floats flushed to zero or kept. `compare`
builds one network per setting in one process (the same seed and data) and runs them in turn, a few
steps each, over and over: a setting's speed-up over the one it changes is the median, over turns,
of the two's time per image a moment apart, so the machine's drift within seconds reaches both
alike.

`python -m benchmarks.ablation DATA_DIR IMAGES SECONDS [compile]` prints the rows as JSON.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable

from benchmarks.usage import help_asked

STEPS_PER_TURN = 8


def load(data_dir: str, limit: int):
    from neuroflow.data.pictures.idx import load_idx_dataset
    from neuroflow.training.batches import ArrayData

    ds = load_idx_dataset("mnist", data_dir=data_dir)
    return ArrayData(ds.x_train[:limit], ds.y_train[:limit], 1 / 255)


def trainer(
    data,
    threads: int,
    layout: str,
    adam: str,
    relu: str,
    split: str,
    compile_: str,
    batch: int,
    denormal: str,
) -> Callable[[int], float]:
    """A function that trains `k` more steps of this setting and returns the seconds per image."""
    import torch

    net = _network(layout, relu)
    params = list(net.parameters())
    opt = torch.optim.Adam(params, lr=1e-3, fused=adam == "fused")
    runner = _runner(net, params, threads if split == "on" else 1, compile_, denormal)
    order = _batches(len(data), batch)
    net.train()

    def step() -> None:
        xb, yb = data.batch(next(order))
        if layout == "nchw":
            xb = xb.contiguous()
        for p, g in zip(params, runner(xb, yb).grads, strict=True):
            p.grad = g
        opt.step()

    def steps(k: int) -> float:
        # this thread runs every setting in turn: each turn sets its denormal mode and puts it back
        with runner.steps():
            # One step first, not timed: torch's own threads spin on after a setting without the
            # split, which slows the first steps of the next setting.
            step()
            t = time.perf_counter()
            for _ in range(k):
                step()
            return (time.perf_counter() - t) / (k * batch)

    steps.close = runner.close
    return steps


def _runner(net, params: list, workers: int, compile_: str, denormal: str):
    """neuroflow's SplitBatch strategy for the setting: the batch split or not, compiled or not."""
    import torch
    import torch.nn.functional as F

    from neuroflow.training.strategies import SplitBatch, StepLoss

    runner = SplitBatch(workers, flush_denormal=denormal == "flush")
    runner.setup(
        torch.compile(net) if compile_ == "on" else net,
        params,
        StepLoss(F.cross_entropy),
        [torch.Generator().manual_seed(i) for i in range(workers)],
    )
    return runner


def _network(layout: str, relu: str):
    """The lesson's CNN, seeded, in the setting's memory layout and ReLU/pool order."""
    import torch

    from neuroflow.models.recipes import resolve_model
    from neuroflow.models.spec import build_network

    torch.manual_seed(0)
    _, net = build_network(
        resolve_model("mnist-cnn", "image", "mnist"), (28, 28, 1), 10, "classification"
    )
    if layout == "nchw":
        net = net.to(memory_format=torch.contiguous_format)
    if relu == "before-pool":  # each layer in turn, as the spec lists them
        net.forward = lambda x: [x := layer(x) for layer in net.layers][-1]
    return net


def _batches(n: int, batch: int):
    """Index batches of a seeded shuffle, epoch after epoch, full batches only."""
    import torch

    shuffle = torch.Generator().manual_seed(0)
    while True:
        yield from torch.randperm(n, generator=shuffle)[: n // batch * batch].split(batch)


BASE = (
    "channels_last",
    "fused",
    "after-pool",
    "on",
    "off",
    128,
    "keep",
)  # what neuroflow trains with
SETTINGS = [  # (setting, index of the setting it is compared with)
    (("nchw", "default", "before-pool", "off", "off", 128, "keep"), None),
    (("channels_last", "default", "before-pool", "off", "off", 128, "keep"), 0),
    (("channels_last", "fused", "before-pool", "off", "off", 128, "keep"), 1),
    (("channels_last", "fused", "after-pool", "off", "off", 128, "keep"), 2),
    (BASE, 3),
    (("channels_last", "fused", "after-pool", "on", "off", 256, "keep"), 4),
    (("channels_last", "fused", "after-pool", "on", "off", 128, "flush"), 4),
]
COMPILED = (("channels_last", "fused", "after-pool", "on", "on", 128, "keep"), 4)


def compare(data_dir: str, limit: int, seconds: float, with_compile: bool = False) -> list[dict]:
    """Each setting's images/s and its speed-up over the one it is compared with, from turns of
    STEPS_PER_TURN steps."""
    from neuroflow.config import configure_torch

    threads = configure_torch()
    data = load(data_dir, limit)
    settings = SETTINGS + ([COMPILED] if with_compile else [])
    runs, compile_s = [], []
    for s, _ in settings:
        t = time.perf_counter()
        run = trainer(data, threads, *s)
        run(2)  # builds oneDNN's kernels (and compiles, with torch.compile)
        compile_s.append(time.perf_counter() - t if s[4] == "on" else 0.0)
        runs.append(run)
    per_image: list[list[float]] = [[] for _ in settings]
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for i, run in enumerate(runs):
            per_image[i].append(run(STEPS_PER_TURN))
    for run in runs:
        run.close()
    rows = []
    for i, (s, vs) in enumerate(settings):
        gains = (
            [a / b for a, b in zip(per_image[vs], per_image[i], strict=True)]
            if vs is not None
            else []
        )
        rows.append(
            {
                "setting": describe(s),
                "base": s == BASE,
                "vs": None if vs is None else describe(settings[vs][0]),
                "images_per_s": 1 / statistics.median(per_image[i]),
                "turns": len(per_image[i]),
                "speedup": statistics.median(gains) if gains else None,
                "compile_s": compile_s[i],
            }
        )
    return rows


def describe(s: tuple) -> str:
    return "layout={} adam={} relu={} split={} compile={} batch={} denormal={}".format(*s)


if __name__ == "__main__":
    help_asked(__doc__)
    a = sys.argv
    print(json.dumps(compare(a[1], int(a[2]), float(a[3]), len(a) > 4 and a[4] == "compile")))
