"""`python -m benchmarks` (or `make bench`): neuroflow against plain PyTorch, written to RESULTS.md.

Every figure in RESULTS.md comes from this script; nothing there is typed by hand.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import explain as explanations
from benchmarks import (
    fast_designs,
    outlier_exposure,
    sklearn_tables,
    transfer,
    unknown_input,
    whole_process,
)
from benchmarks.ablation import STEPS_PER_TURN
from benchmarks.alternate import alternate, paired_ratios, steps_in_windows, window_medians
from benchmarks.end_to_end import startup_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def child(module: str, *args) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _changed(before: str, after: str) -> str:
    """The words of setting `before` that `after` changes, e.g. 'split=off'."""
    return " ".join(a for a, b in zip(before.split(), after.split(), strict=True) if a != b)


def machine() -> str:
    import torch

    from neuroflow.doctor import cpu_info

    cpu = cpu_info()
    flags = ", ".join(k for k, v in cpu["features"].items() if v)
    return (
        f"{cpu['model']}, {cpu['cores']} cores ({flags}); {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; torch "
        f"{torch.__version__}, {torch.get_num_threads()} threads"
    )


def main() -> None:
    args = _arguments()
    limit = 6400 if args.quick else args.limit
    rows = []

    def say(text: str) -> None:
        print(text, flush=True)
        rows.append(text)

    say(f"Machine: {machine()}")
    say(
        f"Date: {time.strftime('%Y-%m-%d %H:%M')}; command: python -m benchmarks "
        f"{' '.join(sys.argv[1:])}".rstrip()
    )
    say("")
    say(
        f"## The lesson's CNN: plain PyTorch vs neuroflow ({limit} images × {args.epochs} "
        "epoch(s), batch 128, Adam lr 0.001)"
    )
    say("")
    say(
        f"Both train at once as separate processes, taking turns in {args.window:g}-second "
        "windows while the other is paused "
        "(benchmarks/alternate.py): this machine's speed moves by 10-30% within seconds, and "
        "runs one after the other "
        "saw different machines. A step counts if it ran inside one of its process's windows; "
        "windows k of the two form a pair, "
        "and the ratio quoted is the median pair's ratio of median step times, over "
        f"{args.rounds} round(s)."
    )
    say("")
    say(
        "| round | run | images/s while running | s per 60,000 images | time to first batch s | "
        "test accuracy | peak RSS MiB |"
    )
    say("|---|---|---|---|---|---|---|")
    _cnn_comparison(say, args, limit)
    if not args.quick:
        whole_process.section(say, args.data_dir, args.rounds, epochs=3, window_s=args.window)
        _recipes(say, args)
        whole_process.fast_recipe(say, args.data_dir)
        from neuroflow.models.recipes import recipe

        fast_epochs = recipe("mnist-fast")["epochs"]
        whole_process.recipe_phases(say, args.data_dir, "mnist-fast", fast_epochs)
        fast_designs.section(say, args.data_dir)
        outlier_exposure.section(say, args.data_dir, epochs=3)
        explanations.section(say, args.data_dir)
        sklearn_tables.section(say)
        unknown_input.section(say, args.data_dir)
        transfer.section(say)  # from scratch against a pretrained network, on real pictures
    _settings(say, args, limit)
    _augment_cost(say)
    startup_section(say, args)
    if not args.quick:
        kept = _standalone_sections(Path(args.out))
        Path(args.out).write_text(
            "# neuroflow benchmarks\n\nWritten by `python -m benchmarks` (`make bench`); rerun "
            "it to refresh.\n\n" + "\n".join(rows) + "\n" + kept
        )
        print(f"wrote {args.out}")


def _standalone_sections(out: Path) -> str:
    """The sections of RESULTS.md that other benchmarks write (serving, streaming, scaling), kept
    as they are when this script rewrites the file."""
    from benchmarks import scaling, serve_load, streaming

    theirs = {serve_load.SECTION, streaming.SECTION, scaling.TITLE}
    text = out.read_text() if out.exists() else ""
    kept, keep = [], False
    for line in text.splitlines():
        if line.startswith("## "):
            keep = line in theirs
        if keep:
            kept.append(line)
    return ("\n" + "\n".join(kept).rstrip("\n") + "\n") if kept else ""


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    parser.add_argument(
        "--epochs", type=int, default=1, help="epochs for the plain-PyTorch vs neuroflow comparison"
    )
    parser.add_argument("--limit", type=int, default=55000, help="training images used")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of the plain-PyTorch vs neuroflow comparison"
    )
    parser.add_argument(
        "--window",
        type=float,
        default=2.0,
        help="seconds each of the two trainings runs before the other takes its turn",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small slices only (a smoke run, not for RESULTS.md)"
    )
    parser.add_argument(
        "--compile", action="store_true", help="also time torch.compile (slow to compile)"
    )
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    return parser.parse_args()


def _cnn_comparison(say, args, limit: int) -> None:
    """Plain PyTorch against neuroflow on the lesson's CNN, taking turns, over several rounds."""
    pairs, round_ratios, step_s = [], [], {"ref": [], "ours": []}
    for n in range(1, args.rounds + 1):
        these, ref_steps, our_steps = _cnn_round(say, args, limit, n)
        step_s["ref"] += ref_steps
        step_s["ours"] += our_steps
        pairs += these
        round_ratios.append(statistics.median(these))
    ratio = statistics.median(pairs)
    ours_epoch, ref_epoch = (60000 / 128 * statistics.median(step_s[k]) for k in ("ours", "ref"))
    q1, _, q3 = statistics.quantiles(pairs, n=4) if len(pairs) > 1 else (ratio, ratio, ratio)
    say("")
    say(
        f"Speed ratio neuroflow / plain PyTorch: **{ratio:.2f}×** (median of {len(pairs)} "
        f"window pairs, middle half {q1:.2f}-{q3:.2f}×; "
        f"rounds' medians: {', '.join(f'{r:.2f}×' for r in round_ratios)}); median steps make a "
        "60,000-image epoch "
        f"{ours_epoch:.1f} s for neuroflow and {ref_epoch:.1f} s for plain PyTorch."
    )
    say("")


def _cnn_round(say, args, limit: int, n: int) -> tuple[list[float], list[float], list[float]]:
    """One round of the two trainings in turns: its table rows, and the window pairs' ratios and
    both runs' step times."""
    (ref, ours), (ref_windows, our_windows) = alternate(
        [
            ["benchmarks.reference", args.data_dir, args.epochs, limit, "gate"],
            [
                "benchmarks.neuroflow_run",
                args.data_dir,
                args.epochs,
                limit,
                "mnist-cnn",
                "same",
                0,
                "gate",
            ],
        ],
        args.window,
    )
    ref_steps, our_steps = (
        steps_in_windows(ref["stamps"], ref_windows),
        steps_in_windows(ours["stamps"], our_windows),
    )
    for r, steps in ((ref, ref_steps), (ours, our_steps)):
        ips = 128 / statistics.median(steps)
        say(
            f"| {n} | {r['name']} | {ips:.0f} | {60000 / ips:.1f} | "
            f"{r['time_to_first_batch_s']:.2f} | {r['test_accuracy']:.4f} | "
            f"{r['peak_rss_mib']:.0f} |"
        )
    these = paired_ratios(
        window_medians(ref["stamps"], ref_windows), window_medians(ours["stamps"], our_windows)
    )
    return these, ref_steps, our_steps


def _recipes(say, args) -> None:
    """The shipped MNIST recipes trained as shipped, mnist-fast with three seeds."""
    say("## Recipes as shipped")
    say("")
    say("mnist-fast runs with three seeds: its 99% should not hang on one lucky start.")
    say("")
    say(
        "| recipe | seed | epochs | training steps s | epochs with validation s | test "
        "accuracy | val accuracy per epoch | peak RSS MiB |"
    )
    say("|---|---|---|---|---|---|---|---|")
    from neuroflow.models.recipes import recipe as get_recipe

    for recipe, seeds in (("mnist-cnn", (0,)), ("mnist-fast", (0, 1, 2))):
        epochs = get_recipe(recipe)["epochs"]
        for seed in seeds:
            r = child("neuroflow_run", args.data_dir, epochs, 55000, recipe, "recipe", seed)
            say(
                f"| {recipe} | {seed} | {epochs} | {r['train_s']:.1f} | {r['epochs_s']:.1f} "
                f"| {r['test_accuracy']:.4f} | {r['val_accuracy_per_epoch']} | "
                f"{r['peak_rss_mib']:.0f} |"
            )
    say("")


def _settings(say, args, limit: int) -> None:
    """Each training setting against its neighbour, turn by turn in one process."""
    ablation_images, ablation_s = min(limit, 12800), 20 if args.quick else 90
    say(f"## Training settings (lesson's CNN, batches from {ablation_images} images)")
    say("")
    say(
        "Each setting is compared with the one named beside it, a moment apart, many times "
        "over: the settings take turns "
        f"of {STEPS_PER_TURN} steps each in one process for {ablation_s} s, and a speed-up is "
        "the median over turns of the two settings' "
        "time per image. neuroflow trains with the starred row's settings."
    )
    say("")
    say("| setting | images/s | s per 60k epoch | speed-up | compared with |")
    say("|---|---|---|---|---|")
    setting_rows = child(
        "ablation",
        args.data_dir,
        ablation_images,
        ablation_s,
        *(["compile"] if args.compile else []),
    )
    for r in setting_rows:
        extra = f" (compile {r['compile_s']:.1f} s)" if r["compile_s"] else ""
        star = " ★" if r["base"] else ""
        gain = f"{r['speedup']:.2f}× ({r['turns']} turns)" if r["vs"] else ""
        say(
            f"| {r['setting']}{extra}{star} | {r['images_per_s']:.0f} | "
            f"{60000 / r['images_per_s']:.1f} | {gain} | "
            f"{_changed(r['vs'], r['setting']) if r['vs'] else ''} |"
        )
    say("")


def _augment_cost(say) -> None:
    cost = child("augment_cost")
    say(
        f"Random augmentation ({cost['augment']}) makes a step of the lesson's CNN (batch 128, "
        f"one thread) {cost['ratio']:.2f}× as long "
        f"(median of {cost['turns']} turns with and without it: {cost['augmented_ms']:.1f} ms "
        f"against {cost['plain_ms']:.1f} ms; "
        "the target is at most 1.5×; `python -m benchmarks.augment_cost`)."
    )
    say("")


if __name__ == "__main__":
    main()
