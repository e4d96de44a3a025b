"""Caches on disk that neuroflow builds once and reads many times (decoded pictures, prepared table
rows): one builder at a time across processes, and the one line when a cache cannot be written."""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from pathlib import Path

from neuroflow.errors import DataError


@contextlib.contextmanager
def one_builder(path: Path) -> Iterator[None]:
    """Processes sharing a cache (the ranks of a multi-process run, two runs at once) decode it
    once: the first builds it while the others wait, then they read it."""
    try:
        import fcntl

        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(path.parent / f".{path.name}.lock", "a")  # noqa: SIM115 - held across the yield
    except (ImportError, OSError):  # no flock (Windows), or an unwritable cache the build reports
        yield
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def write_failed(err: OSError, folder: Path, what: str) -> DataError:
    """The one line for a cache that could not be written (`what`: what it would have held)."""
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return DataError(
            f"the disk holding {folder} is full: {what} were not cached (nothing half-written is "
            "left)",
            "free some space, point $NEUROFLOW_CACHE at a larger disk, or use --data-in memory",
        )
    return DataError(
        f"cannot write {what} to {folder} ({err.strerror or err})",
        "point $NEUROFLOW_CACHE at a folder you can write to, or use --data-in memory",
    )
