"""Scaling across processes: the lesson's CNN on 1 process and 1 core against 2 processes, 1 core each.

`python -m benchmarks.scaling --data-dir ../shared/data/mnist` trains one epoch of MNIST (mnist-cnn,
batch 128) as `taskset -c 0 neuroflow train` and as two ranks of `neuroflow train --distributed`,
each under `taskset -c RANK` with one torch thread (torchrun's variables set here, so each rank can
be pinned), in alternating order for several rounds, and writes its section into RESULTS.md.
images/s = training images / the epoch's steps time (history.json's train_time_s, rank 0's clock).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TITLE = "## Scaling across processes"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("NEUROFLOW_THREADS", "OMP_NUM_THREADS")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")])
    env.update({k: str(v) for k, v in extra.items()})
    return env


def train_command(data_dir: str, out: Path, epochs: int) -> list[str]:
    return [sys.executable, "-m", "neuroflow", "train", "mnist", "--model", "mnist-cnn",
            "--data-dir", data_dir, "--epochs", str(epochs), "--out", str(out), "--quiet"]  # fmt: skip


def one_process(data_dir: str, work: Path, epochs: int) -> dict:
    out = work / "one"
    cmd = ["taskset", "-c", "0", *train_command(data_dir, out, epochs)]
    subprocess.run(cmd, env=_env(), check=True, capture_output=True, timeout=3600)
    return _measured(out)


def two_processes(data_dir: str, work: Path, epochs: int) -> dict:
    out, port = work / "two", _port()
    procs = []
    for rank in (0, 1):
        env = _env(RANK=rank, LOCAL_RANK=rank, WORLD_SIZE=2, LOCAL_WORLD_SIZE=2,
                   MASTER_ADDR="127.0.0.1", MASTER_PORT=port, GLOO_SOCKET_IFNAME="lo")  # fmt: skip
        cmd = ["taskset", "-c", str(rank), *train_command(data_dir, out, epochs), "--distributed"]
        procs.append(subprocess.Popen(cmd, env=env, cwd=work, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))  # fmt: skip
    for p in procs:
        _, err = p.communicate(timeout=3600)
        if p.returncode:
            raise SystemExit(f"a rank failed: {err.strip()[-500:]}")
    return _measured(out)


def _measured(out: Path) -> dict:
    config = json.loads((out / "config.json").read_text())
    history = json.loads((out / "history.json").read_text())
    steps_s = sum(h["train_time_s"] for h in history)
    shutil.rmtree(out)
    return {
        "steps_s": steps_s,
        "threads": config["training"]["threads"],
        "world_size": config["training"].get("world_size", 1),
        "val_accuracy": history[-1]["val_accuracy"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-images", type=int, default=55000)
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args(argv)
    if (os.cpu_count() or 1) < 2 or not shutil.which("taskset"):
        raise SystemExit("needs 2 cores and taskset")
    rows = []
    with tempfile.TemporaryDirectory(prefix="neuroflow-scaling-") as tmp:
        for r in range(1, args.rounds + 1):
            # alternate which goes first, so a machine slowing down or speeding up favours neither
            order = ("one", "two") if r % 2 else ("two", "one")
            got = {}
            for which in order:
                run = one_process if which == "one" else two_processes
                got[which] = run(args.data_dir, Path(tmp), args.epochs)
            rows.append(got)
            one, two = got["one"], got["two"]
            print(f"round {r}: 1 process {args.train_images * args.epochs / one['steps_s']:.0f} img/s, "
                  f"2 processes {args.train_images * args.epochs / two['steps_s']:.0f} img/s, "
                  f"{one['steps_s'] / two['steps_s']:.2f}×", file=sys.stderr, flush=True)  # fmt: skip
    section = _section(rows, args)
    _write(Path(args.out), section)
    print(section)


def _section(rows: list[dict], args) -> str:
    n = args.train_images * args.epochs
    ratios = [row["one"]["steps_s"] / row["two"]["steps_s"] for row in rows]
    lines = [
        TITLE,
        "",
        f"Written by `python -m benchmarks.scaling --rounds {args.rounds}` on "
        f"{platform.machine()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}. "
        f"The lesson's CNN (mnist-cnn, batch 128), {args.epochs} epoch(s) of {n // args.epochs} "
        "images: one process pinned to core 0 with 1 torch thread, against 2 ranks of "
        "`neuroflow train --distributed` (DistributedDataParallel over gloo on 127.0.0.1), each "
        "pinned to its own core with 1 thread. The two runs alternate within each round on a "
        "shared, noisy host; the ratio quoted is each round's own.",
        "",
        "| round | 1 process img/s | 2 processes img/s | speed-up | val accuracy 1 / 2 |",
        "|---|---|---|---|---|",
    ]
    for i, row in enumerate(rows, 1):
        one, two = row["one"], row["two"]
        lines.append(
            f"| {i} | {n / one['steps_s']:.0f} | {n / two['steps_s']:.0f} | "
            f"{one['steps_s'] / two['steps_s']:.2f}× | "
            f"{one['val_accuracy']:.4f} / {two['val_accuracy']:.4f} |"
        )
    lines += [
        "",
        f"Speed-up of 2 processes over 1: **{statistics.median(ratios):.2f}×** (median of "
        f"{len(ratios)} rounds; range {min(ratios):.2f}-{max(ratios):.2f}×; goal ≥ 1.8×).",
        "",
    ]
    return "\n".join(lines)


def _write(path: Path, section: str) -> None:
    """Replace this benchmark's section of RESULTS.md (or add it at the end); leave the rest alone."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# neuroflow benchmarks\n"
    start = text.find(TITLE)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(TITLE))
        text = text[:start] + section + ("" if end < 0 else text[end + 1 :])
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


if __name__ == "__main__":
    main()
