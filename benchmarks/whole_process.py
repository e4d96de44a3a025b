"""The whole command, from pressing Enter to a finished model, as a user times it.

The plain PyTorch script (benchmarks/reference.py: the lesson's CNN, test accuracy at the end)
and `neuroflow train mnist --model mnist-cnn` (validation, calibration, the unknown-input check,
the card and its pictures, the test figures) run as whole processes taking turns: each starts
stopped, and the driver lets one run for a window while the other is stopped (SIGSTOP to its
process group, so helper processes stop too), until both have ended. A process's time is the sum
of its windows, so both see the same machine, moment by moment, as in benchmarks/alternate.py.
Peak memory is each process's own high-water mark, as it reports it.

A neuroflow process run alone reports its phases (import, data, training, after-training, saving,
test figures): `python -m benchmarks.whole_process --phases ...` runs the command line in this
process with a clock around each phase.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.alternate import until_stopped

ROOT = Path(__file__).resolve().parent.parent
# phase name: (module, function), in the order a training command runs them
PHASES = {
    "data": ("neuroflow.training.run", "plan"),
    "training": ("neuroflow.training", "fit"),
    "after-training": ("neuroflow.evaluation.after_training", "after_training"),
    "saving": ("neuroflow.models.writer", "save_model"),
    "test figures": ("neuroflow.api", "evaluate"),
}


def in_turns(commands: list[list[str]], window_s: float = 2.0) -> list[dict]:
    """Run whole commands in turn, a window each; per command: running seconds and stdout."""
    # each begins stopped (the shell stops itself, then becomes the command, keeping its pid)
    procs = [
        subprocess.Popen(
            ["sh", "-c", 'kill -STOP $$; exec "$@"', "sh", *cmd],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )  # fmt: skip
        for cmd in commands
    ]
    for p in procs:
        until_stopped(p.pid)
    running = [0.0] * len(procs)
    usage: list = [None] * len(procs)
    outs = [_drain(p) for p in procs]
    turn = 0
    while any(u is None for u in usage):
        i = turn % len(procs)
        turn += 1
        if usage[i] is not None:
            continue
        t0 = time.perf_counter()
        os.killpg(procs[i].pid, signal.SIGCONT)
        alone = all(u is not None for j, u in enumerate(usage) if j != i)
        usage[i] = _wait(procs[i].pid, None if alone else window_s)
        if usage[i] is None:
            os.killpg(procs[i].pid, signal.SIGSTOP)
            until_stopped(procs[i].pid)
        running[i] += time.perf_counter() - t0
    results = []
    for p, s, (status, _), out in zip(procs, running, usage, outs, strict=True):
        out.join()
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise RuntimeError(f"{p.args[5:]} failed ({code}): {out.err.strip()[-400:]}")
        results.append({"s": s, "stdout": out.text})
    return results


def _wait(pid: int, timeout: float | None):
    """(status, rusage) once `pid` has ended within `timeout` seconds, else None."""
    end = None if timeout is None else time.perf_counter() + timeout
    while True:
        got, status, rusage = os.wait4(pid, 0 if end is None else os.WNOHANG)
        if got == pid:
            return status, rusage
        if time.perf_counter() >= end:
            return None
        time.sleep(0.005)


def _drain(p: subprocess.Popen):
    """Read a process's output on threads, so a full pipe never blocks it."""
    import threading

    class Reader:
        text = err = ""

        def join(self) -> None:
            for t in threads:
                t.join()

    reader = Reader()

    def read(stream, name: str) -> None:
        setattr(reader, name, stream.read().decode(errors="replace"))

    threads = [
        threading.Thread(target=read, args=(p.stdout, "text"), daemon=True),
        threading.Thread(target=read, args=(p.stderr, "err"), daemon=True),
    ]
    for t in threads:
        t.start()
    return reader


def neuroflow_command(
    data_dir: str, recipe: str, epochs: int | None, out: Path, seed: int = 0, extra=()
) -> list[str]:
    epochs_given = [] if epochs is None else ["--epochs", str(epochs)]
    return [sys.executable, "-m", "benchmarks.whole_process", "--phases", "train", "mnist",
            "--model", recipe, *epochs_given, "--data-dir", data_dir, "--out", str(out),
            "--seed", str(seed), *extra]  # fmt: skip


def plain_command(data_dir: str, epochs: int) -> list[str]:
    return [sys.executable, "-m", "benchmarks.reference", data_dir, str(epochs), "55000"]


PLAIN = "plain PyTorch script"
# neuroflow's arms: as shipped, and without outlier exposure (what the default costs end to end)
OURS = {
    "neuroflow train --model mnist-cnn": (),
    "neuroflow train --model mnist-cnn --outlier-exposure 0": ("--outlier-exposure", "0"),
}


def section(say, data_dir: str, rounds: int, epochs: int = 3, window_s: float = 2.0) -> None:
    """The whole-process comparison, into RESULTS.md through `say`."""
    say(f"## The whole command: plain script against `neuroflow train` ({epochs} epochs)")
    say("")
    say(
        "Each command as a user runs it, from start to exit, the three taking turns in "
        f"{window_s:g}-second windows (benchmarks/whole_process.py); a process's time is the sum "
        "of its windows. The plain script is benchmarks/reference.py (the lesson's CNN written "
        "by hand, test accuracy at the end); neuroflow does everything it normally does: "
        "validation each epoch, outlier exposure, calibration, the unknown-input check, the "
        "model card, its pictures and the test figures. The third command is neuroflow without "
        "outlier exposure, to show what that default costs end to end."
    )
    say("")
    say("| round | command | whole process s | test accuracy | peak RSS MiB |")
    say("|---|---|---|---|---|")
    ratios: dict[str, list[float]] = {name: [] for name in OURS}
    with tempfile.TemporaryDirectory(prefix="neuroflow-whole-") as tmp:
        for n in range(1, rounds + 1):
            rows = _round(data_dir, epochs, window_s, Path(tmp), n)
            for name, (seconds, acc, peak) in rows.items():
                say(f"| {n} | {name} | {seconds:.1f} | {acc:.4f} | {peak:.0f} |")
            for name in OURS:
                ratios[name].append(rows[PLAIN][0] / rows[name][0])
    say("")
    for name, got in ratios.items():
        say(
            f"Whole-process speed-up of `{name.removeprefix('neuroflow ')}` over the plain script: "
            f"**{statistics.median(got):.2f}×** (median of {rounds} rounds; "
            f"{', '.join(f'{r:.2f}×' for r in got)}); goal ≥ 1.5× as shipped."
        )
        say("")
    recipe_phases(say, data_dir, "mnist-cnn", epochs)


def _round(data_dir: str, epochs: int, window_s: float, tmp: Path, n: int) -> dict:
    """One round of all commands in turns, each round starting with another one: per command,
    (whole-process seconds, test accuracy, peak RSS MiB)."""
    names = [PLAIN, *OURS]
    commands = [plain_command(data_dir, epochs)] + [
        neuroflow_command(data_dir, "mnist-cnn", epochs, tmp / f"model-{n}-{i}", extra=extra)
        for i, extra in enumerate(OURS.values())
    ]
    k = (n - 1) % len(commands)
    got = in_turns(commands[k:] + commands[:k], window_s)
    got = got[len(got) - k :] + got[: len(got) - k]
    rows = {}
    for name, r in zip(names, got, strict=True):
        if name == PLAIN:
            report = json.loads(r["stdout"].strip().splitlines()[-1])
            rows[name] = (r["s"], report["test_accuracy"], report["peak_rss_mib"])
        else:
            report = _phases_of(r["stdout"])  # its phases count its stopped time too
            rows[name] = (r["s"], report["test_accuracy"], report["peak_mib"]["rest"])
    return rows


def recipe_phases(say, data_dir: str, recipe: str, epochs: int) -> dict:
    """One neuroflow process's phases, alone: taking turns, a phase's clock would count the
    windows in which the process was stopped."""
    with tempfile.TemporaryDirectory(prefix="neuroflow-phases-") as tmp:
        cmd = neuroflow_command(data_dir, recipe, epochs, Path(tmp) / "model")
        t = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
        report = _phases_of(done.stdout)
        report["wall_s"] = time.perf_counter() - t
    _phase_table(say, [report], recipe, epochs)
    return report


def _phase_table(say, reports: list[dict], recipe: str, epochs: int) -> None:
    names = ["import", *PHASES, "rest"]
    say(f"Phases of `neuroflow train mnist --model {recipe} --epochs {epochs}` (seconds, median of "
        f"{len(reports)} run(s); peak RSS after each phase in MiB):")  # fmt: skip
    say("")
    say("| phase | s | share | peak RSS MiB after it |")
    say("|---|---|---|---|")
    total = statistics.median(sum(r["phases"][k] for k in names) for r in reports)
    for k in names:
        s = statistics.median(r["phases"][k] for r in reports)
        peak = statistics.median(r["peak_mib"][k] for r in reports)
        say(f"| {k} | {s:.2f} | {s / total:.0%} | {peak:.0f} |")
    after = statistics.median(
        sum(r["phases"][k] for k in ("after-training", "saving", "test figures")) for r in reports
    )
    training = statistics.median(r["phases"]["training"] for r in reports)
    say(f"| whole process | {total:.2f} | | |")
    say("")
    say(
        f"After training (calibration, the unknown-input check, saving, test figures) costs "
        f"{after:.2f} s, **{after / training:.1%}** of the training's {training:.1f} s "
        "(goal ≤ 10% for the lesson's CNN)."
    )
    say("")


def _phases_of(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


# the child: the command line with a clock around each phase -------------------------------------
def phases_child(argv: list[str]) -> None:
    t0 = time.perf_counter()
    times, peaks = {}, {}
    last = [t0]

    def mark(name: str | None = None, took: float | None = None) -> None:
        """Count the time since the last mark (or `took`) as phase `name`; without a name, a gap:
        'import' before the first phase, 'rest' (printing, the command line's own work, leaving)
        between and after them."""
        name = name or ("rest" if "import" in times else "import")
        now = time.perf_counter()
        times[name] = times.get(name, 0.0) + (now - last[0] if took is None else took)
        peaks[name] = _peak_mib()
        last[0] = now

    import neuroflow.cli.main as cli

    cli.startup.install()
    import importlib

    for name, (module, fn) in PHASES.items():
        _clock(importlib.import_module(module), fn, name, mark)
    sys.argv = ["neuroflow", *argv]
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.suppress(SystemExit):
        cli.run_app()
    mark("rest")
    text = printed.getvalue()
    accuracy = float(text.split("test accuracy ")[1].split()[0])
    print(json.dumps({"phases": times, "peak_mib": peaks, "test_accuracy": accuracy}), flush=True)
    os._exit(0)


def _clock(module, fn: str, name: str, mark) -> None:
    """Wrap module.fn so that its time counts as phase `name`."""
    import functools

    inner = getattr(module, fn)

    @functools.wraps(inner)
    def timed(*args, **kwargs):
        mark()
        t = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            mark(name, time.perf_counter() - t)

    setattr(module, fn, timed)


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return float("nan")


def fast_recipe(say, data_dir: str, seeds=(0, 1, 2)) -> None:
    """mnist-fast as shipped, whole processes one after another: training and whole-process
    seconds and test accuracy per seed."""
    say("## mnist-fast: 99% in a few seconds, and the whole command")
    say("")
    say("| seed | training s (steps and validation) | whole process s | test accuracy |")
    say("|---|---|---|---|")
    rows = []
    with tempfile.TemporaryDirectory(prefix="neuroflow-fast-") as tmp:
        for seed in seeds:
            cmd = neuroflow_command(data_dir, "mnist-fast", None, Path(tmp) / f"m{seed}", seed)
            t = time.perf_counter()
            done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
            wall = time.perf_counter() - t
            r = _phases_of(done.stdout)
            rows.append((r["phases"]["training"], wall, r["test_accuracy"]))
            say(f"| {seed} | {rows[-1][0]:.1f} | {wall:.1f} | {r['test_accuracy']:.4f} |")
    train, wall, acc = (statistics.median(col) for col in zip(*rows, strict=True))
    say("")
    say(f"Median of {len(rows)} seeds: test accuracy **{acc:.4f}** (goal ≥ 0.99) in "
        f"**{train:.1f} s** of training (goal ≤ 5 s on a quiet host); the whole process "
        f"{wall:.1f} s, **{wall / train:.2f}×** its training (goal ≤ 2×).")  # fmt: skip
    say("")


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--window", type=float, default=2.0)
    args = parser.parse_args(argv)
    print(f"Command: python -m benchmarks.whole_process {' '.join(argv)}".rstrip(), flush=True)
    section(print, args.data_dir, args.rounds, args.epochs, args.window)
    fast_recipe(print, args.data_dir)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--phases"]:
        phases_child(sys.argv[2:])
    main(sys.argv[1:])
