"""Image folders larger than memory: the Dataset's arrays are rows of the decoded cache on disk.

`load_folder` holds a folder in memory when its decoded pictures fit in a share of RAM and streams
it otherwise; streamed or not, the split, class names and preprocessing are the same.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from neuroflow.data.memory import check_data_in, memory_or_stream, readable_size
from neuroflow.data.stream_rows import StreamRows
from neuroflow.errors import DataError

SAMPLE = 64  # picture headers read to estimate a folder's decoded size before choosing


def load_folder(
    path: str | os.PathLike,
    *,
    seed: int = 0,
    fractions: tuple[float, float] = (0.2, 0.2),
    image_size: tuple[int, int] | None = None,
    grayscale: bool | None = None,
    data_in: str | None = None,
    strict: bool = False,
    note: Callable[[str], None] | None = None,
    crop: dict | None = None,
):
    """An image folder held in memory or streamed from its decoded cache, as `data_in` or RAM
    decides; a pretrained network's `crop` preparation is held in memory."""
    from neuroflow.data.pictures.folders import class_folders, load_image_folder
    from neuroflow.data.pictures.presplit import load_presplit, presplit

    note = note or (lambda text: None)
    check_data_in(data_in)
    root = Path(path).expanduser()
    splits = presplit(root)
    if splits is not None:  # held in memory: the decoded cache knows one folder of classes
        return load_presplit(
            root, splits, seed=seed, fractions=fractions, image_size=image_size,
            grayscale=grayscale, crop=crop, note=note,
        )  # fmt: skip
    if crop is not None:
        return _cropped(root, seed, fractions, data_in, crop, note)
    data_in_auto = data_in is None
    classes = class_folders(root)
    if data_in_auto:
        data_in, reason = choose_data_in(root, classes, image_size, grayscale)
        note(reason)
    elif data_in == "stream":
        note(f"Streaming {root.name} from disk (--data-in stream)")
    fractions = _shares(classes, fractions, root.name, note)
    options = dict(seed=seed, fractions=fractions, image_size=image_size, grayscale=grayscale)
    if data_in == "memory":
        try:
            return load_image_folder(root, **options)
        except DataError as err:
            if strict:
                raise
            return _in_memory_skipping(root, err, note, options)
    return load_streamed_folder(root, classes=classes, strict=strict, note=note, **options)


def _cropped(root: Path, seed: int, fractions, data_in, crop: dict, note):
    """A folder for a pretrained network (its `crop` preparation), held in memory."""
    from neuroflow.data.pictures.folders import class_folders, load_image_folder

    if data_in == "stream":
        raise DataError(
            "a pretrained network's pictures are held in memory; they cannot be streamed yet",
            "leave out --data-in stream",
        )
    fractions = _shares(class_folders(root), fractions, root.name, note)
    return load_image_folder(root, seed=seed, fractions=fractions, crop=crop)


def _shares(classes: dict, fractions: tuple[float, float], name: str, note) -> tuple:
    """The validation and test shares for this folder: smaller for a small one (and a line)."""
    from neuroflow.data.pictures.folders import small_folder_shares

    fractions, line = small_folder_shares([len(v) for v in classes.values()], fractions, name)
    if line:
        note(line)
    return fractions


def _in_memory_skipping(root: Path, err: DataError, note, options: dict):
    """A folder with unreadable pictures, held in memory: decoded through its cache, which skips
    them as streaming does; any other error is load_image_folder's."""
    said: list[str] = []
    ds, skipped = _streamed(root, None, False, said.append, options)
    if not skipped:
        raise err
    for line in said:
        note(line)
    return dataclasses.replace(
        ds, x_train=np.asarray(ds.x_train), x_val=np.asarray(ds.x_val), x_test=np.asarray(ds.x_test)
    )


def load_streamed_folder(
    path: str | os.PathLike,
    *,
    classes: dict | None = None,
    seed: int = 0,
    fractions: tuple[float, float] = (0.2, 0.2),
    image_size: tuple[int, int] | None = None,
    grayscale: bool | None = None,
    strict: bool = False,
    note: Callable[[str], None] = lambda text: None,
):
    """The Dataset load_image_folder gives, its arrays rows of the decoded cache (built if
    needed)."""
    options = dict(seed=seed, fractions=fractions, image_size=image_size, grayscale=grayscale)
    return _streamed(Path(path).expanduser(), classes, strict, note, options)[0]


def _streamed(root: Path, classes, strict: bool, note, options: dict):
    """(the streamed Dataset, the names of the pictures skipped)."""
    from neuroflow.data.pictures.cache import decoded_folder, skipped_line
    from neuroflow.data.pictures.folders import class_folders, split_images

    seed, fractions = options["seed"], options["fractions"]
    image_size, grayscale = options["image_size"], options["grayscale"]
    classes = classes or class_folders(root)
    decoded = decoded_folder(root, classes, image_size, grayscale, strict=strict, note=note)
    n, height, width, channels = decoded.pixels.shape
    how = "decoded into" if decoded.built else "read from"
    note(f"{n:,} pictures {how} {decoded.path} ({readable_size(decoded.pixels.nbytes)} on disk)")
    if decoded.skipped:
        note(skipped_line(root, decoded.skipped, n + len(decoded.skipped)))
    rows = StreamRows(decoded.path / "pixels.u8", decoded.pixels.shape, np.arange(n))
    dataset = split_images(
        rows,
        decoded.labels,
        fractions,
        seed,
        name=root.name,
        class_names=decoded.class_names,
        preprocessing={
            "type": "image",
            "height": height,
            "width": width,
            "channels": channels,
            "scale": 1 / 255,
            "prepare": "resize",
        },
        source={"name": root.name, "path": str(root.resolve())},
    )
    return dataset, decoded.skipped


def choose_data_in(
    root: Path, classes: dict, image_size, grayscale, ram: int | None = None
) -> tuple[str, str]:
    """('memory' or 'stream', the one line that says why) from the decoded size against RAM."""
    n, nbytes = decoded_estimate(root, classes, image_size, grayscale)
    what = f"the {n:,} decoded pictures of {root.name} take about {readable_size(nbytes)}"
    return memory_or_stream(root.name, what, nbytes, ram)


def decoded_estimate(root: Path, classes: dict, image_size, grayscale) -> tuple[int, int]:
    """(pictures, bytes once decoded): the cache's exact size if there is one, else from a few
    headers."""
    from neuroflow.data.pictures.cache import _header, _read_meta, cache_path
    from neuroflow.data.pictures.folders import default_size

    files = [f for names in classes.values() for f in names]
    meta = _read_meta(cache_path(root, image_size, grayscale))
    if meta is not None and meta.get("files") == len(files):
        return len(files), int(np.prod(meta["shape"]))
    size = image_size
    if size is None:
        sample = files[:: max(1, len(files) // SAMPLE)]
        sizes = []
        for f in sample:
            with contextlib.suppress(DataError):
                sizes.append(_header(f))
        size = default_size(sizes) if sizes else (28, 28)
    channels = 1 if grayscale else 3  # not yet known to be grey: count colour
    return len(files), len(files) * size[0] * size[1] * channels
