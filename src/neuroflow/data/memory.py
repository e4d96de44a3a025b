"""Held in memory or streamed from disk: the one decision, by size against RAM, that image folders
and
CSV tables share, and the one line that says it."""

from __future__ import annotations

import os
from pathlib import Path

from neuroflow.errors import UsageError

DATA_IN = ("memory", "stream")
# decoded pictures up to this share of RAM are held in memory (loading briefly needs twice)
MEMORY_SHARE = 0.25


def check_data_in(data_in: str | None) -> None:
    if data_in is not None and data_in not in DATA_IN:
        raise UsageError(
            f"--data-in {data_in!r} is not understood",
            "use --data-in memory or --data-in stream, or leave it out to let neuroflow choose",
        )


def memory_or_stream(name: str, what: str, nbytes: int, ram: int | None = None) -> tuple[str, str]:
    """('memory' or 'stream', the one line that says why) for data of `nbytes` in memory, `what`
    saying how that size was found: held when it fits in MEMORY_SHARE of RAM."""
    ram = ram or ram_bytes()
    share = f"{MEMORY_SHARE:.0%} of this machine's {readable_size(ram)} of RAM"
    if nbytes <= MEMORY_SHARE * ram:
        return (
            "memory",
            f"Holding {name} in memory: {what}, within {share} (--data-in stream reads from "
            f"disk instead)",
        )
    return (
        "stream",
        f"Streaming {name} from disk: {what}, more than {share} (--data-in memory holds it in "
        f"memory instead)",
    )


def ram_bytes() -> int:
    """This machine's RAM, or the container's memory limit where that is lower."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        total = 8 << 30
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit.isdigit():
            total = min(total, int(limit))
    except OSError:
        pass
    return total


def readable_size(nbytes: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if nbytes < 1000 or unit == "GB":
            return f"{nbytes:,.0f} {unit}" if unit == "bytes" else f"{nbytes:.1f} {unit}"
        nbytes /= 1000
    return ""  # pragma: no cover
