"""What every lesson notebook shares: fast mode, exercise checks, neuroflow's one-line errors, the
command line.

Plain and short on purpose, so a learner who opens it can read all of it; the lessons import it as
`lt`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import subprocess
import sys
import warnings
from pathlib import Path

import neuroflow as nf

# NEUROFLOW_LESSON_FAST=1 shrinks epochs and data so a whole lesson runs in seconds (the tests use
# it).
FAST = os.environ.get("NEUROFLOW_LESSON_FAST", "").strip() not in ("", "0")


def pick(full, fast):
    """`full` in the real lesson, `fast` in fast mode."""
    return fast if FAST else full


def start(number: int, title: str) -> Path:
    """Start a lesson: neuroflow's errors show as their one line, and the lesson gets a folder for
    its files."""
    with contextlib.suppress(ImportError):
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            shell.set_custom_exc((nf.NeuroflowError,), _one_line)
    # Optuna's progress bars ask for Jupyter widgets; the lessons print plain lines instead.
    warnings.filterwarnings("ignore", message="IProgress not found")
    folder = Path(f"lesson{number:02d}-files")
    folder.mkdir(exist_ok=True)
    mode = "fast mode: small data, few epochs" if FAST else "the full lesson"
    print(
        f"Lesson {number:02d}, {title}: neuroflow {nf.__version__}, {mode}; files go to {folder}/"
    )
    return folder


def _one_line(shell, etype, value, tb, tb_offset=None):
    """Show a NeuroflowError as what it says, not as a traceback that buries the message."""
    line = f"neuroflow says: {value}"
    shell._showtraceback(etype, value, [line])
    return [line]


class Said:
    """What `nf_says` caught: the error's one line, or None when nothing went wrong."""

    line: str | None = None


@contextlib.contextmanager
def nf_says():
    """Run something that may be bad input: print neuroflow's one-line error instead of
    raising it."""
    said = Said()
    try:
        yield said
    except nf.NeuroflowError as err:
        said.line = str(err)
        print(f"neuroflow says: {said.line}")


# --- exercises ------------------------------------------------------------------------------------


def answered(value, what: str = "your answer") -> bool:
    """False (and a line saying so) while the exercise still holds its `...` placeholder."""
    if value is ... or (
        isinstance(value, list | tuple | dict)
        and any(v is ... for v in (value.values() if isinstance(value, dict) else value))
    ):
        print(f"✗ not yet: replace the ... with {what}, then run this cell again")
        return False
    return True


def check(ok: bool, right: str, wrong: str) -> None:
    """Say whether an answer is right: '✓ right: ...' or '✗ not yet: ...' (with a hint)."""
    print(f"✓ right: {right}" if ok else f"✗ not yet: {wrong}")


def close(a: float, b: float, tol: float = 1e-3) -> bool:
    try:
        return abs(float(a) - float(b)) <= tol
    except (TypeError, ValueError):
        return False


# --- the command line -----------------------------------------------------------------------------


def output(command: str, expect: int = 0) -> str:
    """What `neuroflow COMMAND` prints, as a learner would see it in a terminal.

    An exit status other than `expect` stops the cell with the command's own one-line message.
    """
    proc = subprocess.run(
        [sys.executable, "-m", "neuroflow", *shlex.split(command)], capture_output=True, text=True
    )
    if proc.returncode != expect:
        if proc.stdout.strip():
            print(proc.stdout.rstrip())
        last = (proc.stderr.strip().splitlines()[-1:] or ["(no message)"])[0].removeprefix(
            "error: "
        )
        raise nf.NeuroflowError(
            f"{last.rstrip('.')} (`neuroflow {shlex.split(command)[0]}` ended with exit status "
            f"{proc.returncode})"
        )
    return (proc.stdout + proc.stderr).rstrip()


def run(command: str, expect: int = 0) -> None:
    """Run `neuroflow COMMAND` and print what it says."""
    text = output(command, expect)
    if text:
        print(text)


def run_json(command: str) -> dict | list:
    """Run `neuroflow COMMAND --json` and return what it printed, parsed."""
    return json.loads(output(f"{command} --json"))


# --- pictures -------------------------------------------------------------------------------------


def show(path: str | Path, width: int | None = None) -> None:
    """Show a PNG in the notebook (and say which file it is)."""
    from IPython.display import Image, display

    print(path)
    display(Image(filename=str(path), width=width))


def font(size: int):
    from PIL import ImageFont

    for name in ("DejaVuSans.ttf", "Arial.ttf", "LiberationSans-Regular.ttf"):
        with contextlib.suppress(OSError):
            return ImageFont.truetype(name, size)
    return ImageFont.load_default(size=size)


def draw_digit(
    digit: int, path: str | Path, *, photo: bool = True, slant: float = 0.0, seed: int = 0
) -> Path:
    """A digit written in dark ink on light paper, like a learner's own picture.

    photo=True adds what a phone photo has: uneven light, grain and a little blur.
    """
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    rng = np.random.default_rng(seed + 17 * digit)
    side = 240
    sheet = Image.new("L", (side, side), 255)
    ImageDraw.Draw(sheet).text(
        (side / 2, side / 2), str(digit), fill=0, font=font(170), anchor="mm"
    )
    sheet = sheet.rotate(slant, resample=Image.BICUBIC, fillcolor=255)
    img = np.asarray(sheet, np.float32)
    if photo:
        yy, xx = np.mgrid[0:side, 0:side] / side
        light = 200 + 40 * (1 - yy) - 25 * xx  # paper lit from the top left
        img = np.where(img > 128, light, 40 + 20 * rng.random()) + rng.normal(0, 6, img.shape)
        img = np.asarray(
            Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).filter(
                ImageFilter.GaussianBlur(1.2)
            ),
            np.float32,
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).convert("RGB").save(path)
    return path


def draw_dog(path: str | Path, seed: int = 0) -> Path:
    """A picture that is not a digit: a brown dog on grass under a blue sky, with photo grain."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    rng = np.random.default_rng(seed)
    w, h = 320, 240
    img = Image.new("RGB", (w, h), (120, 170, 230))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 150, w, h), fill=(70, 140, 60))
    brown, dark = (140, 90, 50), (60, 40, 25)
    draw.ellipse((90, 110, 230, 180), fill=brown)  # body
    draw.ellipse((200, 70, 270, 135), fill=brown)  # head
    draw.ellipse((250, 95, 285, 120), fill=(120, 80, 45))  # muzzle
    draw.ellipse((196, 62, 220, 110), fill=dark)  # ear
    draw.ellipse((240, 88, 250, 98), fill=(10, 10, 10))  # eye
    for x in (105, 135, 185, 210):
        draw.rectangle((x, 165, x + 14, 215), fill=brown)  # legs
    draw.line((92, 130, 55, 100), fill=brown, width=12)  # tail
    pixels = np.asarray(img.filter(ImageFilter.GaussianBlur(1.5)), np.float32) + rng.normal(
        0, 8, (h, w, 3)
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path)
    return path


def subset(ds, train: int, val: int, test: int):
    """The first `train`, `val` and `test` examples of each split (fast mode's small MNIST)."""
    import dataclasses

    return dataclasses.replace(
        ds,
        x_train=ds.x_train[:train],
        y_train=ds.y_train[:train],
        x_val=ds.x_val[:val],
        y_val=ds.y_val[:val],
        x_test=ds.x_test[:test],
        y_test=ds.y_test[:test],
    )
