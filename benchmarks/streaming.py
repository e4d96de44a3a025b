"""Streaming an image folder from its decoded cache against holding it in memory.

A folder of small PNGs in 10 classes is generated in a temp folder; then, each in a process of its
own, the same training runs in memory, streamed with decoding (first run), and streamed from the
cache (next run). It reports images/s for decoding and for epochs, peak memory while training and
the cache's size on disk, and writes the section "Streaming an image folder" into RESULTS.md.

python -m benchmarks.streaming --count 200000 [--size 32] [--epochs 3] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SECTION = "## Streaming an image folder"
SPEC = {
    "layers": [
        "Conv2D(16, 3, padding='same', activation='relu')",
        "MaxPool2D(2)",
        "Conv2D(32, 3, padding='same', activation='relu')",
        "MaxPool2D(2)",
        "Flatten()",
        "Dense(64, activation='relu')",
        "Dense(units='auto', activation='auto')",
    ]
}


def _write_pictures(args) -> int:
    """One process's share of the folder: class k is a coloured stripe at an angle, on noise."""
    import numpy as np
    from PIL import Image

    root, start, stop, size = args
    rng = np.random.default_rng(start)
    yy, xx = np.mgrid[0:size, 0:size]
    for i in range(start, stop):
        k = i % 10
        angle = k * np.pi / 10
        stripe = np.abs(np.cos(angle) * (yy - size / 2) + np.sin(angle) * (xx - size / 2)) < 3
        img = rng.integers(0, 90, (size, size, 3), dtype=np.uint8)
        img[stripe] = (200, 40 + 20 * k, 255 - 20 * k)
        Image.fromarray(img).save(Path(root) / f"class{k}" / f"{i:06d}.png", compress_level=1)
    return stop - start


def generate(root: Path, count: int, size: int, procs: int = 2) -> float:
    """Write `count` PNGs of size×size into root/class0..class9; returns seconds taken."""
    from multiprocessing import Pool

    for k in range(10):
        (root / f"class{k}").mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    step = -(-count // (procs * 8))
    parts = [(str(root), s, min(s + step, count), size) for s in range(0, count, step)]
    with Pool(procs) as pool:
        pool.map(_write_pictures, parts)
    return time.perf_counter() - t


class PeakMemory:
    """Samples the resident memory of this process and its children (the DataLoader workers)."""

    def __init__(self, every_s: float = 0.2):
        self.every_s, self.peak_main, self.peak_total = every_s, 0, 0
        self.peak_anon = 0
        self._stop = threading.Event()

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            try:
                main = me.memory_full_info()
                kids = [c.memory_info().rss for c in me.children(recursive=True)]
            except psutil.Error:
                continue
            self.peak_main = max(self.peak_main, main.rss)
            self.peak_anon = max(self.peak_anon, main.uss)
            self.peak_total = max(self.peak_total, main.rss + sum(kids))
            self._stop.wait(self.every_s)


def child(mode: str, folder: str, epochs: int, batch: int) -> dict:
    """One run in this process: load (decoding or reading the cache), then train `epochs`."""
    from neuroflow.data import load_dataset
    from neuroflow.models.recipes import resolve_model
    from neuroflow.training import TrainSettings
    from neuroflow.training.trainer import Trainer

    notes: list[str] = []
    with PeakMemory() as mem:
        t = time.perf_counter()
        ds = load_dataset(folder, data_in=mode, note=notes.append)
        load_s = time.perf_counter() - t
        spec = resolve_model(SPEC, "image", ds.name)
        settings = TrainSettings(epochs=epochs, batch_size=batch, seed=0)
        trainer = Trainer(ds, spec, settings, progress="quiet")
        trainer.fit()
    n = len(ds.y_train) + len(ds.y_val) + len(ds.y_test)
    return {
        "mode": mode,
        "pictures": n,
        "train": len(ds.y_train),
        "load_s": round(load_s, 2),
        "epoch_train_s": [h["train_time_s"] for h in trainer.state.history],
        "peak_rss_mib": round(mem.peak_main / 2**20),
        "peak_unshared_mib": round(mem.peak_anon / 2**20),
        "peak_rss_with_workers_mib": round(mem.peak_total / 2**20),
        "notes": notes,
        "load_average": round(os.getloadavg()[0], 1),  # other work on the machine during the run
    }


def _run_child(mode: str, folder: Path, epochs: int, batch: int, env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.streaming", "--child", mode, str(folder),
         "--epochs", str(epochs), "--batch", str(batch)],
        cwd=ROOT, capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(count: int, size: int, epochs: int, batch: int, write: bool, keep: Path | None) -> dict:
    work = Path(tempfile.mkdtemp(prefix="nf-streaming-"))
    folder = keep or work / "pictures"
    env = {**os.environ, "NEUROFLOW_CACHE": str(work / "cache")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")])
    try:
        gen_s = None
        if not (folder / "class9").exists():
            gen_s = generate(folder, count, size)
        memory = _run_child("memory", folder, epochs, batch, env)
        first = _run_child("stream", folder, epochs, batch, env)
        again = _run_child("stream", folder, epochs, batch, env)
        cache = sum(p.stat().st_size for p in (work / "cache").rglob("*") if p.is_file())
        result = {
            "count": memory["pictures"],
            "size": size,
            "epochs": epochs,
            "batch": batch,
            "generate_s": gen_s,
            "cache_mb": round(cache / 1e6, 1),
            "memory": memory,
            "stream_first": first,
            "stream_next": again,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if write:
        write_section(result)
    return result


def _per_s(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}" if seconds else "-"


def write_section(r: dict) -> None:
    import platform

    import torch

    n = r["count"]
    rows = []
    for label, run in (
        ("in memory", r["memory"]),
        ("streamed, first run (decodes into the cache)", r["stream_first"]),
        ("streamed, next run (reads the cache)", r["stream_next"]),
    ):
        epochs = run["epoch_train_s"]
        later = sum(epochs[1:]) / max(len(epochs) - 1, 1)
        rows.append(
            f"| {label} | {run['load_s']:.1f} ({_per_s(n, run['load_s'])}/s) | "
            f"{_per_s(run['train'], epochs[0])} | {_per_s(run['train'], later)} | "
            f"{run['peak_rss_mib']} | {run['peak_unshared_mib']} | "
            f"{run['peak_rss_with_workers_mib']} | "
            f"{run.get('load_average', '-')} |"
        )
    command = (
        f"python -m benchmarks.streaming --count {n} --size {r['size']} --epochs {r['epochs']} "
        f"--batch {r['batch']}"
    )
    text = "\n".join(
        [
            SECTION,
            "",
            f"Command: `{command}`; {platform.machine()}, {os.cpu_count()} cores, torch "
            f"{torch.__version__}; {time.strftime('%Y-%m-%d %H:%M')}.",
            "",
            f"{n:,} PNGs of {r['size']}×{r['size']} in 10 classes, generated in a temp folder"
            + (
                f" ({r['generate_s']:.0f} s)"
                if r["generate_s"]
                else " (by an earlier run of this command, reused with --keep)"
            )
            + f"; a small CNN trains {r['epochs']} epochs at batch {r['batch']} on the "
            f"{r['memory']['train']:,}-picture training split, each run in a process of its own. "
            "Loading is decoding (in memory: in the main process; streamed: in DataLoader "
            "workers, into the cache) or, on the next run, listing the folder, checking its file "
            "list against the cache's and opening the cache. Epoch figures are training "
            "steps only. Peak RSS is sampled every 0.2 s: the main process, its unshared part "
            "(USS), and with the DataLoader worker processes added (their shared pages counted "
            "again). The rows run one after another on a machine "
            "others share: the load average (1 min, at the end of each run; 2 cores) says how much "
            "else ran, and images/s compare between rows only as far as it is alike.",
            "",
            "| run | loading s (pictures/s) | first epoch images/s | later epochs images/s "
            "| peak RSS MiB | peak USS MiB | peak RSS with workers MiB | load average |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"The decoded cache takes {r['cache_mb']:,} MB on disk "
            f"({n:,} × {r['size']}×{r['size']}×3 bytes, plus labels). The same seed trains the "
            f"same "
            "weights in memory and streamed (tests/data/pictures/test_stream.py).",
            "",
        ]
    )
    results = HERE / "RESULTS.md"
    old = results.read_text() if results.exists() else "# neuroflow benchmarks\n"
    if SECTION in old:
        head, _, rest = old.partition(SECTION)
        nxt = rest.find("\n## ")
        old = head + (rest[nxt + 1 :] if nxt >= 0 else "")
    results.write_text(old.rstrip("\n") + "\n\n" + text)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--keep", type=Path, help="generate the folder here (or reuse it)")
    parser.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FOLDER"), help=argparse.SUPPRESS)
    a = parser.parse_args()
    if a.child:
        print(json.dumps(child(a.child[0], a.child[1], a.epochs, a.batch)))
    else:
        print(json.dumps(main(a.count, a.size, a.epochs, a.batch, not a.no_write, a.keep)))
