"""Digits photographed in context: a frame, a plaque, lined or squared paper, a shadowed edge.

`python -m benchmarks.digits_in_context MODEL_DIR --n 50 --mnist-dir ../shared/data/mnist` prints,
for each kind of generated picture (neuroflow.data.made_up.synth_context, seed 0) and for plain
generated digits (neuroflow.data.made_up.synth), how many a 28×28 digit model gets right, and right
and accepted, before (no digit finding: the picture cropped as it is) and after. With --mnist-dir it
also prepares MNIST test digits saved as PNG both ways and counts the ones prepared bit-identically.
"""

from __future__ import annotations

import argparse
import contextlib
from unittest import mock

import numpy as np


@contextlib.contextmanager
def without_finding():
    """The preparation as it was before digit finding: every picture cropped as it is."""
    with mock.patch("neuroflow.data.pictures.digits.find_digit", lambda grey: None):
        yield


def _pictures(kind: str, n: int):
    from neuroflow.data.made_up.synth import handwritten_digits
    from neuroflow.data.made_up.synth_context import digits_in_context

    return handwritten_digits(n, seed=0) if kind == "plain" else digits_in_context(kind, n, seed=0)


def context_table(model, n: int) -> None:
    from benchmarks.own_digits import right_and_accepted
    from neuroflow.data.made_up.synth_context import CONTEXTS

    print(f"{'pictures':>10} {'before: right / accepted':>26} {'after: right / accepted':>26}")
    for kind in (*CONTEXTS, "plain"):
        images, labels = _pictures(kind, n)
        with without_finding():
            before = right_and_accepted(model, images, labels)
        after = right_and_accepted(model, images, labels)
        cells = [f"{r}/{n} / {a}" for r, a in (before, after)]
        print(f"{kind:>10} {cells[0]:>26} {cells[1]:>26}")


def mnist_check(mnist_dir: str, limit: int) -> None:
    """MNIST test digits as PNG pictures, prepared before and after: how many are identical."""
    import io

    from PIL import Image

    from neuroflow.data.pictures.digits import prepare_digit
    from neuroflow.data.pictures.idx import load_idx_dataset

    ds = load_idx_dataset("mnist", data_dir=mnist_dir)
    same = 0
    for digit in ds.x_test[:limit, :, :, 0]:
        buffer = io.BytesIO()
        Image.fromarray(digit).save(buffer, "PNG")
        picture = Image.open(io.BytesIO(buffer.getvalue()))
        with without_finding():
            before = prepare_digit(picture)
        same += np.array_equal(before, prepare_digit(picture))
    print(f"MNIST test digits saved as PNG: {same}/{min(limit, len(ds.x_test))} prepared alike")


def main() -> None:
    import neuroflow as nf

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--mnist-dir")
    parser.add_argument("--mnist-n", type=int, default=10_000)
    args = parser.parse_args()
    context_table(nf.load(args.model), args.n)
    if args.mnist_dir:
        mnist_check(args.mnist_dir, args.mnist_n)


if __name__ == "__main__":
    main()
