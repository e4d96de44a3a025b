"""One training step's loss and gradients, with the batch split across threads when that is faster.

On a CPU the small convolutions of lesson-sized networks keep two cores busy poorly inside one
operation; giving each core its own part of the batch (one torch thread each, gradients summed in a
fixed order) is faster (figures in benchmarks/RESULTS.md). Each part's losses are weighted by its share
of the batch, so the parts add up to the whole batch's mean loss and gradient; each part's Dropout
draws from its own generator, so the same seed gives the same weights on the same machine.

Denormal floats are kept by default: flushing them to zero timed the same as keeping them in the
settings table of benchmarks/RESULTS.md. `flush_denormal` sets the mode, which is per thread, on
each step thread, and puts the caller's thread back as it was after the steps.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import torch
import torch.nn as nn

from neuroflow.models.layers import dropout_generator

MIN_PART = 32  # no part smaller than this: per-operation overhead grows as parts shrink (the benchmark measures parts of 64)


def split_workers(network: nn.Module, threads: int, batch_size: int, is_image: bool) -> int:
    """How many parts to split each batch into: one per core for image networks without BatchNorm."""
    if (
        not is_image
        or threads < 2
        or any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in network.modules())
    ):
        return 1  # BatchNorm's statistics would be per part, not per batch
    return max(1, min(threads, batch_size // MIN_PART))


@dataclass
class StepResult:
    logits: torch.Tensor  # the batch's logits (detached), for the running accuracy
    data_loss: torch.Tensor  # mean loss on the batch's data
    loss: torch.Tensor  # the differentiated loss: data loss plus the weighted outlier term
    grads: list[torch.Tensor | None]


def flushes_denormals() -> bool:
    """Whether this thread flushes denormal floats to zero (torch sets the mode but cannot report it)."""
    return float(torch.tensor(1e-40) * 1.0) == 0.0


def _step_thread(flush_denormal: bool) -> None:
    torch.set_num_threads(1)
    torch.set_flush_denormal(flush_denormal)


class StepRunner:
    def __init__(
        self,
        network: nn.Module,
        params: list[torch.Tensor],
        data_loss: Callable,
        *,
        outlier_loss: Callable | None = None,
        outlier_weight: float = 0.0,
        workers: int = 1,
        generators: list[torch.Generator] | None = None,
        flush_denormal: bool = False,
    ):
        self.network, self.params, self.data_loss = network, params, data_loss
        self.outlier_loss, self.outlier_weight = outlier_loss, outlier_weight
        self.workers, self.flush_denormal = workers, flush_denormal
        self.generators = generators or [None] * workers
        self._pool = (
            ThreadPoolExecutor(
                workers - 1,
                thread_name_prefix="neuroflow-step",
                initializer=_step_thread,
                initargs=(flush_denormal,),
            )
            if workers > 1
            else None
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    @contextlib.contextmanager
    def threads_for_steps(self) -> Iterator[None]:
        """One torch thread per part while steps run (torch's thread count is process-wide), and this thread's denormal mode."""
        threads, flushing = torch.get_num_threads(), flushes_denormals()
        if self.workers > 1:
            torch.set_num_threads(1)
        torch.set_flush_denormal(self.flush_denormal)
        try:
            yield
        finally:
            torch.set_flush_denormal(flushing)
            if self.workers > 1:
                torch.set_num_threads(threads)

    def __call__(
        self, x: torch.Tensor, y: torch.Tensor, extra: torch.Tensor | None = None
    ) -> StepResult:
        n, m = len(y), 0 if extra is None else len(extra)
        parts = (
            self.workers if n >= self.workers * 2 and (extra is None or m >= self.workers) else 1
        )
        if parts == 1:
            results = [self._part(0, x, y, extra, n, m)]
        else:
            xs, ys = x.tensor_split(parts), y.tensor_split(parts)
            es = extra.tensor_split(parts) if extra is not None else [None] * parts
            futures = [
                self._pool.submit(self._part, i, xs[i], ys[i], es[i], n, m) for i in range(1, parts)
            ]
            try:
                results = [self._part(0, xs[0], ys[0], es[0], n, m)]
            finally:
                results += [
                    f.result() for f in futures
                ]  # always wait: a part never outlives its step
        logits = results[0][0] if parts == 1 else torch.cat([r[0] for r in results])
        data_loss, loss = sum(r[1] for r in results), sum(r[2] for r in results)
        grads = list(results[0][3])
        for r in results[1:]:
            grads = [
                a if b is None else b if a is None else a + b
                for a, b in zip(grads, r[3], strict=True)
            ]
        return StepResult(logits, data_loss, loss, grads)

    def _part(self, i: int, x, y, extra, n: int, m: int):
        with dropout_generator(self.generators[i]):
            out = self.network(x if extra is None else torch.cat([x, extra]))
        logits = out[: len(y)]
        data_loss = self.data_loss(logits, y) * (len(y) / n)
        loss = data_loss
        if extra is not None:
            loss = loss + self.outlier_weight * self.outlier_loss(out[len(y) :]) * (len(extra) / m)
        grads = torch.autograd.grad(loss, self.params, allow_unused=True)
        return logits.detach(), data_loss.detach(), loss.detach(), grads
