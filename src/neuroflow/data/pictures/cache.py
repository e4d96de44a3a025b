"""A decoded image folder on disk: the in-memory array's twin, uint8 (N, H, W, C), written once.

Pictures are decoded by DataLoader worker processes exactly as `load_image_folder` decodes them, and
written to a temp folder that replaces the cache whole, so a failed or full-disk write leaves none.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neuroflow.data.cache_files import one_builder, write_failed
from neuroflow.data.pictures.decode import STRICT_HINT, decode_into
from neuroflow.errors import DataError

CACHE_VERSION = 1  # bump when decoding changes: older caches are then decoded again
SHOWN = 5  # names of skipped pictures quoted in the one line that counts them


@dataclass
class DecodedFolder:
    """A cache on disk: the pixels as a read-only memory map, labels, and what was skipped."""

    path: Path
    pixels: np.ndarray  # np.memmap (N, H, W, C) uint8, in file order, unreadable files left out
    labels: np.ndarray  # int64 (N,)
    class_names: list[str]
    skipped: list[str]  # relative names of the pictures that could not be read
    built: bool  # decoded in this call (False: read from an earlier run's cache)


def folder_signature(root: Path, classes: dict[str, list[Path]]) -> str:
    """A checksum of the file list (names, sizes, modification times): any change gives another."""
    digest = hashlib.sha256()
    for files in classes.values():
        for f in files:
            st = f.stat()
            digest.update(
                f"{f.relative_to(root).as_posix()}\t{st.st_size}\t{st.st_mtime_ns}\n".encode()
            )
    return digest.hexdigest()


def cache_path(root: Path, size: tuple[int, int] | None, grayscale: bool | None) -> Path:
    """One cache per folder, requested size, colour mode and cache version."""
    from neuroflow.config import cache_dir

    key = f"{root.resolve()}|{size}|{grayscale}|v{CACHE_VERSION}"
    name = f"{root.name[:40]}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    return cache_dir() / "decoded" / name


def decoded_folder(
    root: Path,
    classes: dict[str, list[Path]],
    size: tuple[int, int] | None,
    grayscale: bool | None,
    *,
    strict: bool = False,
    note: Callable[[str], None] = lambda text: None,
    workers: int | None = None,
) -> DecodedFolder:
    """The folder's decoded cache: reused when the file list is unchanged, else (re)built."""
    path = cache_path(root, size, grayscale)
    signature = folder_signature(root, classes)
    with one_builder(path):
        meta = _read_meta(path)
        if meta is not None and meta.get("files_sha256") != signature:
            note(
                f"{root} changed since its decoded cache was made ({meta.get('files')} pictures "
                f"then, {sum(map(len, classes.values()))} now): decoding it again"
            )
            meta = None
        built = meta is None
        if built:
            meta = _build(path, root, classes, size, grayscale, signature, strict, workers)
    skipped = meta["skipped"]
    if skipped and strict:
        raise DataError(
            f"{len(skipped)} pictures in {root} cannot be read, e.g. {skipped[0]}",
            "repair or remove them, or leave out --strict to skip them",
        )
    shape = tuple(meta["shape"])
    pixels = np.memmap(path / "pixels.u8", np.uint8, "r", shape=shape)
    labels = np.fromfile(path / "labels.i64", np.int64)
    return DecodedFolder(path, pixels, labels, meta["class_names"], skipped, built)


def skipped_line(root: Path, skipped: list[str], total: int) -> str:
    names = ", ".join(skipped[:SHOWN]) + (", ..." if len(skipped) > SHOWN else "")
    return (
        f"Skipped {len(skipped)} of {total} pictures in {root} that cannot be read ({names}); "
        "--strict refuses such a folder instead"
    )


def _read_meta(path: Path) -> dict | None:
    try:
        meta = json.loads((path / "meta.json").read_text())
        n = int(np.prod(meta["shape"]))
        if meta.get("version") != CACHE_VERSION or (path / "pixels.u8").stat().st_size != n:
            return None
        return meta
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no cache, or not one this version wrote in full: decode again


def _build(path, root, classes, size, grayscale, signature, strict, workers) -> dict:
    from neuroflow.files import atomic_folder

    files = [f for names in classes.values() for f in names]
    labels = np.repeat(np.arange(len(classes), dtype=np.int64), [len(v) for v in classes.values()])
    skipped: list[str] = []
    if size is None:
        size = _default_size(root, files, skipped, strict)
    height, width = size
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_folder(path) as tmp:
            kept, all_grey = decode_into(
                tmp, root, files, size, grayscale, skipped, strict, workers
            )
            grey = grayscale if grayscale is not None else all_grey
            keep = tmp / ("grey.u8" if grey else "rgb.u8")
            os.replace(keep, tmp / "pixels.u8")
            (tmp / ("rgb.u8" if grey else "grey.u8")).unlink(missing_ok=True)
            labels[kept].tofile(tmp / "labels.i64")
            meta = {
                "version": CACHE_VERSION,
                "folder": str(root.resolve()),
                "files": len(files),
                "files_sha256": signature,
                "shape": [int(kept.sum()), height, width, 1 if grey else 3],
                "class_names": list(classes),
                "skipped": skipped,
            }
            (tmp / "meta.json").write_text(json.dumps(meta))
    except OSError as err:
        raise write_failed(err, path.parent, f"the decoded pictures of {root}") from None
    return meta


def _default_size(root, files, skipped, strict) -> tuple[int, int]:
    """The size load_image_folder picks, from headers alone; unreadable headers are skipped (or
    refused)."""
    from neuroflow.data.pictures.folders import default_size

    sizes = []
    for f in files:
        try:
            sizes.append(_header(f))
        except DataError as err:
            if strict:
                raise DataError(err.message, STRICT_HINT) from None
            skipped.append(f.relative_to(root).as_posix())
    if not sizes:
        raise DataError(f"none of the pictures in {root} can be read", "check the files")
    return default_size(sizes)


def _header(file: Path) -> tuple[int, int]:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as img:
                width, height = img.size
        return height, width
    except Exception:
        from neuroflow.data.pictures.images import open_image

        open_image(file)  # raises the DataError that names what is wrong with this file
        raise DataError(f"cannot read image {file}", "check the file") from None
