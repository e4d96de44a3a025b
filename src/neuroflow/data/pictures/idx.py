"""MNIST and Fashion-MNIST from their IDX files: checked header, one uint8 array per split, seeded
validation.

The official test set stays the test split; validation is 5,000 of the 60,000 training images,
stratified.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from pathlib import Path

import numpy as np

from neuroflow.data.dataset import Dataset, stratified_holdout
from neuroflow.errors import DataError

IDX_DATASETS = ("mnist", "fashion-mnist")
FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
# md5 of the official .gz files; also tells MNIST and Fashion-MNIST apart, since their file names
# are the same.
MD5 = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
}
CLASS_NAMES = {
    "mnist": [str(d) for d in range(10)],
    "fashion-mnist": [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ],
}
VALIDATION_SIZE = 5000
_KIND = {1: ("labels", 0x0801), 3: ("images", 0x0803)}


def read_idx(path: str | os.PathLike, ndim: int) -> np.ndarray:
    """Read one IDX file of unsigned bytes (gzip or not) as a read-only uint8 array with `ndim`
    dimensions."""
    path = Path(path)
    what, magic = _KIND[ndim]
    fix = (
        f"download it again with `neuroflow data download` or replace {path.name} with the "
        "official file"
    )
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":  # gzip magic, whatever the file is called
            raw = gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise DataError(f"{path} is a damaged or truncated gzip file ({err})", fix) from None
    if len(raw) < 4 or raw[:2] != b"\0\0":
        raise DataError(
            f"{path} is not an IDX file (it starts with {raw[:4].hex() or 'nothing'})", fix
        )
    found = int.from_bytes(raw[:4], "big")
    if raw[2] != 0x08:
        raise DataError(f"{path} holds IDX type 0x{raw[2]:02x}, not unsigned bytes (0x08)", fix)
    if found != magic:
        raise DataError(
            f"{path} has magic number 0x{found:08x}; {what} files have 0x{magic:08x}", fix
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path} is truncated inside its header ({len(raw)} bytes)", fix)
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if any(d == 0 for d in dims):
        raise DataError(f"{path} declares an empty array of shape {dims}", fix)
    size = int(np.prod(dims))
    body = len(raw) - header
    if body < size:
        raise DataError(
            f"{path} is truncated: its header promises {size:,} bytes of {what}, the file holds "
            f"{body:,}",
            fix,
        )
    if body > size:
        raise DataError(
            f"{path} has {body - size:,} bytes after the {dims[0]:,} {what} its header declares",
            fix,
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def find_idx_files(
    name: str, data_dir: str | os.PathLike | None = None
) -> tuple[Path, dict[str, Path]]:
    """The first folder holding all four files of `name`, and each file's path (.gz preferred)."""
    from neuroflow.config import data_dirs

    name = idx_name(name)
    if data_dir and not Path(data_dir).expanduser().is_dir():  # a typo must not go unnoticed
        raise DataError(
            f"the data folder {data_dir} does not exist",
            f"give the folder that holds the {name} files, or leave it out to search the usual "
            "places",
        )
    other = next(n for n in IDX_DATASETS if n != name)
    searched, partial = [], []
    for base in data_dirs(data_dir):
        for folder in (
            base / name,
            base,
        ):  # the named subfolder first: both datasets use the same file names
            if folder in searched:
                continue
            searched.append(folder)
            files = {key: _present(folder, stem) for key, stem in FILES.items()}
            found = {k: p for k, p in files.items() if p is not None}
            if len(found) == len(FILES):
                if folder == base and _is_dataset(found["train_labels"], other):
                    continue  # the other dataset's files sit loose in this folder
                return folder, found
            if found:
                partial.append((folder, [FILES[k] for k in FILES if k not in found]))
    if partial:
        folder, missing = partial[0]
        raise DataError(
            f"{folder} has only some of the {name} files: {', '.join(missing)} (.gz) missing",
            f"add them there or run `neuroflow data download {name}`",
        )
    where = ", ".join(str(f) for f in searched[:3])
    raise DataError(
        f"cannot find the {name} IDX files (searched {where})",
        f"run `neuroflow data download {name}`, or put the four files "
        f"({', '.join(FILES.values())}, "
        f".gz or not) in a folder and pass --data-dir FOLDER",
    )


def load_idx_dataset(
    name: str,
    data_dir: str | os.PathLike | None = None,
    seed: int = 0,
    image_size: tuple[int, int] | None = None,
) -> Dataset:
    """MNIST or Fashion-MNIST as a Dataset: uint8 (N, 28, 28, 1) images, int64 labels, 5,000 for
    validation."""
    name = idx_name(name)
    folder, files = find_idx_files(name, data_dir)
    splits = {part: _read_part(name, files, part) for part in ("train", "test")}
    (x, y), (x_test, y_test) = splits["train"], splits["test"]
    if len(y) <= 2 * VALIDATION_SIZE:
        raise DataError(
            f"{files['train_images']} holds only {len(y):,} training images",
            f"use the official {name} files (60,000 training images)",
        )
    train, val = stratified_holdout(y, VALIDATION_SIZE, seed)
    height, width = image_size or (28, 28)
    arrays = [x[train], x[val], x_test.copy()]  # copies: the file's bytes are read-only
    if (height, width) != (28, 28):
        from neuroflow.data.pictures.images import resize_batch

        arrays = [resize_batch(a, (height, width)) for a in arrays]
    x_train, x_val, x_test = (
        np.ascontiguousarray(a).reshape(len(a), height, width, 1) for a in arrays
    )
    return Dataset(
        name=name,
        kind="image",
        task="classification",
        x_train=x_train,
        y_train=y[train],
        x_val=x_val,
        y_val=y[val],
        x_test=x_test,
        y_test=y_test,
        class_names=list(CLASS_NAMES[name]),
        preprocessing={
            "type": "image",
            "height": height,
            "width": width,
            "channels": 1,
            "scale": 1 / 255,
            "prepare": "digit" if name == "mnist" else "resize",
        },
        source={"name": name, "data_dir": str(folder)},
    )


def _read_part(name: str, files: dict, part: str) -> tuple[np.ndarray, np.ndarray]:
    """The images and labels of one part ("train" or "test"), checked against each other."""
    images, labels = read_idx(files[f"{part}_images"], 3), read_idx(files[f"{part}_labels"], 1)
    if len(images) != len(labels):
        raise DataError(
            f"{files[f'{part}_images'].name} holds {len(images):,} images but "
            f"{files[f'{part}_labels'].name} holds {len(labels):,} labels",
            "the files come from different datasets or one is damaged; download them again",
        )
    if images.shape[1:] != (28, 28):
        raise DataError(
            f"{files[f'{part}_images']} holds {images.shape[1]}x{images.shape[2]} images, "
            "not 28x28",
            f"use the official {name} files",
        )
    if labels.max() >= 10:
        raise DataError(
            f"{files[f'{part}_labels']} has label {int(labels.max())}; {name} has classes 0 to 9",
            f"use the official {name} files",
        )
    return images, labels.astype(np.int64)


def file_md5(path: str | os.PathLike) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def idx_name(name: str) -> str:
    key = str(name).strip().lower()
    if key not in IDX_DATASETS:
        raise DataError(
            f"{name!r} is not an IDX dataset neuroflow knows",
            f"choose one of: {', '.join(IDX_DATASETS)}",
        )
    return key


def _present(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / f"{stem}.gz", folder / stem):
        if candidate.is_file():
            return candidate
    return None


def _is_dataset(labels_file: Path, name: str) -> bool:
    # Only the small labels file is hashed (29 KB): cheap, and enough to tell the two datasets
    # apart.
    expected = MD5[name].get(labels_file.name)
    return expected is not None and file_md5(labels_file) == expected
