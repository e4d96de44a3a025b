"""Why mnist-fast is built as it is: the designs that do less work per picture, and whether they
still reach 99%.

mnist-fast as shipped pools after each convolution. Pooling and the first convolution (one input
channel) are the costly memory-bound parts of its step, so the cheaper designs skip them: a first
convolution with stride 2 (a quarter of its outputs, one pooling less), both convolutions with
stride 2 (no pooling), and the shipped network for one epoch instead of two. Each design trains
with three seeds, each run in a process of its own, one after another; reported are its seconds of
training (steps and validation, as the model's history records them) and its test accuracy.

python -m benchmarks.fast_designs [--data-dir D]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (0, 1, 2)
GOALS = (0.99, 5.0)  # test accuracy (median of the seeds), seconds of training


def _conv(filters: int, strides: int = 1) -> dict:
    return {"type": "Conv2D", "filters": filters, "kernel_size": 3, "padding": "same",
            "activation": "relu", "strides": strides}  # fmt: skip


def designs() -> dict[str, dict]:
    """Name → spec: mnist-fast as shipped and the cheaper designs."""
    from neuroflow.models.recipes import recipe

    shipped = recipe("mnist-fast")
    head = shipped["layers"][-3:]  # Flatten, Dense 128, output
    pool = {"type": "MaxPool2D", "pool_size": 2}
    return {
        "mnist-fast as shipped": shipped,
        "first convolution stride 2": {
            **shipped,
            "layers": [_conv(8, 2), _conv(16), pool, *head],
        },  # fmt: skip
        "both convolutions stride 2, no pooling": {
            **shipped,
            "layers": [_conv(8, 2), _conv(16, 2), *head],
        },  # fmt: skip
        "as shipped, 1 epoch": {**shipped, "epochs": 1},
    }


def child(data_dir: str, name: str, seed: int) -> dict:
    import neuroflow as nf

    model = nf.train("mnist", designs()[name], data_dir=data_dir, seed=seed, progress="quiet",
                     post_fit=False, test=True)  # fmt: skip
    return {
        "train_s": sum(h["time_s"] for h in model.history),
        "test_accuracy": model.test_report["accuracy"],
    }


def section(say, data_dir: str) -> None:
    say("## mnist-fast: cheaper designs against the 99% goal")
    say("")
    say("Written by `python -m benchmarks.fast_designs` (part of `make bench`): each design with "
        f"seeds {', '.join(map(str, SEEDS))}, each run a process of its own, one after another; "
        "training seconds are steps and validation.")  # fmt: skip
    say("")
    say("| design | training s per seed | median | test accuracy per seed | median | both goals |")
    say("|---|---|---|---|---|---|")
    for name in designs():
        runs = []
        for seed in SEEDS:
            cmd = [sys.executable, "-m", "benchmarks.fast_designs", "--child", data_dir, name,
                   str(seed)]  # fmt: skip
            done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        secs = [r["train_s"] for r in runs]
        accs = [r["test_accuracy"] for r in runs]
        acc, sec = statistics.median(accs), statistics.median(secs)
        met = "yes" if acc >= GOALS[0] and sec <= GOALS[1] else "no"
        say(f"| {name} | {', '.join(f'{s:.1f}' for s in secs)} | {sec:.1f} | "
            f"{', '.join(f'{a:.4f}' for a in accs)} | {acc:.4f} | {met} |")  # fmt: skip
    say("")
    say(f"Goals: median test accuracy ≥ {GOALS[0]:.2f} in ≤ {GOALS[1]:g} s of training.")
    say("")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
    else:
        import argparse

        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"))
        section(print, parser.parse_args().data_dir)
