"""What outlier exposure costs and what it buys, so that its default is chosen on figures.

The lesson's CNN is trained on MNIST as `neuroflow train` trains it, once with outlier exposure (the
recipe's default: a quarter more made-up non-digits per step, taught to give flat probabilities)
and once without, each in a process of its own. Reported: seconds of training steps, test accuracy,
and the unknown-input check's AUROC against the card's generated letters, noise and shapes.

python -m benchmarks.outlier_exposure [--data-dir D] [--epochs 3]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("letters", "noise", "shapes")


def child(data_dir: str, epochs: int, exposure: float) -> dict:
    import neuroflow as nf
    from neuroflow.models.recipes import recipe

    spec = {**recipe("mnist-cnn"), "outlier_exposure": exposure}
    model = nf.train("mnist", spec, epochs=epochs, data_dir=data_dir, progress="quiet", test=True)
    reports = model.config["ood"]["reports"]
    return {
        "exposure": exposure,
        "train_s": sum(h["train_time_s"] for h in model.history),
        "test_accuracy": model.test_report["accuracy"],
        "auroc": {k: next(v["auroc"] for n, v in reports.items() if k in n) for k in KINDS},
    }


def section(say, data_dir: str, epochs: int = 3) -> None:
    from neuroflow.models.recipes import recipe

    default = recipe("mnist-cnn").get("outlier_exposure", 0.0)
    runs = []
    for exposure in (default, 0.0):
        cmd = [sys.executable, "-m", "benchmarks.outlier_exposure", "--child", data_dir,
               str(epochs), str(exposure)]  # fmt: skip
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    say(f"## Outlier exposure: its cost and what it buys (mnist-cnn, {epochs} epochs)")
    say("")
    say("Written by `python -m benchmarks.outlier_exposure` (part of `make bench`); AUROC of the "
        "unknown-input check (energy) against the card's generated sets, 1.0 = always told "
        "apart.")  # fmt: skip
    say("")
    say("| outlier exposure | training steps s | test accuracy | AUROC letters | AUROC noise | "
        "AUROC shapes |")  # fmt: skip
    say("|---|---|---|---|---|---|")
    for r in runs:
        a = r["auroc"]
        say(f"| {r['exposure']:g} | {r['train_s']:.1f} | {r['test_accuracy']:.4f} | "
            f"{a['letters']:.3f} | {a['noise']:.3f} | {a['shapes']:.3f} |")  # fmt: skip
    with_oe, without = runs
    cost = with_oe["train_s"] / without["train_s"] - 1
    say("")
    say(f"Outlier exposure costs {cost:+.0%} training time; "
        + ", ".join(f"{k} AUROC {without['auroc'][k]:.3f} → {with_oe['auroc'][k]:.3f}"
                    for k in KINDS) + ".")  # fmt: skip
    say("")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        d, e, x = sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
        print(json.dumps(child(d, e, x)))
    else:
        import argparse

        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"))
        parser.add_argument("--epochs", type=int, default=3)
        args = parser.parse_args()
        section(print, args.data_dir, args.epochs)
