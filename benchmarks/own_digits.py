"""How a digit model answers generated pictures of handwritten digits, prepared one way or another.

`python -m benchmarks.own_digits MODEL_DIR --n 30 --prepare resize digit-counts` prints, for each
preparation, how many of N generated digits (neuroflow.data.made_up.synth, seed 0) the model gets
right and how many of those its unknown-input check accepts. Shared by benchmarks.digits_in_context.
"""

from __future__ import annotations

import argparse

import numpy as np


def right_and_accepted(model, images, labels, prepare: str | None = None) -> tuple[int, int]:
    """(right, right and accepted) for pictures prepared as `prepare` says (default: the
    model's own preparation)."""
    from neuroflow.data.pictures.prepare import prepare_for_model
    from neuroflow.inference.predict import predict_arrays

    prep = dict(model.preprocessing, prepare=prepare or model.preprocessing.get("prepare"))
    x = np.stack([prepare_for_model(img, prep) for img in images])
    names = [f"picture {i}" for i in range(len(x))]
    results = predict_arrays(model, x, names, [str(int(y)) for y in labels])
    right = [r.correct for r in results]
    return sum(right), sum(c and r.known for c, r in zip(right, results, strict=True))


def main() -> None:
    import neuroflow as nf
    from neuroflow.data.made_up.synth import handwritten_digits

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model")
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--prepare", nargs="+", default=["resize", "digit-counts"])
    args = parser.parse_args()
    model = nf.load(args.model)
    images, labels = handwritten_digits(args.n, seed=args.seed)
    for prepare in args.prepare:
        right, accepted = right_and_accepted(model, images, labels, prepare)
        print(f"{prepare:>13}: {right}/{args.n} right, {accepted} of them accepted")


if __name__ == "__main__":
    main()
