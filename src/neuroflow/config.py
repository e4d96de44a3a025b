"""Where neuroflow finds data and keeps its cache, and how it seeds and threads torch.

Paths resolve as DESIGN.md says: --data-dir, then $NEUROFLOW_DATA, then the user cache.
"""

from __future__ import annotations

import os
import random
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

    if threads is None:
        threads = env_threads() or usable_cores()
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads


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
