"""What outlier exposure costs and what it buys, so that its default is chosen on figures.

The lesson's CNN is trained on MNIST as `neuroflow train` trains it, with outlier exposure as
shipped (made-up non-digits taught to give flat probabilities: one per 4 examples of a batch),
with half as many, and without, each in a process of its own. Reported: seconds of training steps,
test accuracy, and the unknown-input check's AUROC and false-positive rate (unknown inputs
accepted while 95% of digits are) against the card's generated letters, noise and shapes.

python -m benchmarks.outlier_exposure [--data-dir D] [--epochs 3]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("letters", "noise", "shapes")


def child(data_dir: str, epochs: int, exposure: float, per: int) -> dict:
    import neuroflow as nf
    from neuroflow.models.recipes import recipe
    from neuroflow.training import train_data

    train_data.EXAMPLES_PER_NON_EXAMPLE = per
    spec = {**recipe("mnist-cnn"), "outlier_exposure": exposure}
    model = nf.train("mnist", spec, epochs=epochs, data_dir=data_dir, progress="quiet", test=True)
    reports = model.config["ood"]["reports"]
    return {
        "exposure": exposure,
        "per": per,
        "train_s": sum(h["train_time_s"] for h in model.history),
        "test_accuracy": model.test_report["accuracy"],
        "auroc": {k: next(v["auroc"] for n, v in reports.items() if k in n) for k in KINDS},
        "fpr": {k: next(v["fpr_at_95_tpr"] for n, v in reports.items() if k in n) for k in KINDS},
    }


def section(say, data_dir: str, epochs: int = 3) -> None:
    from neuroflow.models.recipes import recipe
    from neuroflow.training.train_data import EXAMPLES_PER_NON_EXAMPLE as SHIPPED

    default = recipe("mnist-cnn").get("outlier_exposure", 0.0)
    runs = []
    fewer = SHIPPED * 2
    for exposure, per in ((default, SHIPPED), (default, fewer), (0.0, SHIPPED)):
        cmd = [sys.executable, "-m", "benchmarks.outlier_exposure", "--child", data_dir,
               str(epochs), str(exposure), str(per)]  # fmt: skip
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    say(f"## Outlier exposure: its cost and what it buys (mnist-cnn, {epochs} epochs)")
    say("")
    say("Written by `python -m benchmarks.outlier_exposure` (part of `make bench`); AUROC of the "
        "unknown-input check (energy) against the card's generated sets, 1.0 = always told "
        "apart.")  # fmt: skip
    say("")
    say("| outlier exposure | training steps s | test accuracy | letters: AUROC, FPR | noise | "
        "shapes |")  # fmt: skip
    say("|---|---|---|---|---|---|")
    for r in runs:
        what = f"weight {r['exposure']:g}, 1 per {r['per']}" if r["exposure"] else "none"
        figures = " | ".join(f"{r['auroc'][k]:.3f}, {r['fpr'][k]:.1%}" for k in KINDS)
        say(f"| {what} | {r['train_s']:.1f} | {r['test_accuracy']:.4f} | {figures} |")
    shipped, half, without = runs
    say("")
    say(f"Outlier exposure as shipped costs {shipped['train_s'] / without['train_s'] - 1:+.0%} "
        f"training time (one per {fewer}: {half['train_s'] / without['train_s'] - 1:+.0%}); "
        + ", ".join(f"{k} AUROC {without['auroc'][k]:.3f} → {shipped['auroc'][k]:.3f}"
                    for k in KINDS) + ". The training times are of runs one after another on a "
        "machine others share.")  # fmt: skip
    say("")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        d, e, x, per = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
        print(json.dumps(child(d, e, x, per)))
    else:
        import argparse

        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"))
        parser.add_argument("--epochs", type=int, default=3)
        args = parser.parse_args()
        section(print, args.data_dir, args.epochs)
