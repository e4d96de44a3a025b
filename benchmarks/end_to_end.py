"""The start-up and end-to-end part of `python -m benchmarks`: `neuroflow --help`, `neuroflow train
iris` as whole processes against a bare `import torch`, and prediction latency on MNIST.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def wall(cmd: list[str], runs: int, cwd: Path) -> list[float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return times


def predict_latency(data_dir: str, model_dir: Path) -> dict:
    import numpy as np

    import neuroflow as nf
    from neuroflow.data.pictures.idx import load_idx_dataset
    from neuroflow.inference.predict import predict_arrays

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
    return {
        "p50_ms": float(np.percentile(lat, 50)),
        "p99_ms": float(np.percentile(lat, 99)),
        "batch_images_per_s": len(x) / batch_s,
    }


def startup_section(say, args) -> None:
    """Start-up, `train iris` end to end, and prediction latency."""
    say("## Start-up, end to end and prediction")
    say("")
    nf_cmd = [str(Path(sys.executable).parent / "neuroflow")]
    help_s = wall([*nf_cmd, "--help"], 7, ROOT)
    say(
        f"- `neuroflow --help`: median {statistics.median(help_s):.3f} s over {len(help_s)} "
        f"runs (min {min(help_s):.3f})"
    )
    with tempfile.TemporaryDirectory() as tmp:
        _iris_times(say, nf_cmd, Path(tmp))
        lat = predict_latency(args.data_dir, _mnist_model(nf_cmd, args.data_dir, Path(tmp)))
    say(
        "- Predicting one 28×28 image in process (with calibration and the unknown-input "
        f"score): p50 {lat['p50_ms']:.2f} ms, p99 {lat['p99_ms']:.2f} ms"
    )
    say(
        f"- Predicting the 10,000 test images in one call: {lat['batch_images_per_s']:.0f} images/s"
    )


def _iris_times(say, nf_cmd: list[str], tmp: Path) -> None:
    iris_s, torch_s = [], []
    for _ in range(5):  # interleaved, so both see the same machine
        iris_s += wall(
            [*nf_cmd, "train", "iris", "--model", "iris-mlp", "--out", str(tmp / "iris")],
            1,
            ROOT,
        )  # prints the test accuracy
        torch_s += wall([sys.executable, "-c", "import torch"], 1, ROOT)
    iris_eval = wall([*nf_cmd, "evaluate", str(tmp / "iris")], 3, ROOT)
    say(
        "- `neuroflow train iris` (training, its test evaluation and the model folder) as "
        f"one process: median {statistics.median(iris_s):.2f} s; `neuroflow evaluate`: "
        f"median {statistics.median(iris_eval):.2f} s"
    )
    say(
        "- A process that only runs `import torch`, in the same rounds: median "
        f"{statistics.median(torch_s):.2f} s, so neuroflow's own part of `train iris` is "
        f"{statistics.median(iris_s) - statistics.median(torch_s):.2f} s"
    )


def _mnist_model(nf_cmd: list[str], data_dir: str, tmp: Path) -> Path:
    """A one-epoch MNIST model to time predictions with."""
    model_dir = tmp / "mnist"
    subprocess.run(
        [
            *nf_cmd,
            "train",
            "mnist",
            "--data-dir",
            data_dir,
            "--epochs",
            "1",
            "--out",
            str(model_dir),
            "--quiet",
        ],
        cwd=ROOT,
        check=True,
        env={**os.environ},
    )
    return model_dir
