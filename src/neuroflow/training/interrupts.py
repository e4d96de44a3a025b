"""Stopping cleanly: Ctrl-C and SIGTERM become a flag checked between batches, and the messages
that say what was saved and how to continue."""

from __future__ import annotations

import contextlib
import signal

from neuroflow.errors import TrainingStopped


class StopOnSignal:
    """Turn SIGINT/SIGTERM into a flag checked between batches: no epoch ends half-saved."""

    def __init__(self):
        self.signal: str | None = None

    def __enter__(self):
        self._old = {}
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame):
        self.signal = signal.Signals(signum).name

    def __exit__(self, *exc):
        for sig, old in self._old.items():
            signal.signal(sig, old)


def nan_stop(epoch: int, step: int, run_dir, saved_epoch: int | None) -> TrainingStopped:
    saved = f"; the last good epoch is saved in {run_dir}/checkpoint" if saved_epoch else ""
    return TrainingStopped(
        f"the loss became NaN/Inf at epoch {epoch}, batch {step}{saved}",
        "the learning rate is probably too high (try a 10× smaller --lr) or the data has huge, "
        "unscaled values; --on-nan continue skips such batches",
    )


def interrupted(signame: str, epoch: int, run_dir, saved_epoch: int | None) -> TrainingStopped:
    if saved_epoch:
        err = TrainingStopped(
            f"stopped by {signame} during epoch {epoch}; "
            f"{'epoch 1 is' if saved_epoch == 1 else f'epochs 1–{saved_epoch} are'} saved in "
            f"{run_dir}",
            resume_hint(run_dir),
        )
    else:
        err = TrainingStopped(
            f"stopped by {signame} during epoch {epoch}, before any epoch was complete",
            "nothing was saved; start the training again",
        )
    err.exit_code = 130
    return err


def resume_hint(run_dir) -> str:
    """How to continue: the same command with --resume, under torchrun when it started this one."""
    from neuroflow.config import launched_by_torchrun

    if launched_by_torchrun():
        import os

        local = os.environ.get("LOCAL_WORLD_SIZE") or os.environ.get("WORLD_SIZE", "N")
        return (
            f"continue with the same torchrun command and --resume {run_dir}, e.g. torchrun "
            f"--nproc-per-node {local} -m neuroflow train --resume {run_dir}"
        )
    return f"continue with: neuroflow train --resume {run_dir}"
