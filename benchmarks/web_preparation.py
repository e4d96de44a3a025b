"""What the web page's simpler preparation of photos costs: it does not look for a frame, ruled
lines or a plaque around the digit (neuroflow.data.digit_finding) before cropping.

`python -m benchmarks.web_preparation --mnist-dir ../shared/data/mnist --n 50` trains the page
tests' small MNIST model (benchmarks.serve_load, seed 0), then for each kind of the finder's
pictures (neuroflow.data.synth_context, seed 0) and plain generated digits prints how far the
page's 28×28 is from neuroflow's (mean |difference| over pixels, in 0-255, and how many pictures
differ at all) and how many each gets right, and right and accepted. The page's preparation is
neuroflow's with the finder off; tests/export/test_web_page.py checks that it is exactly that.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.digits_in_context import _pictures, without_finding
from benchmarks.own_digits import right_and_accepted


def table(model, n: int) -> list[str]:
    from neuroflow.data.images import prepare_for_model
    from neuroflow.data.synth_context import CONTEXTS

    lines = [
        "| pictures | mean |page − neuroflow| | pictures that differ | neuroflow: right / "
        "accepted | page: right / accepted |",
        "|---|---|---|---|---|",
    ]
    for kind in (*CONTEXTS, "plain"):
        images, labels = _pictures(kind, n)
        full = np.stack([prepare_for_model(img, model.preprocessing) for img in images])
        with without_finding():
            page = np.stack([prepare_for_model(img, model.preprocessing) for img in images])
            simple = right_and_accepted(model, images, labels)
        finder = right_and_accepted(model, images, labels)
        diff = np.abs(full.astype(int) - page.astype(int))
        differ = int((diff.reshape(n, -1).max(1) > 0).sum())
        lines.append(
            f"| {kind} | {diff.mean():.1f} | {differ}/{n} | {finder[0]}/{n} / {finder[1]} "
            f"| {simple[0]}/{n} / {simple[1]} |"
        )
    return lines


def main() -> None:
    import neuroflow as nf
    from benchmarks.serve_load import small_digit_model

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mnist-dir", required=True)
    parser.add_argument("--n", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = nf.load(small_digit_model(args.mnist_dir, Path(tmp) / "digits"))
        print("\n".join(table(model, args.n)))


if __name__ == "__main__":
    main()
