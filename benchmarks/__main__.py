"""`python -m benchmarks` (or `make bench`): neuroflow against plain PyTorch, written to RESULTS.md.

Every figure in RESULTS.md comes from this script; nothing there is typed by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def child(module: str, *args) -> dict:
    out = subprocess.run([sys.executable, "-m", f"benchmarks.{module}", *map(str, args)], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def wall(cmd: list[str], runs: int, cwd: Path) -> list[float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return times


def machine() -> str:
    import torch

    from neuroflow.doctor import cpu_info

    cpu = cpu_info()
    flags = ", ".join(k for k, v in cpu["features"].items() if v)
    return f"{cpu['model']}, {cpu['cores']} cores ({flags}); {platform.system()} {platform.release()}; Python {platform.python_version()}; torch {torch.__version__}, {torch.get_num_threads()} threads"


def predict_latency(data_dir: str, model_dir: Path) -> dict:
    import numpy as np

    import neuroflow as nf
    from neuroflow.data.idx import load_idx_dataset
    from neuroflow.inference import predict_arrays

    model = nf.load(model_dir)
    x = load_idx_dataset("mnist", data_dir=data_dir).x_test
    for i in range(20):  # warm-up
        predict_arrays(model, x[i : i + 1], ["x"])
    lat = []
    for i in range(300):
        t = time.perf_counter()
        predict_arrays(model, x[i : i + 1], ["x"])
        lat.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    predict_arrays(model, x, [str(i) for i in range(len(x))])
    batch_s = time.perf_counter() - t
    return {"p50_ms": float(np.percentile(lat, 50)), "p99_ms": float(np.percentile(lat, 99)), "batch_images_per_s": len(x) / batch_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--epochs", type=int, default=1, help="epochs for the plain-PyTorch vs neuroflow comparison")
    parser.add_argument("--limit", type=int, default=55000, help="training images used")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the plain-PyTorch vs neuroflow comparison (single rounds move by ±15%% here)")
    parser.add_argument("--quick", action="store_true", help="small slices only (a smoke run, not for RESULTS.md)")
    parser.add_argument("--compile", action="store_true", help="also time torch.compile (slow to compile)")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args()
    limit = 6400 if args.quick else args.limit
    rows = []

    def say(text: str) -> None:
        print(text, flush=True)
        rows.append(text)

    say(f"Machine: {machine()}")
    say(f"Date: {time.strftime('%Y-%m-%d %H:%M')}; command: python -m benchmarks {' '.join(sys.argv[1:])}".rstrip())
    say("")
    say(f"## The lesson's CNN: plain PyTorch vs neuroflow ({limit} images × {args.epochs} epoch(s), batch 128, Adam lr 0.001)")
    say("")
    say(f"Run in turn, {args.rounds} round(s) of each (this machine's speed drifts by 10% and more within minutes, so a ratio is taken within each round and the median round reported).")
    say("")
    say("| round | run | images/s | train s | time to first batch s | test accuracy | peak RSS MiB |")
    say("|---|---|---|---|---|---|---|")
    ratios, epochs_s = [], []
    for n in range(1, args.rounds + 1):
        ref = child("reference", args.data_dir, args.epochs, limit)
        ours = child("neuroflow_run", args.data_dir, args.epochs, limit, "mnist-cnn", "same")
        for r in (ref, ours):
            say(f"| {n} | {r['name']} | {r['images_per_s']:.0f} | {r['train_s']:.1f} | {r['time_to_first_batch_s']:.2f} | {r['test_accuracy']:.4f} | {r['peak_rss_mib']:.0f} |")
        ratios.append((ours["images_per_s"] / ref["images_per_s"], 60000 / ours["images_per_s"], 60000 / ref["images_per_s"]))
        epochs_s.append(ours["epochs_s"])
    ratio, ours_epoch, ref_epoch = sorted(ratios)[len(ratios) // 2]
    say("")
    say(f"Speed ratio neuroflow / plain PyTorch: **{ratio:.2f}×** (median round; rounds: {', '.join(f'{r[0]:.2f}×' for r in ratios)}); "
        f"{ours_epoch:.1f} s vs {ref_epoch:.1f} s per 60,000-image epoch of training steps; "
        f"neuroflow's {limit:,}-image epochs with their validation took {statistics.median(epochs_s):.1f} s (median round).")
    say("")
    if not args.quick:
        say("## Recipes as shipped")
        say("")
        say("mnist-fast runs with three seeds: its 99% should not hang on one lucky start.")
        say("")
        say("| recipe | seed | epochs | training steps s | epochs with validation s | test accuracy | val accuracy per epoch | peak RSS MiB |")
        say("|---|---|---|---|---|---|---|---|")
        from neuroflow.models.recipes import recipe as get_recipe

        for recipe, seeds in (("mnist-cnn", (0,)), ("mnist-fast", (0, 1, 2))):
            epochs = get_recipe(recipe)["epochs"]
            for seed in seeds:
                r = child("neuroflow_run", args.data_dir, epochs, 55000, recipe, "recipe", seed)
                say(f"| {recipe} | {seed} | {epochs} | {r['train_s']:.1f} | {r['epochs_s']:.1f} | {r['test_accuracy']:.4f} | {r['val_accuracy_per_epoch']} | {r['peak_rss_mib']:.0f} |")
        say("")
    rounds = 3
    say(f"## Training settings (lesson's CNN, {min(limit, 12800)} images per run, {rounds} interleaved rounds, median)")
    say("")
    say("Each row adds one setting to the row above it; neuroflow trains with the starred row's settings.")
    say("")
    say("| setting | images/s | s per 60k epoch |")
    say("|---|---|---|")
    base = ("channels_last", "tuned", "fused", "after-pool", "on", "off")
    settings = [("nchw", "default", "default", "before-pool", "off", "off", 128), ("channels_last", "default", "default", "before-pool", "off", "off", 128),
                ("channels_last", "tuned", "default", "before-pool", "off", "off", 128), ("channels_last", "tuned", "fused", "before-pool", "off", "off", 128),
                ("channels_last", "tuned", "fused", "after-pool", "off", "off", 128), (*base, 128), (*base, 256)]
    if args.compile:
        settings.append((*base[:-1], "on", 128))
    results: dict[str, list[dict]] = {}
    for _ in range(rounds):
        for s in settings:
            r = child("ablation", args.data_dir, min(limit, 12800), *s)
            results.setdefault(r["setting"], []).append(r)
    for (name, rs), s in zip(results.items(), settings, strict=True):
        ips = statistics.median(r["images_per_s"] for r in rs)
        extra = f" (compile {rs[0]['compile_s']:.1f} s)" if rs[0]["compile_s"] else ""
        star = " ★" if s == (*base, 128) else ""
        say(f"| {name}{extra}{star} | {ips:.0f} | {60000 / ips:.1f} |")
    say("")
    say("## Start-up, end to end and prediction")
    say("")
    nf_cmd = [str(Path(sys.executable).parent / "neuroflow")]
    help_s = wall([*nf_cmd, "--help"], 7, ROOT)
    say(f"- `neuroflow --help`: median {statistics.median(help_s):.3f} s over {len(help_s)} runs (min {min(help_s):.3f})")
    with tempfile.TemporaryDirectory() as tmp:
        iris_s, torch_s = [], []
        for _ in range(5):  # interleaved, so both see the same machine
            iris_s += wall([*nf_cmd, "train", "iris", "--model", "iris-mlp", "--out", str(Path(tmp) / "iris")], 1, ROOT)  # prints the test accuracy
            torch_s += wall([sys.executable, "-c", "import torch"], 1, ROOT)
        iris_eval = wall([*nf_cmd, "evaluate", str(Path(tmp) / "iris")], 3, ROOT)
        say(f"- `neuroflow train iris` (training, its test evaluation and the model folder) as one process: median {statistics.median(iris_s):.2f} s; `neuroflow evaluate`: median {statistics.median(iris_eval):.2f} s")
        say(f"- A process that only runs `import torch`, in the same rounds: median {statistics.median(torch_s):.2f} s, so neuroflow's own part of `train iris` is "
            f"{statistics.median(iris_s) - statistics.median(torch_s):.2f} s")
        model_dir = Path(tmp) / "mnist"
        subprocess.run([*nf_cmd, "train", "mnist", "--data-dir", args.data_dir, "--epochs", "1", "--out", str(model_dir), "--quiet"], cwd=ROOT, check=True,
                       env={**os.environ})
        lat = predict_latency(args.data_dir, model_dir)
    say(f"- Predicting one 28×28 image in process (with calibration and the unknown-input score): p50 {lat['p50_ms']:.2f} ms, p99 {lat['p99_ms']:.2f} ms")
    say(f"- Predicting the 10,000 test images in one call: {lat['batch_images_per_s']:.0f} images/s")
    if not args.quick:
        Path(args.out).write_text("# neuroflow benchmarks\n\nWritten by `python -m benchmarks` (`make bench`); rerun it to refresh.\n\n" + "\n".join(rows) + "\n")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
