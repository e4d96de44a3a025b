"""Which unknown-input score works, and how well the model's own check tells real handwriting
that is no digit from digits.

Run from the repository root: `python -m benchmarks.unknown_input MODEL_DIR` (`--data-dir` for
MNIST, `--omniglot` for Omniglot's zip; both default to ../shared/data) prints, for any image
model: AUROC and the share accepted when 95% of MNIST test digits are, for Omniglot's measuring
part (alphabets never used in training, benchmarks/omniglot.py) and its training part, with the
model's own method; then every method against every generated kind of unknown input; then MNIST
test accuracy and calibration (ECE) before and after the model's temperature.
`make bench` records these rows for mnist-cnn with --augment invert (3 epochs, seed 1).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.omniglot import MEASURING, TRAINING, ZIP

ROOT = Path(__file__).resolve().parent.parent
TITLE = (
    "## The unknown-input check on real handwriting (mnist-cnn, --augment invert, 3 epochs, seed 1)"
)


def main() -> None:
    import neuroflow as nf
    from neuroflow.data.pictures.idx import load_idx_dataset
    from neuroflow.models.detector import features_and_logits

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model")
    parser.add_argument("--data-dir", default="../shared/data/mnist")
    parser.add_argument("--omniglot", default=ZIP)
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    model = nf.load(args.model)
    ds = load_idx_dataset("mnist", data_dir=args.data_dir)
    f_in, l_in = features_and_logits(model.network, ds.x_test, model.preprocessing)
    print(
        f"model {args.model}: T = {model.temperature:.3f}; known inputs: MNIST test "
        f"({len(ds.x_test)}); method {model.config['ood']['method']}"
    )
    _real_handwriting(model, f_in, l_in, args.omniglot)
    _methods_table(model, ds, f_in, l_in, args.n)
    _accepted_and_calibration(model, ds, f_in, l_in)


def _real_handwriting(model, f_in, l_in, zip_path: str) -> None:
    """The model's own check on Omniglot's characters, prepared as the model prepares a picture."""
    import numpy as np

    from benchmarks.omniglot import characters
    from neuroflow.data.pictures.prepare import prepare_for_model
    from neuroflow.evaluation.unknown_inputs import detection_figures
    from neuroflow.models.detector import features_and_logits, scores_for

    method, t = model.config["ood"]["method"], model.temperature
    s_in = scores_for(method, f_in, l_in, t, model.detector)
    for part, alphabets in (("measuring", MEASURING), ("training", TRAINING)):
        pictures, _ = characters(zip_path, alphabets)
        x = np.stack([prepare_for_model(p, model.preprocessing) for p in pictures])
        f_out, l_out = features_and_logits(model.network, x, model.preprocessing)
        fig = detection_figures(s_in, scores_for(method, f_out, l_out, t, model.detector))
        print(
            f"Omniglot {part} part ({', '.join(alphabets)}; {len(x)} characters): AUROC "
            f"{fig['auroc']:.4f}; accepted when 95% of digits are: {fig['fpr_at_95_tpr']:.1%}"
        )


def _methods_table(model, ds, f_in, l_in, n: int) -> None:
    """AUROC and FPR at 95% TPR of every method the model can score against every kind of unknown
    input (Mahalanobis needs class means, fitted only when it is the model's method)."""
    from neuroflow.data.made_up.unknown_inputs import unknown_inputs
    from neuroflow.evaluation.unknown_inputs import detection_figures
    from neuroflow.models.detector import METHODS, features_and_logits, needs_features, scores_for

    t = model.temperature
    kinds = ["letters", "symbols", "noise", "blank", "shapes", "scrambled"]
    print(f"{'method':12}" + "".join(f"{k:>18}" for k in kinds))
    sets = {
        k: unknown_inputs(k, n, seed=1, digits=ds.x_test[:, :, :, 0] if k == "scrambled" else None)
        for k in kinds
    }
    outs = {}
    for k in kinds:
        x = sets[k][..., None] if sets[k].ndim == 3 else sets[k]
        outs[k] = features_and_logits(model.network, x, model.preprocessing)
    for method in METHODS:
        if needs_features(method) and "means" not in (model.detector or {}):
            print(f"{method:12}" + f"{'not fitted for this model':>30}")
            continue
        s_in = scores_for(method, f_in, l_in, t, model.detector)
        cells = []
        for k in kinds:
            fig = detection_figures(s_in, scores_for(method, *outs[k], t, model.detector))
            cells.append(f"{fig['auroc']:.4f}/{fig['fpr_at_95_tpr']:.3f}")
        print(f"{method:12}" + "".join(f"{c:>18}" for c in cells))
    print("(cells: AUROC / FPR at 95% TPR)")


def _accepted_and_calibration(model, ds, f_in, l_in) -> None:
    """How many test digits the model's own check accepts, accuracy, and calibration before and
    after."""
    from neuroflow.evaluation.metrics import calibration_figures
    from neuroflow.models.detector import scores_for
    from neuroflow.models.logits import softmax

    t = model.temperature
    threshold = model.config["ood"]["threshold"]
    s_in = scores_for(model.config["ood"]["method"], f_in, l_in, t, model.detector)
    accepted = s_in <= threshold
    right = l_in.argmax(1) == ds.y_test
    print(
        f"MNIST test accuracy {right.mean():.4f}; accepted test digits {accepted.mean():.4f}, "
        f"accuracy on them {right[accepted].mean():.4f}"
    )
    before, after = (
        calibration_figures(softmax(l_in), ds.y_test),
        calibration_figures(softmax(l_in, t), ds.y_test),
    )
    print(
        f"test ECE before {before['ece']:.4f} after {after['ece']:.4f}; NLL before "
        f"{before['nll']:.4f} after {after['nll']:.4f}"
    )


def commit() -> str:
    """The commit measured, marked when the working tree has changes beside it."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()  # fmt: skip
    return head.stdout.strip() + (" with uncommitted changes" if dirty else "")


def section(say, data_dir: str, omniglot: str = ZIP, model_dir: str | None = None) -> None:
    """Train the reference model (unless given one) and write this benchmark's rows for it."""
    with tempfile.TemporaryDirectory() as tmp:
        if model_dir is None:
            model_dir = str(Path(tmp) / "mnist-cnn")
            subprocess.run(
                [sys.executable, "-m", "neuroflow", "train", "mnist", "--model", "mnist-cnn",
                 "--augment", "invert", "--epochs", "3", "--seed", "1", "--data-dir", data_dir,
                 "--out", model_dir, "--quiet"],
                cwd=ROOT, check=True, capture_output=True,
            )  # fmt: skip
        command = ["benchmarks.unknown_input", model_dir, "--data-dir", data_dir,
                   "--omniglot", omniglot]  # fmt: skip
        out = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout  # fmt: skip
    say(TITLE)
    say("")
    say(f"Written by `python -m benchmarks.unknown_input MODEL_DIR` at commit {commit()}, for the "
        "model `neuroflow train mnist --model mnist-cnn --augment invert --epochs 3 --seed 1` "
        "makes. Goals: on Omniglot's measuring part AUROC ≥ 0.99 with ≤ 5% accepted; MNIST "
        "test accuracy ≥ 0.99; ECE after calibration ≤ 0.003.")  # fmt: skip
    say("")
    say("```")
    for line in out.strip().splitlines():
        say(line.replace(model_dir, "MODEL_DIR"))
    say("```")
    say("")


if __name__ == "__main__":
    main()
