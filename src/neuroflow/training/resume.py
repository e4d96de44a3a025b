"""Resuming a run: what started it is recorded in its checkpoint, so the same command goes on.

Repeating the original command with --resume is what people do: every setting equal to the
recorded one is accepted, and only those that differ are refused, each named with both values.
"""

from __future__ import annotations

from pathlib import Path

from neuroflow.errors import UsageError
from neuroflow.training.checkpoint import read_info

# What a run records of how it was started, and the flag each is given by on the command line.
RUN_KEYS = {
    "data": "DATA",
    "target": "--target",
    "task": "--task",
    "model": "--model",
    "data_dir": "--data-dir",
    "augment": "--augment",
    "augment_test": "--augment-test",
    "image_size": "--image-size",
    "grayscale": "--grayscale",
    "seed": "--seed",
    "from_model": "--from",
    "freeze": "--freeze",
    "new_head": "--new-head",
    "epochs": "--epochs",
    "batch_size": "--batch-size",
    "lr": "--lr",
    "optimizer": "--optimizer",
    "early_stopping": "--early-stopping",
    "outlier_exposure": "--outlier-exposure",
    "on_nan": "--on-nan",
    "base": "--from",
    "weights": "--weights",
    "fine_tune_epochs": "--fine-tune-epochs",
}
# Recorded only by newer versions: a checkpoint without them was started with them not given.
LATER_KEYS = ("outlier_exposure", "base", "weights", "fine_tune_epochs")


def recorded_run(run_dir: Path) -> dict:
    """The settings a checkpointed run started with."""
    record = read_info(run_dir).get("run")
    if not isinstance(record, dict) or not set(record) >= set(RUN_KEYS) - set(LATER_KEYS):
        raise UsageError(
            f"{run_dir} holds a checkpoint that neuroflow train did not start (no record of how)",
            "start the training again with another --out",
        )
    return {k: None for k in LATER_KEYS} | record


def _same(recorded, given) -> bool:
    if isinstance(recorded, list | tuple) and isinstance(given, list | tuple):
        return list(recorded) == list(given)
    if isinstance(recorded, int | float) and isinstance(given, int | float):
        return float(recorded) == float(given)
    return str(recorded) == str(given)


def _recorded(value) -> str:
    """A recorded setting as the refusal shows it: None was not given, so the recipe chose it."""
    return "not given (the recipe's value)" if value is None else repr(value)


def continue_run(run_dir: Path, given: dict, out) -> dict:
    """The recorded settings, after checking that every one `given` (not None) equals its record."""
    record = recorded_run(run_dir)
    differ = [
        f"{RUN_KEYS[k]} was {_recorded(record[k])} there, not {v!r}"
        for k, v in given.items()
        if v is not None and k in RUN_KEYS and not _same(record[k], v)
    ]
    if out is not None and Path(out) != Path(run_dir):
        differ.append(f"--out is {str(run_dir)!r} when resuming, not {str(out)!r}")
    if differ:
        raise UsageError(
            f"--resume continues {run_dir} with the settings it started with, and "
            + "; ".join(differ),
            "leave those out or give the recorded values, or start a new run with another --out",
        )
    return record
