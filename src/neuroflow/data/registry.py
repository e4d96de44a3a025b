"""Datasets by name or path: `iris`, `digits`, `mnist`, `fashion-mnist`, a CSV file, an image
folder.

One entry point, `load_dataset`, so every command accepts the same DATA argument.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from neuroflow.data.dataset import Dataset
from neuroflow.data.memory import check_data_in
from neuroflow.errors import DataError, UsageError
from neuroflow.registry import Registry

DEFAULT_FRACTIONS = (0.2, 0.2)  # validation and test shares for data that has no fixed test split


class BuiltinDataset(NamedTuple):
    """A dataset known by name: what it holds, and its loader (seed, data_dir, image_size)."""

    about: str
    load: Callable[..., Dataset]


def _iris(seed: int, data_dir: str | None, image_size: tuple[int, int] | None) -> Dataset:
    from neuroflow.data.tables.iris import load_iris

    return load_iris(seed=seed, fractions=DEFAULT_FRACTIONS)


def _digits(seed: int, data_dir: str | None, image_size: tuple[int, int] | None) -> Dataset:
    from neuroflow.data.pictures.sklearn_digits import load_sklearn_digits

    return load_sklearn_digits(seed=seed, fractions=DEFAULT_FRACTIONS, image_size=image_size)


def _idx(name: str) -> Callable[..., Dataset]:
    def load(seed: int, data_dir: str | None, image_size: tuple[int, int] | None) -> Dataset:
        from neuroflow.data.pictures.idx import load_idx_dataset

        return load_idx_dataset(name, data_dir=data_dir, seed=seed, image_size=image_size)

    return load


BUILTIN_DATASETS: Registry[BuiltinDataset] = Registry("dataset", DataError)
BUILTIN_DATASETS.register(
    "iris",
    BuiltinDataset("150 iris flowers, 4 measurements, 3 species (scikit-learn, offline)", _iris),
)
BUILTIN_DATASETS.register(
    "digits",
    BuiltinDataset("1,797 handwritten digits, 8×8 grey images (scikit-learn, offline)", _digits),
)
BUILTIN_DATASETS.register(
    "mnist",
    BuiltinDataset("70,000 handwritten digits, 28×28 grey images (IDX files)", _idx("mnist")),
)
BUILTIN_DATASETS.register(
    "fashion-mnist",
    BuiltinDataset(
        "70,000 clothing pictures, 28×28 grey images, 10 classes (IDX files)",
        _idx("fashion-mnist"),
    ),
)
_WHAT_DATA = f"use a built-in name ({', '.join(BUILTIN_DATASETS)}), a CSV file or an image folder"


def builtin_name(data) -> str | None:
    """The built-in dataset that DATA names, or None. A bare built-in name wins over a folder of
    that name in the current folder (the page trains inside --workdir, beside model folders that
    may be called iris; `data download mnist --data-dir .` makes ./mnist): ./iris means the
    folder, and so does a Path."""
    if isinstance(data, os.PathLike):
        return None
    key = str(data).strip()
    return BUILTIN_DATASETS.resolve(key) if key in BUILTIN_DATASETS else None


def load_dataset(
    data: str,
    *,
    target: str | None = None,
    task: str | None = None,
    data_dir: str | None = None,
    seed: int = 0,
    image_size: tuple[int, int] | None = None,
    grayscale: bool | None = None,
    data_in: str | None = None,
    strict: bool = False,
    note=None,
    crop: dict | None = None,
) -> Dataset:
    """Load DATA: a built-in name, a CSV file (with `target`) or a folder of class subfolders.

    A folder or a CSV is held in memory or streamed from disk as `data_in` says (None: by its size
    against RAM); `strict` refuses a folder with unreadable pictures instead of skipping them;
    `note` gets one-line notes.
    """
    key = str(data).strip()
    if not key:  # Path("") is the current folder, which would be read as an image folder
        raise UsageError("no DATA was given (an empty name)", _WHAT_DATA)
    _check_options(task, seed, data_in)
    if builtin_name(data):
        return _builtin(key, target, task, data_in, note, seed, data_dir, image_size)
    path = Path(key).expanduser()
    if not path.exists():
        raise DataError(f"no dataset called {key!r} and no such file or folder", _WHAT_DATA)
    if path.is_dir():
        from neuroflow.data.pictures.stream import load_folder

        _check_builtin_options(key, target, task)
        return load_folder(
            path, seed=seed, fractions=DEFAULT_FRACTIONS, image_size=image_size,
            grayscale=grayscale, data_in=data_in, strict=strict, note=note, crop=crop,
        )  # fmt: skip
    if path.suffix.lower() in (".csv", ".tsv", ".txt") or path.suffix == "":
        from neuroflow.data.tables.stream import load_table

        return load_table(
            path, target=target, task=task, seed=seed, fractions=DEFAULT_FRACTIONS,
            data_in=data_in, note=note,
        )  # fmt: skip
    raise DataError(
        f"{path} is not a CSV file or an image folder",
        "give a .csv table with --target, a folder of class-named subfolders, or a built-in name",
    )


def _builtin(key: str, target, task, data_in, note, seed, data_dir, image_size) -> Dataset:
    if Path(key).exists() and note is not None:
        note(f"{key} is the built-in dataset; for the folder or file of that name give ./{key}")
    key = BUILTIN_DATASETS.resolve(key)
    _check_builtin_options(key, target, task)
    _memory_only(key, data_in)
    return BUILTIN_DATASETS.get(key).load(seed=seed, data_dir=data_dir, image_size=image_size)


def _check_options(task: str | None, seed: int, data_in: str | None) -> None:
    check_data_in(data_in)
    if task not in (None, "classification", "regression"):
        raise UsageError(f"unknown task {task!r}", "use --task classification or --task regression")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise UsageError(
            f"--seed {seed!r} is out of range", "give a whole number from 0 to 4294967295"
        )


def _memory_only(key: str, data_in: str | None) -> None:
    if data_in == "stream":
        raise UsageError(
            f"--data-in stream reads image folders and CSV tables from disk, and {key} is held in "
            "memory",
            "leave out --data-in, or give a CSV file or a folder of class-named image folders",
        )


def _check_builtin_options(key: str, target: str | None, task: str | None) -> None:
    """--target and --task choose what a CSV predicts; for built-in data and image folders that is
    fixed."""
    if key == "iris" and target not in (None, "species"):
        raise UsageError(
            f"iris predicts 'species', not {target!r}",
            "to predict another column, save the table as CSV and pass it with --target",
        )
    if key != "iris" and target is not None:
        raise UsageError(
            f"--target is for CSV tables, and {key} is image data",
            "leave out --target: the classes are the labels (or the subfolders)",
        )
    if task == "regression":
        raise UsageError(
            f"{key} is classification data; --task regression is for CSV tables with a numeric "
            "target",
            "leave out --task",
        )
