"""Lesson step 4 measured: a new 28x28 task learnt from few pictures, fine-tuned from a shared model
or from scratch.

The shared model is the lesson's mnist-cnn trained on digits 0-4; the new task is digits 5-9 from N
pictures. Both runs get the same epochs, batch size and seed; accuracy is on every 5-9 digit of the
MNIST test set. Run: .venv/bin/python -m benchmarks.finetune_transfer [N_PICTURES] [EPOCHS] [BATCH]
[SEEDS] [MNIST_DIR]
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks.usage import help_asked


def digits(ds, classes: np.ndarray, n_train: int, n_val: int, seed: int):
    """Only the digits in `classes` (relabelled 0..k-1), with n_train / n_val random pictures (0:
    all)."""
    rng = np.random.default_rng(seed)

    def pick(x, y, n):
        idx = np.flatnonzero(np.isin(y, classes))
        if n:
            idx = np.sort(rng.choice(idx, size=min(n, len(idx)), replace=False))
        return x[idx], np.searchsorted(classes, y[idx])

    (xtr, ytr), (xva, yva), (xte, yte) = (
        pick(ds.x_train, ds.y_train, n_train),
        pick(ds.x_val, ds.y_val, n_val),
        pick(ds.x_test, ds.y_test, 0),
    )
    return replace(
        ds,
        name=f"mnist-{classes[0]}to{classes[-1]}",
        x_train=xtr,
        y_train=ytr,
        x_val=xva,
        y_val=yva,
        x_test=xte,
        y_test=yte,
        class_names=[str(c) for c in classes],
    )


def main(n: int, epochs: int, batch: int, seeds: list[int], mnist_dir: str) -> None:
    import neuroflow as nf
    from neuroflow.data.pictures.idx import load_idx_dataset

    mnist = load_idx_dataset("mnist", data_dir=mnist_dir)
    with tempfile.TemporaryDirectory() as tmp:
        first = digits(mnist, np.arange(5), 30_000, 1_000, 0)
        parent = nf.train(
            first,
            model="mnist-cnn",
            epochs=1,
            progress="quiet",
            post_fit=False,
            out=Path(tmp) / "mnist-0to4",
        )
        print(
            f"shared model: mnist-cnn on digits 0-4, {len(first.y_train):,} pictures, 1 epoch: "
            f"test accuracy {nf.evaluate(parent, first)['accuracy']:.4f}"
        )
        wins = 0
        for seed in seeds:
            task = digits(mnist, np.arange(5, 10), n, 500, seed)
            common = {
                "epochs": epochs,
                "batch_size": batch,
                "seed": seed,
                "progress": "quiet",
                "post_fit": False,
            }
            scratch = nf.train(task, model="mnist-cnn", **common)
            tuned = nf.train(task, parent=parent.path, freeze="features", new_head=True, **common)
            a, b = (nf.evaluate(m, task)["accuracy"] for m in (scratch, tuned))
            wins += b > a
            print(
                f"seed {seed}: digits 5-9 from {len(task.y_train)} pictures, {epochs} epochs, "
                f"batch {batch}, tested on {len(task.y_test):,}: "
                f"from scratch {a:.4f}, fine-tuned (--freeze features --new-head) {b:.4f}"
            )
        print(f"fine-tuned beat from-scratch in {wins} of {len(seeds)} seeds")


if __name__ == "__main__":
    help_asked(__doc__)
    args = sys.argv[1:] + [None] * 5
    main(
        int(args[0] or 500),
        int(args[1] or 3),
        int(args[2] or 32),
        [int(s) for s in (args[3] or "0,1,2").split(",")],
        args[4] or str(Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"),
    )
