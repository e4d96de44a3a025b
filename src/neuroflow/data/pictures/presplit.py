"""Folders split by their owner: DATA/train/<class>/ beside DATA/val/ (or valid/, validation/)
and/or DATA/test/, as downloaded datasets and course material come; the split is kept as given.

A missing validation folder is taken from the training pictures (stratified, seeded); a missing test
folder means the given validation pictures are held out as the test, and validation is taken from
the training pictures, so the figure a user reads is measured on pictures nothing was tuned on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuroflow.data.dataset import Dataset, stratified_holdout
from neuroflow.errors import DataError

NAMES = {
    "train": ("train", "training"),
    "val": ("val", "valid", "validation"),
    "test": ("test", "testing"),
}


def presplit(root: Path) -> dict[str, Path] | None:
    """{"train": DIR, "val": DIR, "test": DIR} (val or test may be missing) when `root` holds a
    training folder and a validation or test folder; None for a folder of class folders."""
    if not root.is_dir():
        return None
    subs = {p.name.lower(): p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")}
    found = {
        split: next((subs[n] for n in names if n in subs), None) for split, names in NAMES.items()
    }
    if found["train"] is None or (found["val"] is None and found["test"] is None):
        return None
    return {k: v for k, v in found.items() if v is not None}


def load_presplit(
    root: Path, splits: dict[str, Path], *, seed: int, fractions: tuple[float, float],
    image_size=None, grayscale=None, crop: dict | None = None, note=None,
) -> Dataset:  # fmt: skip
    """The Dataset of a split folder: the training folder's classes, each split's pictures."""
    from neuroflow.data.pictures.folders import class_folders, decode_pictures, small_folder_shares

    note = note or (lambda text: None)
    names = list(class_folders(splits["train"]))
    files, labels, part = _pictures_of(splits, names)
    x, preprocessing = decode_pictures(files, image_size, grayscale, crop)
    y, part = np.asarray(labels, np.int64), np.asarray(part)
    train = np.flatnonzero(part == "train")
    if "val" in splits and "test" in splits:
        val, test = np.flatnonzero(part == "val"), np.flatnonzero(part == "test")
        how = "as given"
    else:
        test = np.flatnonzero(part == ("test" if "test" in splits else "val"))
        counts = np.bincount(y[train], minlength=len(names)).tolist()
        share, _ = small_folder_shares(counts, fractions, splits["train"].name)
        size = max(round(len(train) * share[0]), len(names))
        keep, held = stratified_holdout(y[train], size, seed + 1)
        train, val = train[keep], train[held]
        given = splits.get("test", splits.get("val"))
        how = (
            f"validation taken from {splits['train'].name}/, {given.name}/ kept as the test "
            "(nothing is tuned on it)"
        )
    note(
        f"{root.name} is split already: {len(train)} train / {len(val)} validation / "
        f"{len(test)} test pictures, {how}"
    )
    return Dataset(
        name=root.name,
        kind="image",
        task="classification",
        x_train=x[train],
        y_train=y[train],
        x_val=x[val],
        y_val=y[val],
        x_test=x[test],
        y_test=y[test],
        class_names=names,
        preprocessing=preprocessing,
        source={"name": root.name, "path": str(root.resolve())},
    )


def _pictures_of(splits: dict[str, Path], names: list[str]) -> tuple[list, list, list]:
    """Every split's picture files, their labels (indices of the training folder's classes) and
    their split; a class the training folder lacks is refused."""
    from neuroflow.data.pictures.folders import class_folders

    files, labels, part = [], [], []
    for split, folder in splits.items():
        found = class_folders(folder)
        unknown = [c for c in found if c not in names]
        if unknown:
            raise DataError(
                f"{folder} has classes that {splits['train']} lacks: {', '.join(unknown[:5])}",
                "give every class some training pictures, or remove those folders",
            )
        for name, paths in found.items():
            files += paths
            labels += [names.index(name)] * len(paths)
            part += [split] * len(paths)
    return files, labels, part
