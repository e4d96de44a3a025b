"""Progress like Keras' fit: a bar on a terminal, one plain line per epoch otherwise, nothing when
quiet."""

from __future__ import annotations

import sys
import time

from neuroflow.training.callbacks import Callback


class Progress(Callback):
    def __init__(self, mode: str = "auto", stream=None):
        self.stream = stream or sys.stdout
        if mode == "auto":
            mode = "bar" if self.stream.isatty() else "lines"
        self.mode = mode
        self.epochs = self.steps = 0
        self._last_draw = 0.0

    def on_train_start(self, trainer) -> None:
        self.epochs, self.steps = trainer.settings.epochs, trainer.steps_per_epoch

    def on_epoch_start(self, trainer, epoch: int) -> None:
        self.t0 = time.perf_counter()
        if self.mode == "bar":
            print(f"Epoch {epoch}/{self.epochs}", file=self.stream)

    def on_step_end(self, trainer, step: int, logs: dict) -> None:
        if self.mode != "bar":
            return
        now = time.perf_counter()
        if step < self.steps and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        done = int(30 * step / self.steps)
        bar = "=" * max(done - 1, 0) + (">" if done < 30 else "=") + "." * (30 - done)
        per_step = (now - self.t0) / max(step, 1)
        if step < self.steps:
            eta = f"ETA: {per_step * (self.steps - step):.0f}s"
        else:
            eta = f"{now - self.t0:.0f}s {per_step * 1000:.0f}ms/step"
        line = f"\r{step}/{self.steps} [{bar}] - {eta}{_fmt(logs)}"
        print(line, end="", file=self.stream, flush=True)

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        elapsed = time.perf_counter() - self.t0
        if self.mode == "bar":
            self.on_step_end(trainer, self.steps, logs)
            val = {k: v for k, v in logs.items() if k.startswith("val_")}
            print(_fmt(val), file=self.stream, flush=True)
        elif self.mode == "lines":
            line = f"Epoch {epoch}/{self.epochs} - {elapsed:.1f}s{_fmt(logs)}"
            print(line, file=self.stream, flush=True)

    def note(self, text: str) -> None:
        if self.mode != "quiet":
            print(text, file=self.stream, flush=True)


def _fmt(logs: dict) -> str:
    return "".join(
        f" - {k}: {v:.4f}"
        for k, v in logs.items()
        if isinstance(v, float) and not k.endswith("time_s")
    )
