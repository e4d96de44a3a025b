"""Training across processes and machines: DistributedDataParallel over gloo, as one more strategy.

torchrun starts one process per rank and sets RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR and
MASTER_PORT; `Distributed.from_env()` joins them. Every rank holds the whole dataset (uint8, in
memory) and takes its share of each global batch of the epoch's permutation: the global batch is cut
into WORLD_SIZE parts, each rank's loss is weighted by its part's share of the batch, and DDP's
averaged gradients are then exactly the whole batch's mean gradient, so --batch-size and --lr mean
what they mean in one process. Only rank 0 (the chief) prints, validates, checkpoints and saves.
"""

from __future__ import annotations

import collections
import contextlib
import datetime
import math
import os
import shutil
import tempfile
from pathlib import Path

import torch
import torch.nn as nn

from neuroflow.errors import UsageError
from neuroflow.training.process_group import (
    ENV,
    SIGNALS,
    STOP_EVERY,
    TIMEOUT_ENV,
    OtherRankFailed,
    PeerLost,
    c10d_log_held_back,
    exchange,
    timeout_s,
)
from neuroflow.training.strategies import StepLoss, StepResult, Strategy


class Distributed(Strategy):
    """One rank of a DistributedDataParallel run over gloo (CPUs); `from_env()` joins torchrun's
    group."""

    def __init__(self, rank: int, world_size: int, local_world_size: int = 1):
        self.rank, self.world_size, self.local_world_size = rank, world_size, local_world_size
        self.ddp: nn.Module | None = None
        self._global_n = self._global_batch = self._steps = 0
        self._global_sizes: collections.deque = collections.deque()
        self._shared: Path | None = None

    # joining -------------------------------------------------------------------------------------
    @classmethod
    def from_env(cls, environ=os.environ) -> Distributed:
        """Join the process group torchrun's variables describe; bad or unreachable ones:
        UsageError."""
        import torch.distributed as dist

        missing = [k for k in ENV if not environ.get(k)]
        if missing:
            raise UsageError(
                f"distributed training needs torchrun's variables, and {', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set",
                "start it as: torchrun --nproc-per-node 2 -m neuroflow train ...",
            )
        try:
            rank, world = int(environ["RANK"]), int(environ["WORLD_SIZE"])
            local = int(environ.get("LOCAL_WORLD_SIZE") or 1)
            port = int(environ["MASTER_PORT"])
        except ValueError:
            raise UsageError(
                "RANK, WORLD_SIZE, LOCAL_WORLD_SIZE and MASTER_PORT must be whole numbers",
                "let torchrun set them",
            ) from None
        if not (0 <= rank < world and 1 <= local <= world and 0 < port < 65536):
            raise UsageError(
                f"RANK {rank} of WORLD_SIZE {world} (LOCAL_WORLD_SIZE {local}, MASTER_PORT {port}) "
                "do not fit together",
                "let torchrun set them",
            )
        where = f"{environ['MASTER_ADDR']}:{port}"
        if not dist.is_initialized():
            try:
                with c10d_log_held_back():
                    _within_timeout(
                        lambda: dist.init_process_group(
                            "gloo",
                            init_method="env://",
                            rank=rank,
                            world_size=world,
                            timeout=datetime.timedelta(seconds=timeout_s()),
                        )
                    )
            except (RuntimeError, ValueError, OSError) as err:  # DistStoreError is a RuntimeError
                why = " ".join(str(err).split())[:100]
                raise UsageError(
                    f"rank {rank} could not meet the other {world - 1} processes at {where} "
                    f"within {timeout_s():g} s ({why})",
                    f"check that rank 0 runs and that {where} is reachable from here "
                    f"(open that port; set GLOO_SOCKET_IFNAME to the network interface to use); "
                    f"{TIMEOUT_ENV} sets the wait",
                ) from None
        return cls(rank, world, local)

    def threads(self) -> int | None:
        """The cores this process may use divided among the processes on this machine."""
        from neuroflow.config import env_threads, usable_cores

        return env_threads() or max(1, usable_cores() // self.local_world_size)

    # the trainer's seam --------------------------------------------------------------------------
    def batch_size(self, global_batch: int) -> int:
        if global_batch % self.world_size:
            raise UsageError(
                f"--batch-size {global_batch} does not divide among {self.world_size} processes",
                f"give a multiple of {self.world_size}, e.g. --batch-size "
                f"{max(1, round(global_batch / self.world_size)) * self.world_size}",
            )
        self._global_batch = global_batch
        return global_batch // self.world_size

    def batches(self, permutation: torch.Tensor, global_batch: int):
        """This rank's part of each global batch (as DistributedSampler shards: disjoint, no
        padding).

        Every rank takes the same number of steps; in a last batch smaller than the world some parts
        are empty, and those ranks still join the step with a zero gradient.
        """
        chunks = permutation.split(global_batch)
        self._global_sizes = collections.deque(len(chunk) for chunk in chunks)
        return [chunk.tensor_split(self.world_size)[self.rank] for chunk in chunks]

    def shard(self, permutation: torch.Tensor) -> torch.Tensor:
        """Every example this rank takes in the epoch (its parts of the global batches, in
        order)."""
        chunks = permutation.split(self._global_batch)
        return torch.cat([chunk.tensor_split(self.world_size)[self.rank] for chunk in chunks])

    def setup(self, network, params, loss: StepLoss, generators: list) -> None:
        from torch.nn.parallel import DistributedDataParallel

        self.network, self.params, self.loss = network, params, loss
        self.generator = generators[0] if generators else None
        # The network is in channels_last already (built so, on every rank alike); DDP broadcasts
        # rank 0's weights and buffers, so every rank starts from the same network. Gradients are
        # views of DDP's exchange buffer, which saves copying them into it and back each step.
        with exchange():
            self.ddp = DistributedDataParallel(network, gradient_as_bucket_view=True)

    def __call__(self, x, y, extra=None) -> StepResult:
        from neuroflow.models.layers import dropout_generator

        n, world = len(y), self.world_size
        self._global_n = self._global_sizes.popleft()  # the step's whole batch, over every rank
        # DDP averages the ranks' gradients: each part's mean loss is scaled so the average is the
        # batch's
        share = n / self._global_n * world
        for p in self.params:
            p.grad = None
        with exchange():
            with dropout_generator(self.generator):
                out = self.ddp(x if extra is None else torch.cat([x, extra]))
            logits = out[:n]
            # An empty part (a last batch smaller than the world) still joins, with a zero gradient.
            data_loss = self.loss.data(logits, y) * share if n else out.sum() * 0.0
            loss = data_loss
            if extra is not None and len(extra):
                loss = loss + self.loss.weight * self.loss.non_examples(out[n:])
            loss.backward()
        grads = [p.grad for p in self.params]
        # A NaN anywhere reaches every rank's averaged gradients: judged on them, every rank stops
        # at the same step, with no exchange of its own (each one costs a wake-up on a busy host).
        # Their sum is NaN or infinite when any of them is, and costs one check, not one per tensor.
        present = [g.sum() for g in grads if g is not None]
        finite = not present or bool(torch.stack(present).sum().isfinite())
        checked = loss.detach().nan_to_num(0.0, 0.0, 0.0) if finite else torch.tensor(math.nan)
        local = data_loss.detach() / share if n else data_loss.detach()  # the part's own mean loss
        return StepResult(logits.detach(), local, checked, grads)

    def _reduce(self, t: torch.Tensor) -> torch.Tensor:
        import torch.distributed as dist

        dist.all_reduce(t)
        return t

    def all_sum(self, values: list[float]) -> list[float]:
        with exchange():
            t = self._reduce(torch.tensor([float(v) for v in values], dtype=torch.float64))
        return [type(v)(x) for v, x in zip(values, t.tolist(), strict=True)]

    def from_chief(self, compute):
        """Rank 0's result of `compute()`, on every rank (the others do not compute it)."""
        import torch.distributed as dist

        box = [compute() if self.is_chief else None]
        with exchange():
            dist.broadcast_object_list(box, src=0)
        return box[0]

    def stop_signal(self, signame: str | None) -> str | None:
        """A signal any rank received: every rank stops after the same step (asked every few
        steps)."""
        self._steps += 1
        if self._steps % STOP_EVERY:
            return None
        code = torch.tensor([SIGNALS.index(signame) if signame in SIGNALS else int(bool(signame))])
        with exchange():
            self._reduce_max(code)
        return SIGNALS[int(code)] or None

    def _reduce_max(self, t):
        import torch.distributed as dist

        dist.all_reduce(t, op=dist.ReduceOp.MAX)

    # before and after training -------------------------------------------------------------------
    def agree(self, error: BaseException | None) -> None:
        """Every rank says whether its preparation (data, folders) failed; when another's did, this
        one stops too, and rank 0 says which rank failed and why."""
        import torch.distributed as dist

        said = [None] * self.world_size
        with exchange():
            dist.all_gather_object(said, None if error is None else str(error))
        failed = [(rank, text) for rank, text in enumerate(said) if text]
        if error is None and failed:
            rank, text = failed[0]
            raise OtherRankFailed(f"rank {rank} could not start: {text}")

    def shared_checkpoint(self, run_dir: Path) -> Path:
        """Rank 0's checkpoint folder, on every rank: other machines have no copy of it, and the
        ranks on rank 0's machine must not read it while rank 0 may be replacing it."""
        from neuroflow.training.checkpoint import FOLDER

        files = None
        if self.is_chief:
            folder = Path(run_dir) / FOLDER
            if folder.is_dir():
                files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
        files = self.from_chief(lambda: files)
        if self.is_chief or files is None:
            return Path(run_dir)  # rank 0 reads its own; no checkpoint: its error is the one shown
        self._shared = Path(tempfile.mkdtemp(prefix=f"neuroflow-rank{self.rank}-"))
        (self._shared / FOLDER).mkdir()
        for name, data in files.items():
            (self._shared / FOLDER / name).write_bytes(data)
        return self._shared

    def close(self) -> None:
        if self._shared is not None:
            shutil.rmtree(self._shared, ignore_errors=True)
            self._shared = None

    def settle(self) -> None:
        """Wait a little for every rank to reach its end (after an error all of them met)."""
        import torch.distributed as dist

        with contextlib.suppress(Exception):
            wait = datetime.timedelta(seconds=min(30.0, timeout_s()))
            dist.monitored_barrier(timeout=wait, wait_all_ranks=True)

    def shutdown(self) -> None:
        import torch.distributed as dist

        self.close()
        if dist.is_initialized():
            with contextlib.suppress(Exception):
                dist.destroy_process_group()


__all__ = ["Distributed", "OtherRankFailed", "PeerLost"]


def _within_timeout(meet) -> None:
    """Run `meet` (joining the process group), giving up after the timeout: a program on
    MASTER_PORT that accepts connections but is not torch's store never answers, and torch's own
    timeout does not cover that wait. The waiting thread is a daemon, so the process still ends."""
    import threading

    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            meet()
            outcome.append(None)
        except BaseException as err:  # handed to the caller's thread
            outcome.append(err)

    thread = threading.Thread(target=run, daemon=True, name="neuroflow-rendezvous")
    thread.start()
    thread.join(timeout_s() + 5)  # torch's own timeout, when it applies, speaks first
    if not outcome:
        raise TimeoutError("no answer from the store on that port")
    if outcome[0] is not None:
        raise outcome[0]
