"""Progress like Keras' fit: a bar on a terminal, one plain line per epoch otherwise, nothing when quiet."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, epochs: int, steps: int, mode: str = "auto", stream=None):
        self.stream = stream or sys.stdout
        if mode == "auto":
            mode = "bar" if self.stream.isatty() else "lines"
        self.mode, self.epochs, self.steps = mode, epochs, steps
        self._last_draw = 0.0

    def start_epoch(self, epoch: int) -> None:
        self.t0 = time.perf_counter()
        if self.mode == "bar":
            print(f"Epoch {epoch}/{self.epochs}", file=self.stream)

    def step(self, step: int, logs: dict) -> None:
        if self.mode != "bar":
            return
        now = time.perf_counter()
        if step < self.steps and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        done = int(30 * step / self.steps)
        bar = "=" * max(done - 1, 0) + (">" if done < 30 else "=") + "." * (30 - done)
        per_step = (now - self.t0) / max(step, 1)
        eta = (
            f"ETA: {per_step * (self.steps - step):.0f}s"
            if step < self.steps
            else f"{now - self.t0:.0f}s {per_step * 1000:.0f}ms/step"
        )
        print(
            f"\r{step}/{self.steps} [{bar}] - {eta}{_fmt(logs)}",
            end="",
            file=self.stream,
            flush=True,
        )

    def end_epoch(self, epoch: int, logs: dict) -> None:
        elapsed = time.perf_counter() - self.t0
        if self.mode == "bar":
            self.step(self.steps, logs)
            print(
                f"{_fmt({k: v for k, v in logs.items() if k.startswith('val_')})}",
                file=self.stream,
                flush=True,
            )
        elif self.mode == "lines":
            print(
                f"Epoch {epoch}/{self.epochs} - {elapsed:.1f}s{_fmt(logs)}",
                file=self.stream,
                flush=True,
            )

    def note(self, text: str) -> None:
        if self.mode != "quiet":
            print(text, file=self.stream, flush=True)


def _fmt(logs: dict) -> str:
    return "".join(
        f" - {k}: {v:.4f}"
        for k, v in logs.items()
        if isinstance(v, float) and not k.endswith("time_s")
    )
