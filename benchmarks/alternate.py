"""Two training processes run in turn, a window each, so the machine's drift reaches both alike.

A shared machine's speed moves within seconds (other work on the host), so two trainings run one
after the other can see different machines, and their ratio moves with it. Here both processes
start, load their data and build their networks, then wait; the driver lets one train for a window
while the other is paused (SIGSTOP), then swaps, until both have finished. Each process stamps the
end of every training step; a step counts only if it began and ended inside one of its own windows,
so pauses never count as training time. Window k of one and window k of the other ran a second
apart, and their ratio of median step times is one pair; the median pair is the figure quoted.

Protocol of a child: it prints "ready" once it is about to train, waits for a line on stdin, trains,
and prints its result as one JSON line whose "stamps" are time.perf_counter() at the end of each
full-batch step (the clock is shared by processes on Linux).
"""

from __future__ import annotations

import json
import signal
import statistics
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def alternate(
    commands: list[list], window_s: float = 1.0
) -> tuple[list[dict], list[list[tuple[float, float]]]]:
    """Run the commands (children that follow the protocol above) in turn; their results and
    windows."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", *map(str, cmd)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for cmd in commands
    ]
    windows: list[list[tuple[float, float]]] = [[] for _ in procs]
    try:
        for p in procs:
            line = p.stdout.readline().strip()
            if line != "ready":
                raise RuntimeError(f"a benchmark child said {line!r} instead of 'ready'")
        _take_turns(procs, windows, window_s)
        results = []
        for p in procs:
            out, _ = p.communicate()
            if p.returncode != 0:
                raise RuntimeError(f"a benchmark child failed with exit status {p.returncode}")
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results, windows
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.send_signal(signal.SIGCONT)
                p.wait()


def _take_turns(procs: list, windows: list[list], window_s: float) -> None:
    """Let each unfinished process run for a window in turn until all have finished, noting each
    window's start and end in `windows`."""
    started = [False] * len(procs)
    turn = 0
    while any(p.poll() is None for p in procs):
        i = turn % len(procs)
        turn += 1
        p = procs[i]
        if p.poll() is not None:
            continue
        t0 = time.perf_counter()
        if started[i]:
            p.send_signal(signal.SIGCONT)
        else:
            p.stdin.write("go\n")
            p.stdin.flush()
            started[i] = True
        alone = all(q.poll() is not None for j, q in enumerate(procs) if j != i)
        try:
            p.wait(timeout=None if alone else window_s)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGSTOP)
            until_stopped(p.pid)
        windows[i].append((t0, time.perf_counter()))


def until_stopped(pid: int) -> None:
    """Wait until every thread of `pid` is stopped, so the next window has the cores to itself."""
    task_dir = Path(f"/proc/{pid}/task")
    deadline = time.perf_counter() + 5
    while time.perf_counter() < deadline:
        try:
            states = [
                (t / "stat").read_text().rsplit(")", 1)[1].split()[0] for t in task_dir.iterdir()
            ]
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return  # it exited meanwhile
        if all(s in ("T", "t", "Z", "X") for s in states):
            return
        time.sleep(0.0005)


def steps_per_window(stamps: list[float], windows: list[tuple[float, float]]) -> list[list[float]]:
    """Per window, the seconds of each step that began and ended inside it."""
    return [
        [b - a for a, b in pairwise(stamps) if start <= a and b <= end] for start, end in windows
    ]


def window_medians(stamps: list[float], windows: list[tuple[float, float]]) -> list[float | None]:
    """Per window, the median seconds of the steps that began and ended inside it (None if none
    did)."""
    return [
        statistics.median(steps) if steps else None for steps in steps_per_window(stamps, windows)
    ]


def paired_ratios(slow: list[float | None], fast: list[float | None]) -> list[float]:
    """Step-time ratio of window k of the first process to window k of the second, for each k both
    have.

    The faster process finishes first, so it has fewer windows; the other's last ones have no pair.
    """
    return [a / b for a, b in zip(slow, fast, strict=False) if a is not None and b is not None]


def steps_in_windows(stamps: list[float], windows: list[tuple[float, float]]) -> list[float]:
    """Every counted step's seconds (inside one window), in order (the windows follow one
    another)."""
    return [step for steps in steps_per_window(stamps, windows) for step in steps]
