"""Strategies: how a batch becomes gradients. The trainer's loop is the same for every one.

`SplitBatch` splits each batch across threads, one torch thread per part, because small convolutions
keep two cores busy poorly inside one operation. Each part's loss is weighted by its share of the
batch, so the parts add up to the whole batch's mean loss and gradient, and each part's Dropout
draws from its own generator: the same seed gives the same weights on the same machine. With one
part it is plain single-process training.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import torch
import torch.nn as nn

from neuroflow.models.layers import dropout_generator

MIN_PART = 32  # smaller parts cost more in per-operation overhead than they gain


@dataclass
class StepResult:
    logits: torch.Tensor  # the batch's logits (detached), for the running accuracy
    data_loss: torch.Tensor  # mean loss on the batch's data
    loss: torch.Tensor  # the differentiated loss: data loss plus the weighted non-example term
    grads: list[torch.Tensor | None]


@dataclass
class StepLoss:
    """The losses a step differentiates: on the data, and on synthetic non-examples (weighted)."""

    data: Callable
    non_examples: Callable | None = None
    weight: float = 0.0


class Strategy:
    """The seam between the trainer and how gradients are computed: one process, threads, processes.

    The trainer calls `setup` once, `batches` on each epoch's permutation (its share, in steps of
    `batch_size`), `__call__` for each batch inside `steps()`, `stop_signal` after each step,
    `all_sum` for the epoch's totals, `from_chief` for validation, and `close` at the end. Only the
    chief process prints progress, validates and writes files.
    """

    rank, world_size = 0, 1

    @property
    def is_chief(self) -> bool:
        return self.rank == 0

    def parts(self, network: nn.Module, threads: int, batch_size: int, is_image: bool) -> int:
        """How many parts each batch is split into, each with its own Dropout generator."""
        return 1

    def setup(self, network, params, loss: StepLoss, generators: list) -> None:
        raise NotImplementedError

    def threads(self) -> int | None:
        """Torch threads for this process (None: every core it may use, or NEUROFLOW_THREADS)."""
        return None

    def batches(self, permutation: torch.Tensor, global_batch: int):
        """The example indices of each step of an epoch, as this process takes them."""
        return self.shard(permutation).split(self.batch_size(global_batch))

    def shard(self, permutation: torch.Tensor) -> torch.Tensor:
        """This process's share of an epoch's permutation of the training examples."""
        return permutation

    def batch_size(self, global_batch: int) -> int:
        """Examples this process takes per step, so that a step means the same in every strategy."""
        return global_batch

    def steps(self) -> contextlib.AbstractContextManager:
        return contextlib.nullcontext()

    def __call__(self, x, y, extra=None) -> StepResult:
        raise NotImplementedError

    def all_sum(self, values: list[float]) -> list[float]:
        """Sums over every process (one process: the values themselves)."""
        return values

    def from_chief(self, compute: Callable):
        """The chief's `compute()`, on every process (validation, what is saved): they never
        disagree."""
        return compute()

    def stop_signal(self, signame: str | None) -> str | None:
        """The signal that stops training after this step, if any process received one."""
        return signame

    def close(self) -> None:
        pass


def flushes_denormals() -> bool:
    """Whether this thread flushes denormal floats to zero (torch sets the mode but cannot report
    it)."""
    return float(torch.tensor(1e-40) * 1.0) == 0.0


def _step_thread(flush_denormal: bool) -> None:
    torch.set_num_threads(1)
    torch.set_flush_denormal(flush_denormal)


def has_batchnorm(network: nn.Module) -> bool:
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in network.modules())


class SplitBatch(Strategy):
    """One process; each batch split into `workers` parts on as many threads (None: decide)."""

    def __init__(self, workers: int | None = None, *, flush_denormal: bool = False):
        self.workers, self.flush_denormal = workers, flush_denormal
        self._pool: ThreadPoolExecutor | None = None

    def parts(self, network: nn.Module, threads: int, batch_size: int, is_image: bool) -> int:
        """One part per core for image networks without BatchNorm (its statistics would be per
        part)."""
        if self.workers is None:
            split = is_image and threads >= 2 and not has_batchnorm(network)
            self.workers = max(1, min(threads, batch_size // MIN_PART)) if split else 1
        return self.workers

    def setup(self, network, params, loss: StepLoss, generators: list) -> None:
        self.workers = self.workers or 1
        self.network, self.params, self.loss = network, params, loss
        self.generators = list(generators) or [None] * self.workers
        if self.workers > 1:
            self._pool = ThreadPoolExecutor(
                self.workers - 1,
                thread_name_prefix="neuroflow-step",
                initializer=_step_thread,
                initargs=(self.flush_denormal,),
            )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    @contextlib.contextmanager
    def steps(self) -> Iterator[None]:
        """One torch thread per part while steps run (the count is process-wide), and this thread's
        denormal mode, both put back afterwards."""
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

    def __call__(self, x, y, extra=None) -> StepResult:
        n, m = len(y), 0 if extra is None else len(extra)
        fits = n >= self.workers * 2 and (extra is None or m >= self.workers)
        parts = self.workers if fits else 1
        if parts == 1:
            return _summed([self._part(0, x, y, extra, n, m)])
        xs, ys = x.tensor_split(parts), y.tensor_split(parts)
        es = extra.tensor_split(parts) if extra is not None else [None] * parts
        futures = [
            self._pool.submit(self._part, i, xs[i], ys[i], es[i], n, m) for i in range(1, parts)
        ]
        try:
            results = [self._part(0, xs[0], ys[0], es[0], n, m)]
        finally:
            results += [f.result() for f in futures]  # always wait: no part outlives its step
        return _summed(results)

    def _part(self, i: int, x, y, extra, n: int, m: int):
        with dropout_generator(self.generators[i]):
            out = self.network(x if extra is None else torch.cat([x, extra]))
        logits = out[: len(y)]
        data_loss = self.loss.data(logits, y) * (len(y) / n)
        loss = data_loss
        if extra is not None:
            outside = self.loss.non_examples(out[len(y) :])
            loss = loss + self.loss.weight * outside * (len(extra) / m)
        grads = torch.autograd.grad(loss, self.params, allow_unused=True)
        return logits.detach(), data_loss.detach(), loss.detach(), grads


def _summed(results: list) -> StepResult:
    """The parts' logits side by side, their losses and gradients added in a fixed order."""
    logits = results[0][0] if len(results) == 1 else torch.cat([r[0] for r in results])
    data_loss, loss = sum(r[1] for r in results), sum(r[2] for r in results)
    grads = list(results[0][3])
    for r in results[1:]:
        grads = [
            a if b is None else b if a is None else a + b for a, b in zip(grads, r[3], strict=True)
        ]
    return StepResult(logits, data_loss, loss, grads)
