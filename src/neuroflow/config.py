"""Where neuroflow finds data and keeps its cache, and how it seeds and threads torch.

Paths resolve as DESIGN.md says: --data-dir, then $NEUROFLOW_DATA, then the user cache.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import numpy as np


def cache_dir() -> Path:
    """neuroflow's user cache: $NEUROFLOW_CACHE, else $XDG_CACHE_HOME/neuroflow, else
    ~/.cache/neuroflow."""
    if env := os.environ.get("NEUROFLOW_CACHE"):
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "neuroflow"


def data_dirs(data_dir: str | os.PathLike | None = None) -> list[Path]:
    """Folders searched for dataset files, in order."""
    dirs = []
    if data_dir:
        dirs.append(Path(data_dir).expanduser())
    if env := os.environ.get("NEUROFLOW_DATA"):
        dirs.append(Path(env).expanduser())
    dirs.append(cache_dir() / "datasets")
    return dirs


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch so the same seed gives the same weights on the same machine."""
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def configure_torch(threads: int | None = None) -> int:
    """Set torch's intra-op threads (default: every core this process may use) and return the
    count."""
    import torch

    tune_allocator()
    if threads is None:
        threads = env_threads() or usable_cores()
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads


# glibc's mallopt parameters
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8
MMAP_THRESHOLD = 32 * 2**20  # blocks below this come from the heap and are reused
TRIM_THRESHOLD = 2**30  # freed heap memory is kept for the next step, not handed back
ARENAS = 2
_allocator_tuned: bool | None = None


def tune_allocator() -> bool:
    """Let glibc reuse a training step's buffers instead of mapping and unmapping them each step.

    A step's activations are a few MB each: by default glibc maps such blocks fresh and unmaps them
    when freed, so every step faults their pages in again (measured: about 4× the minor page faults
    and 10-15% of the step time, shared/PERFORMANCE-NOTES.md). Blocks under 32 MB now come from the
    heap and stay there for the next step. Every thread that allocates would get an arena of its
    own that keeps what it frees, so arenas are capped at two. Once per process; False where the C
    library is not glibc.
    """
    global _allocator_tuned
    if _allocator_tuned is None:
        _allocator_tuned = False
        if sys.platform.startswith("linux"):
            import ctypes

            try:
                libc = ctypes.CDLL(None)
                _allocator_tuned = all(
                    libc.mallopt(param, value) == 1
                    for param, value in ((M_MMAP_THRESHOLD, MMAP_THRESHOLD),
                                         (M_TRIM_THRESHOLD, TRIM_THRESHOLD),
                                         (M_ARENA_MAX, ARENAS))
                )  # fmt: skip
            except (OSError, AttributeError):  # another C library (musl) has no mallopt
                pass
    return _allocator_tuned


def usable_cores() -> int:
    """The cores this process may run on (all of them where the system cannot say, as on macOS)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def env_threads() -> int | None:
    value = os.environ.get("NEUROFLOW_THREADS")
    return int(value) if value and value.isdigit() and int(value) > 0 else None


def launched_by_torchrun() -> bool:
    """Whether torchrun (or a launcher setting its variables) started this process among others.

    Read without importing torch, so that a plain `neuroflow train` starts as fast as before.
    """
    return os.environ.get("WORLD_SIZE", "1").strip() not in ("", "1")
