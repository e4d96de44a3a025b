"""Image datasets from folders (DATA/<class name>/*.png) and scikit-learn's 8×8 digits, split and
ready to train.

Pictures are converted once to one size and colour mode and kept as uint8 (N, H, W, C), like MNIST.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

from neuroflow.data.dataset import Dataset, stratified_split
from neuroflow.data.pictures.images import (
    IMAGE_EXTENSIONS,
    is_grey,
    open_image,
    prepare_crop,
    prepare_resize,
)
from neuroflow.data.pictures.prepare import prepare_for_model
from neuroflow.errors import DataError, printable

DEFAULT_SIZE = (28, 28)
# the longest side a folder's pictures are shrunk to by default: big photos train slowly on a CPU
MAX_SIDE = 128


def class_folders(path: str | os.PathLike) -> dict[str, list[Path]]:
    """Class name → its picture files, for DATA/<class>/...; checks there are two classes, each with
    pictures."""
    root = Path(path).expanduser()
    if not root.is_dir():
        raise DataError(
            f"{root} is not a folder", "give a folder with one subfolder of pictures per class"
        )
    check_utf8_name(root)
    subdirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    for sub in subdirs:
        check_utf8_name(sub)
    layout = (
        f"put the pictures in one subfolder per class, e.g. {root}/cat/1.png and {root}/dog/1.png"
    )
    if not subdirs and (root / "config.json").is_file():
        raise DataError(
            f"{root} is a model folder, not training data",
            "give a CSV, a folder of class-named picture folders or a built-in name",
        )
    if not subdirs:
        loose = any(p.suffix.lower() in IMAGE_EXTENSIONS for p in root.iterdir())
        raise DataError(f"{root} has {'pictures but ' if loose else ''}no class subfolders", layout)
    if len(subdirs) == 1:
        raise DataError(
            f"{root} has only one class ({subdirs[0].name}); classification needs at least two "
            "classes",
            layout,
        )
    classes = {}
    for sub in subdirs:
        files = sorted(
            p
            for p in sub.rglob("*")
            if p.suffix.lower() in IMAGE_EXTENSIONS
            and p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(sub).parts)
        )
        for file in files:
            check_utf8_name(file)
        if not files:
            raise DataError(
                f"class folder {sub} holds no pictures",
                f"add {', '.join(IMAGE_EXTENSIONS)} files to it or remove the folder",
            )
        classes[sub.name] = files
    return classes


def check_utf8_name(path: Path) -> None:
    """Names are saved as UTF-8 (class names in config.json, files in a cache's list): a name
    that is not UTF-8 is refused before any training, not when the model is saved."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        raise DataError(
            f"the name {printable(str(path))} is not UTF-8 text",
            "rename it with letters, digits, - and _",
        ) from None


def default_size(sizes: list[tuple[int, int]]) -> tuple[int, int]:
    """(height, width) to train at: the most common size if at least half the pictures share it,
    else 28×28.

    Either way the longest side is at most MAX_SIDE (aspect ratio kept), so big photos stay cheap on
    a CPU; pass image_size (--image-size) to choose another.
    """
    ((size, count),) = Counter(sizes).most_common(1)
    if count * 2 < len(sizes):
        return DEFAULT_SIZE
    height, width = size
    if max(height, width) > MAX_SIDE:
        scale = MAX_SIDE / max(height, width)
        height, width = max(1, round(height * scale)), max(1, round(width * scale))
    return height, width


def load_image_folder(
    path: str | os.PathLike,
    seed: int = 0,
    fractions: tuple[float, float] = (0.2, 0.2),
    image_size: tuple[int, int] | None = None,
    grayscale: bool | None = None,
    crop: dict | None = None,
) -> Dataset:
    """A folder of class-named subfolders → Dataset of uint8 (N, H, W, C), stratified
    train/validation/test.

    `crop` ({"size": 224, "resize": 256, ...}: a pretrained network's preparation) resizes each
    picture's shorter side and cuts out its centre, in colour, and is recorded in the preprocessing.
    """
    root = Path(path).expanduser()
    classes = class_folders(root)
    files = [f for names in classes.values() for f in names]
    y = np.repeat(np.arange(len(classes), dtype=np.int64), [len(v) for v in classes.values()])
    x, preprocessing = decode_pictures(files, image_size, grayscale, crop)
    return split_images(
        x,
        y,
        fractions,
        seed,
        name=root.name,
        class_names=list(classes),
        preprocessing=preprocessing,
        source={"name": root.name, "path": str(root.resolve())},
    )


def decode_pictures(
    files: list[Path], image_size, grayscale: bool | None, crop: dict | None
) -> tuple[np.ndarray, dict]:
    """Pictures → uint8 (N, H, W, C) at one size and colour mode, and the preprocessing that says
    how a new picture is made the same way."""
    if crop is not None:
        image_size, grayscale = tuple(crop["size"]), False
    height, width = image_size or default_size([_header_size(f) for f in files])
    x = np.empty((len(files), height, width, 3), np.uint8)
    all_grey = True
    for i, file in enumerate(files):
        img = open_image(file)
        if grayscale is None and all_grey:
            all_grey = is_grey(img)
        if crop is not None:
            x[i] = prepare_crop(img, height, width, crop["resize"])
        else:
            x[i] = prepare_resize(img, height, width, 3)
    if grayscale if grayscale is not None else all_grey:
        x = _luma(x)
    extra = {} if crop is None else {"prepare": "crop"} | {k: crop[k] for k in crop if k != "size"}
    channels = int(x.shape[3])
    preprocessing = {"type": "image", "height": height, "width": width, "channels": channels,
                     "scale": 1 / 255, "prepare": "resize", **extra}  # fmt: skip
    return x, preprocessing


# A class with fewer pictures than this makes a small folder: validation and test take SMALL_SHARE
# each (at least one picture of every class) instead of the usual fifth, so training keeps more.
SMALL_CLASS, SMALL_SHARE = 10, 0.1


def small_folder_shares(
    counts: list[int], fractions: tuple[float, float], name: str
) -> tuple[tuple[float, float], str | None]:
    """(validation and test shares for classes of `counts` pictures, the line that says they
    shrank, or None)."""
    fewest, n, classes = int(min(counts)), int(sum(counts)), len(counts)
    if fewest >= SMALL_CLASS or min(fractions) <= SMALL_SHARE:
        return fractions, None
    held = max(round(n * SMALL_SHARE), classes)  # the floor: every class in each split
    shares = (held / n, held / n)
    line = (
        f"{name} is small (its smallest class has {fewest} pictures): validation and test take "
        f"{held} pictures each (at least one of every class) instead of a fifth, so training keeps "
        f"{n - 2 * held} of {n}"
    )
    return shares, line


def load_labelled_images(
    path: str | os.PathLike, preprocessing: dict, class_names: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Pictures in DATA/<class>/ prepared as a trained model expects, with the model's class
    numbers."""
    root = Path(path).expanduser()
    if not root.is_dir():
        raise DataError(
            f"{root} is not a folder", "give a folder with one subfolder of pictures per class"
        )
    subdirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    unknown = [p.name for p in subdirs if p.name not in class_names]
    if unknown:
        raise DataError(
            f"{root} has classes the model never saw: {', '.join(unknown[:5])}",
            f"the model knows: {', '.join(class_names)}",
        )
    if not subdirs:
        raise DataError(
            f"{root} has no class subfolders",
            "put each picture in a subfolder named after its class "
            f"({', '.join(class_names[:5])}, ...)",
        )
    x, y = [], []
    for sub in subdirs:
        for file in sorted(
            p for p in sub.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file()
        ):
            x.append(prepare_for_model(file, preprocessing))
            y.append(class_names.index(sub.name))
    if not x:
        raise DataError(
            f"{root} holds no pictures",
            f"add {', '.join(IMAGE_EXTENSIONS)} files to its class subfolders",
        )
    return np.stack(x), np.asarray(y, dtype=np.int64)


def _header_size(file: Path) -> tuple[int, int]:
    """(height, width) from the file's header alone; unreadable files are named here, before any
    decoding."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as img:
                width, height = img.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        open_image(file)  # raises the DataError that says what is wrong with this file
        raise
    return height, width


def _luma(rgb: np.ndarray) -> np.ndarray:
    """(N, H, W, 3) → (N, H, W, 1) with Pillow's grey weights, so training matches a picture
    converted at predict time."""
    grey = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    return np.rint(grey).astype(np.uint8)[..., None]


def split_images(
    x: np.ndarray, y: np.ndarray, fractions: tuple[float, float], seed: int, **fields
) -> Dataset:
    """A classification Dataset of images, split into train/validation/test by class."""
    train, val, test = stratified_split(y, fractions, seed, stratify=True)
    return Dataset(
        kind="image",
        task="classification",
        x_train=x[train],
        y_train=y[train],
        x_val=x[val],
        y_val=y[val],
        x_test=x[test],
        y_test=y[test],
        **fields,
    )
