"""The published sanity checks of each explanation method, and its time per input, on mnist-fast
as shipped (seed 0) and the first 200 MNIST test digits.

Per method: the time to explain one digit (200 explained in batches, this process), model
randomisation (Adebayo et al., 2018, as their published code computes it: mean Spearman correlation
over every pixel between the trained network's attributions for its answer and a re-initialised
network's for its own answer, by size and by sign; ≤ 0.3 passes; by size also over the non-black
pixels only, and the cascade from the output layer down), deletion (blanking the
10% most-attributed pixels lowers the answer's probability more than blanking 10% at random, for
what share of the digits; ≥ 90% passes) and integrated gradients' completeness gap (≤ 5% passes).

python -m benchmarks.explain [--data-dir D] [--no-write]
"""

from __future__ import annotations

import json
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECTION = "## Explanations: sanity checks and time per input"
DIGITS = 200
RANDOMISED = 50  # digits in the randomisation check: it explains each twice


def measure(model, x) -> list[dict]:
    """One row per method: ms per input and the sanity checks' figures."""
    import numpy as np

    from neuroflow.explain import METHODS
    from neuroflow.explain.attributions import attribute
    from neuroflow.explain.sanity import (
        cascading_correlations,
        deletion_wins,
        randomisation_correlation,
    )

    targets = model.probabilities(x).argmax(1)
    rows = []
    for method in METHODS:
        start = time.perf_counter()
        _, _, gaps = attribute(model, x, targets, method)
        ms = (time.perf_counter() - start) * 1000 / len(x)
        few = x[:RANDOMISED]
        rows.append({
            "method": method,
            "ms_per_input": ms,
            "spearman_size": randomisation_correlation(model, few, method),
            "spearman_sign": randomisation_correlation(model, few, method, absolute=False),
            "spearman_size_changed": randomisation_correlation(
                model, few, method, changed_pixels_only=True
            ),
            "deletion": float(deletion_wins(model, x, method).mean()),
            "gap_max": None if gaps is None else float(np.max(gaps)),
            "gap_median": None if gaps is None else float(np.median(gaps)),
        })  # fmt: skip
        if method in ("integrated-gradients", "gradcam"):
            rows[-1]["cascade_size"] = cascading_correlations(model, few, method)
            if method != "gradcam":  # Grad-CAM's map is non-negative: by sign is by size
                rows[-1]["cascade_sign"] = cascading_correlations(
                    model, few, method, absolute=False
                )
    return rows


def run(data_dir: str) -> tuple[list[dict], dict]:
    """The rows, and the model's test accuracy and the machine's load while they were measured."""
    import os

    import neuroflow as nf
    from neuroflow.data.pictures.idx import load_idx_dataset

    data = load_idx_dataset("mnist", data_dir=data_dir)
    model = nf.train(data, "mnist-fast", seed=0, progress="quiet", post_fit=False)
    accuracy = float((model.probabilities(data.x_test).argmax(1) == data.y_test).mean())
    load = os.getloadavg()[0]
    rows = measure(model, data.x_test[:DIGITS])
    where = {"test_accuracy": accuracy, "cores": os.cpu_count(),
             "load": (load + os.getloadavg()[0]) / 2}  # fmt: skip
    return rows, where


def lines(rows: list[dict], where: dict) -> list[str]:
    def passed(value, bar, below=True):
        return "pass" if (value <= bar if below else value >= bar) else "fail"

    out = [
        SECTION,
        "",
        "Written by `python -m benchmarks.explain` (part of `make bench`): mnist-fast as shipped, "
        f"seed 0 (test accuracy {where['test_accuracy']:.4f}), the first {DIGITS} MNIST test "
        f"digits; randomisation on the first {RANDOMISED}. Times are of one process on "
        f"{where['cores']} cores with a load average of {where['load']:.1f} (other work shared "
        "them), explaining in batches of 16.",
        "",
        "| method | ms per input | randomisation ρ by size | ρ by sign | ρ by size, non-black "
        "pixels | deletion wins | completeness gap max (median) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        gap = "—"
        if r["gap_max"] is not None:
            gap = f"{r['gap_max']:.2%} ({r['gap_median']:.2%}), {passed(r['gap_max'], 0.05)}"
        out.append(
            f"| {r['method']} | {r['ms_per_input']:.1f} | {r['spearman_size']:.3f}, "
            f"{passed(r['spearman_size'], 0.3)} | {r['spearman_sign']:.3f}, "
            f"{passed(r['spearman_sign'], 0.3)} | {r['spearman_size_changed']:.3f} | "
            f"{r['deletion']:.1%}, {passed(r['deletion'], 0.9, below=False)} | {gap} |"
        )
    cascades = [r for r in rows if "cascade_size" in r]
    steps = [name for name, _ in cascades[0]["cascade_size"]] if cascades else []
    out += [
        "",
        "The cascade (ρ as the layers are re-initialised one more at a time, from the output down; "
        "the last column is the fully re-initialised network of the table above):",
        "",
        "| method, ranked | " + " | ".join(f"down to {s}" for s in steps) + " |",
        "|---|" + "---|" * len(steps),
    ]
    for r in cascades:
        for by in ("size", "sign") if "cascade_sign" in r else ("size",):
            values = " | ".join(f"{v:.3f}" for _, v in r[f"cascade_{by}"])
            out.append(f"| {r['method']}, by {by} | {values} |")
    out += [
        "",
        "Protocol, as Adebayo et al.'s published code (github.com/adebayoj/sanity_checks_saliency) "
        "runs it: each network explains its own answer; a map is summed over channels and ranked "
        "over all its pixels, by size and by sign; the weights are re-initialised with the "
        "model's own initialisers (Glorot-uniform kernels, zero biases); Grad-CAM looks at the "
        "last convolution after its ReLU and is upsampled bilinearly to the picture. Bars: "
        "randomisation ρ ≤ 0.3, deletion wins ≥ 90%, completeness gap ≤ 5%. Integrated gradients "
        "pass by sign only: by size they are exactly 0 on every black pixel whatever the weights "
        "(they multiply by input − black baseline), so ~80% of the pixels tie in both maps, and "
        "even over the non-black pixels their size follows the stroke's brightness. Grad-CAM "
        "fails (its map is non-negative, so by sign is the same ranking): the re-initialised "
        "network's map still lights up the strokes against the black, though over the non-black "
        "pixels alone it orders them unlike the trained one's. The non-black column is a "
        "diagnostic, not the paper's protocol. Grad-CAM's map is upsampled bilinearly to the "
        "picture before deletion ranks its pixels, as the Grad-CAM paper upsamples it. Saliency "
        "is a gradient's size, so its two ρ are the same.",
        "",
    ]
    return out


def write_section(out: Path, text: list[str]) -> None:
    old = out.read_text() if out.exists() else "# neuroflow benchmarks\n"
    start = old.find(SECTION)
    if start >= 0:  # replace this benchmark's own section, keep everything else
        end = old.find("\n## ", start + len(SECTION))
        old = old[:start].rstrip("\n") + ("\n\n" + old[end + 1 :] if end >= 0 else "")
    out.write_text(old.rstrip("\n") + "\n\n" + "\n".join(text) + "\n")


def section(say, data_dir: str) -> None:
    """The section, said line by line (python -m benchmarks)."""
    rows, where = run(data_dir)
    for line in lines(rows, where):
        say(line)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(HERE.parent.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md")
    args = parser.parse_args()
    found, where = run(args.data_dir)
    text = lines(found, where)
    print("\n".join(text))
    if not args.no_write:
        write_section(HERE / "RESULTS.md", text)
    print(json.dumps({"rows": found, **where}))
