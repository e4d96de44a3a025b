"""Callbacks: what happens around the loop (progress, checkpoints, early stopping, pruning).

A callback overrides the hooks it needs; the trainer calls them in the order it was given them.
"""

from __future__ import annotations

from pathlib import Path

from neuroflow.training import checkpoint as ckpt


class Callback:
    def on_train_start(self, trainer) -> None:
        pass

    def on_epoch_start(self, trainer, epoch: int) -> None:
        pass

    def on_step_end(self, trainer, step: int, logs: dict) -> None:
        pass

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        pass

    def on_train_end(self, trainer) -> None:
        pass

    def close(self) -> None:
        """Called however training ends (also after an error), after on_train_end when it ran."""


class EpochHook(Callback):
    """Calls `fn(logs)` after each epoch; it may raise to stop training (tuning prunes so)."""

    def __init__(self, fn):
        self.fn = fn

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        self.fn(logs)


class EarlyStopping(Callback):
    """Counts epochs without a lower val_loss, stops after `patience` of them, keeps the best
    weights.

    Its numbers live in the trainer's state, so checkpoints carry them and resuming continues them.
    """

    def __init__(self, patience: int | None):
        self.patience = patience

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        state = trainer.state
        if logs["val_loss"] < state.best_loss:
            state.best_loss, state.stale = logs["val_loss"], 0
            if self.patience:
                network = trainer.network
                state.best_weights = {
                    k: v.detach().clone() for k, v in network.state_dict().items()
                }
        else:
            state.stale += 1
        if self.patience and state.stale >= self.patience:
            trainer.stop_training = True

    def on_train_end(self, trainer) -> None:
        state = trainer.state
        if self.patience and state.best_weights is not None:
            trainer.network.load_state_dict(state.best_weights)
            best = min(state.history, key=lambda h: h["val_loss"])["epoch"]
            trainer.note(f"Early stopping: kept the weights of epoch {best} (lowest val_loss).")


class Checkpoints(Callback):
    """Writes a checkpoint after every epoch into `run_dir` (in the background, at most once a
    second)."""

    def __init__(self, run_dir: Path):
        self.run_dir = run_dir
        self.writer = ckpt.CheckpointWriter(run_dir)

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        self.writer.save(**trainer.checkpoint_state())

    def saved_epoch(self) -> int | None:
        """The last epoch on disk, once every pending write is done."""
        self.writer.wait()
        return ckpt.read_info(self.run_dir)["epoch"] if ckpt.has_checkpoint(self.run_dir) else None

    def close(self) -> None:
        self.writer.close()
