"""ONNX export against PyTorch: largest output difference, and one-input predict latency in each
runtime.

Run: .venv/bin/python -m benchmarks.share_onnx [MNIST_DIR]   (iris-mlp, and the lesson's mnist-cnn
on 10,000 MNIST images)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.timing import median_seconds
from benchmarks.usage import help_asked


def median_us(fn, runs: int) -> float:
    return median_seconds(fn, runs, warmup=20) * 1e6


def main(mnist_dir: str) -> None:
    import neuroflow as nf
    from neuroflow.data.pictures.idx import load_idx_dataset
    from neuroflow.export.runtime import load_onnx
    from neuroflow.export.to_onnx import export_onnx
    from neuroflow.models.logits import softmax

    iris = nf.load_dataset("iris")
    mnist = load_idx_dataset("mnist", data_dir=mnist_dir)
    mnist.x_train, mnist.y_train = mnist.x_train[:10_000], mnist.y_train[:10_000]
    cases = [
        (
            "iris-mlp",
            nf.train(iris, model="iris-mlp", progress="quiet"),
            np.concatenate([iris.x_train, iris.x_val, iris.x_test]),
            [[5.1, 3.3, 1.7, 0.5]],
        ),
        (
            "mnist-cnn",
            nf.train(mnist, model="mnist-cnn", epochs=1, progress="quiet"),
            mnist.x_test,
            mnist.x_test[:1],
        ),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name, model, x, one in cases:
            onnx_model = load_onnx(export_onnx(model, Path(tmp) / f"{name}.onnx"))
            logits = model.logits(x)
            out = onnx_model.run(x)
            d_logits = float(np.abs(out["logits"] - logits).max())
            d_probs = float(np.abs(out["probabilities"] - softmax(logits, model.temperature)).max())
            net_torch = median_us(lambda m=model, v=x[:1]: m.logits(v), 300)
            net_ort = median_us(lambda o=onnx_model, v=x[:1]: o.run(v), 300)
            full_torch = median_us(lambda m=model, v=one: nf.predict(m, v), 100)
            full_ort = median_us(lambda o=onnx_model, v=one: nf.predict(o, v), 100)
            print(
                f"{name}: {model.network.count_params():,} params, {len(x):,} inputs: max |Δ "
                f"logits| {d_logits:.1e}, max |Δ probabilities| {d_probs:.1e}; "
                f"one input, network only: torch {net_torch:.0f} µs, onnxruntime {net_ort:.0f} µs; "
                f"one input through predict(): torch {full_torch:.0f} µs, onnxruntime "
                f"{full_ort:.0f} µs"
            )


if __name__ == "__main__":
    help_asked(__doc__)
    main(
        sys.argv[1]
        if len(sys.argv) > 1
        else str(Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist")
    )
