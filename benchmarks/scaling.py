"""Scaling across processes: the lesson's CNN on 1 process and 1 core against 2 processes, 1 core
each.

`python -m benchmarks.scaling --data-dir ../shared/data/mnist` trains mnist-cnn (batch 128) on the
first IMAGES MNIST training images for one epoch, as one process under `taskset -c 0`, and as two
ranks of a DistributedDataParallel run (torchrun's variables set here, so that each rank can be
pinned: `taskset -c RANK`, one torch thread each), in alternating order for several rounds, and
writes its section into RESULTS.md. Two figures per run: images/s over the whole epoch (steps only,
history.json's train_time_s), and images/s at the median step (128 / the median time between step
ends on rank 0), which a shared machine's bursts of other work disturb much less.

A third run, 2 ranks that skip the gradient exchange (each steps on its own half of every batch),
is the ceiling this machine allows: what two pinned processes gain from half a batch each when
nothing is exchanged. Its ratio to the exchanging run is what the exchange itself costs.
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
BATCH, WARM_UP = (
    128,
    10,
)  # mnist-cnn's batch; steps left out of the median (first passes are slower)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("NEUROFLOW_THREADS", "OMP_NUM_THREADS")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")])
    env.update({k: str(v) for k, v in extra.items()})
    return env


def child(argv: list[str]) -> None:
    """One process (or one rank, under torchrun's variables): train, write the step times
    (rank 0)."""
    import dataclasses

    import neuroflow as nf
    from neuroflow.data.pictures.idx import load_idx_dataset
    from neuroflow.training import Callback

    out, data_dir, n = Path(argv[0]), argv[1], int(argv[2])
    d = load_idx_dataset("mnist", data_dir=data_dir)
    cut = {k: getattr(d, k)[: n if "train" in k else 2000] for k in
           ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")}  # fmt: skip
    dataset = dataclasses.replace(d, **cut)

    class StepEnds(Callback):
        times: list[float] = []

        def on_step_end(self, trainer, step: int, logs: dict) -> None:
            self.times.append(time.perf_counter())

    strategy = None
    if os.environ.get("NEUROFLOW_BENCH_NO_EXCHANGE"):
        from neuroflow.training.distributed import Distributed

        class NoExchange(Distributed):
            def __call__(self, x, y, extra=None):
                with self.ddp.no_sync():
                    return super().__call__(x, y, extra)

        strategy = NoExchange.from_env()
    model = nf.train(dataset, "mnist-cnn", epochs=1, seed=0, progress="quiet", post_fit=False,
                     callbacks=[StepEnds()], strategy=strategy)  # fmt: skip
    if os.environ.get("RANK", "0") == "0":
        t = StepEnds.times
        out.write_text(json.dumps({
            "steps": [b - a for a, b in zip(t, t[1:], strict=False)],
            "train_time_s": model.history[-1]["train_time_s"],
            "threads": model.config["training"]["threads"],
            "world_size": model.config["training"].get("world_size", 1),
            "val_accuracy": model.history[-1]["val_accuracy"],
        }))  # fmt: skip


def _child_command(out: Path, data_dir: str, images: int) -> list[str]:
    return [sys.executable, "-m", "benchmarks.scaling", "--child", str(out), data_dir, str(images)]


def one_process(data_dir: str, work: Path, images: int) -> dict:
    out = work / "one.json"
    cmd = ["taskset", "-c", "0", *_child_command(out, data_dir, images)]
    subprocess.run(cmd, env=_env(), check=True, capture_output=True, timeout=3600, cwd=ROOT)
    return _measured(out, images)


def two_processes(data_dir: str, work: Path, images: int, exchange: bool = True) -> dict:
    out, port = work / "two.json", _port()
    procs = []
    for rank in (0, 1):
        env = _env(RANK=rank, LOCAL_RANK=rank, WORLD_SIZE=2, LOCAL_WORLD_SIZE=2,
                   MASTER_ADDR="127.0.0.1", MASTER_PORT=port, GLOO_SOCKET_IFNAME="lo")  # fmt: skip
        if not exchange:
            env["NEUROFLOW_BENCH_NO_EXCHANGE"] = "1"
        cmd = ["taskset", "-c", str(rank), *_child_command(out, data_dir, images)]
        procs.append(subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))  # fmt: skip
    for p in procs:
        _, err = p.communicate(timeout=3600)
        if p.returncode:
            raise SystemExit(f"a rank failed: {err.strip()[-500:]}")
    return _measured(out, images)


def _measured(out: Path, images: int) -> dict:
    got = json.loads(out.read_text())
    out.unlink()
    steps = got.pop("steps")[WARM_UP:]
    got["images_s"] = images / got["train_time_s"]
    got["median_step_images_s"] = BATCH / statistics.median(steps)
    return got


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--images", type=int, default=19200, help="training images (150 steps)")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args(argv)
    if (os.cpu_count() or 1) < 2 or not shutil.which("taskset"):
        raise SystemExit("needs 2 cores and taskset")
    rows = []
    with tempfile.TemporaryDirectory(prefix="neuroflow-scaling-") as tmp:
        for r in range(1, args.rounds + 1):
            # alternate which goes first, so a machine slowing down or speeding up favours neither
            order = ("one", "two", "ceiling") if r % 2 else ("ceiling", "two", "one")
            runs = {
                "one": one_process,
                "two": two_processes,
                "ceiling": lambda *a: two_processes(*a, exchange=False),
            }
            got = {which: runs[which](args.data_dir, Path(tmp), args.images) for which in order}
            rows.append(got)
            print(_row(r, got), file=sys.stderr, flush=True)
    section = _section(rows, args)
    _write(Path(args.out), section)
    print(section)


def _row(r: int, got: dict) -> str:
    one, two, top = got["one"], got["two"], got["ceiling"]
    step = "median_step_images_s"
    return (
        f"| {r} | {one['images_s']:.0f} | {two['images_s']:.0f} | "
        f"{two['images_s'] / one['images_s']:.2f}× | {one[step]:.0f} | {two[step]:.0f} | "
        f"{two[step] / one[step]:.2f}× | {top[step] / one[step]:.2f}× | "
        f"{one['threads']} / {two['threads']} |"
    )


def _section(rows: list[dict], args) -> str:
    epoch = [row["two"]["images_s"] / row["one"]["images_s"] for row in rows]
    median = [
        row["two"]["median_step_images_s"] / row["one"]["median_step_images_s"] for row in rows
    ]
    step = "median_step_images_s"
    ceiling = [row["ceiling"][step] / row["one"][step] for row in rows]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        TITLE,
        "",
        f"Written by `python -m benchmarks.scaling --rounds {args.rounds} --images {args.images}` "
        f"on {platform.machine()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')} "
        f"(load average {load:.1f} at the end: a machine shared with other work). The lesson's "
        f"CNN (mnist-cnn, batch 128), one epoch of {args.images} MNIST images: one process pinned "
        "to core 0 with 1 torch thread, against 2 ranks of DistributedDataParallel over gloo on "
        "127.0.0.1, each pinned to its own core with 1 thread (the library's own strategy, as "
        "`torchrun --nproc-per-node 2 -m neuroflow train` runs it). The two runs alternate within "
        "each round, and each ratio is its own round's.",
        "",
        "| round | 1 process img/s | 2 processes img/s | speed-up | 1 process, median step "
        "img/s | 2 processes, median step img/s | speed-up at the median step | ceiling: 2 "
        "processes without the exchange, median step | threads 1 / 2 |",
        "|---|---|---|---|---|---|---|---|---|",
        *(_row(i, row) for i, row in enumerate(rows, 1)),
        "",
        f"Speed-up of 2 processes over 1: **{statistics.median(median):.2f}×** at the median step "
        f"(median of {len(rows)} rounds; range {min(median):.2f}-{max(median):.2f}×), "
        f"{statistics.median(epoch):.2f}× over whole epochs (range {min(epoch):.2f}-"
        f"{max(epoch):.2f}×); goal ≥ 1.8×. Two processes that exchange nothing reach "
        f"{statistics.median(ceiling):.2f}× (range {min(ceiling):.2f}-{max(ceiling):.2f}×): "
        "that is what half a batch per pinned core allows here, before any exchange.",
        "",
    ]
    return "\n".join(lines)


def _write(path: Path, section: str) -> None:
    """Replace this benchmark's section of RESULTS.md (or add it at the end); leave the rest
    alone."""
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
