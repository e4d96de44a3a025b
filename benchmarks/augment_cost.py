"""What random augmentation adds to a training step of the lesson's CNN (batch 128, one thread).

The cost target of augmentation: an epoch with it at most 1.5× one without. Steps with and without
augmentation run in turn, so the machine's drift reaches both alike; the ratio is the median over
turns. `python -m benchmarks.augment_cost` prints one JSON line; `make bench` writes it to
RESULTS.md.
"""

from __future__ import annotations

import json
import statistics
import time

from benchmarks.usage import help_asked

AUGMENT = "rotate=15,scale=0.1,shift=0.1,blur=1,noise=0.05"


def main(turns: int = 40) -> dict:
    import torch
    import torch.nn as nn

    from benchmarks.reference import lesson_cnn
    from neuroflow.data.pictures.augment import Augmenter
    from neuroflow.models.logits import to_input

    torch.set_num_threads(1)
    torch.manual_seed(0)
    net = lesson_cnn().to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(net.parameters())
    x = to_input(torch.randint(0, 256, (128, 28, 28, 1), dtype=torch.uint8), 1 / 255)
    y = torch.randint(0, 10, (128,))
    aug, g = Augmenter.from_spec(AUGMENT), torch.Generator().manual_seed(0)

    def step(augment: bool) -> float:
        start = time.perf_counter()
        xb = aug(x, g) if augment else x
        opt.zero_grad()
        nn.functional.cross_entropy(net(xb), y).backward()
        opt.step()
        return time.perf_counter() - start

    step(True), step(False)
    plain, augmented = [], []
    for _ in range(turns):
        plain.append(step(False))
        augmented.append(step(True))
    return {
        "augment": AUGMENT,
        "plain_ms": statistics.median(plain) * 1e3,
        "augmented_ms": statistics.median(augmented) * 1e3,
        "ratio": statistics.median(a / p for a, p in zip(augmented, plain, strict=True)),
        "turns": turns,
    }


if __name__ == "__main__":
    help_asked(__doc__)
    print(json.dumps(main()))
