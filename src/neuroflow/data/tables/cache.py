"""A CSV too large for memory, streamed: its preprocessed rows in a float32 file on disk, written
once.

Three readings of the file, each a few thousand rows at a time: the first checks it and takes the
target column (data.tables.scan), the second fits the preprocessing on the training rows, the third
writes every usable row's features. The split, the fitted numbers and the features are the ones
`load_csv` gives, bit for bit; the Dataset's inputs are rows of the file, read when a batch asks.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from neuroflow.data.cache_files import one_builder, write_failed
from neuroflow.data.dataset import Dataset
from neuroflow.data.stream_rows import StreamRows
from neuroflow.data.tables.csv_read import csv_chunks
from neuroflow.data.tables.fit import TableFit, feature_names, infer_task
from neuroflow.data.tables.prepare import _classes, _split, encode_target, transform
from neuroflow.data.tables.scan import scan_csv
from neuroflow.errors import DataError, UsageError

CACHE_VERSION = 1  # bump when reading or preprocessing changes: older caches are then made again
SIGNED = 1 << 20  # bytes at each end of the file that its signature hashes


def load_streamed_csv(
    path: str | os.PathLike,
    *,
    target: str | None,
    task: str | None = None,
    seed: int = 0,
    fractions: tuple[float, float] = (0.2, 0.2),
    note: Callable[[str], None] = lambda text: None,
    chunk_rows: int | None = None,
) -> Dataset:
    """The Dataset load_csv gives, its inputs rows of the prepared cache (made if needed);
    `chunk_rows` rows are read at a time (default table_scan.CHUNK_ROWS)."""
    from neuroflow.data.tables import scan as table_scan

    path = Path(path).expanduser()
    chunk_rows = chunk_rows or table_scan.CHUNK_ROWS
    if task not in (None, "classification", "regression"):
        raise UsageError(f"unknown task {task!r}", "use --task classification or --task regression")
    options = dict(target=target, task=task, seed=seed, fractions=list(fractions))
    cache = table_cache_path(path, options)
    with one_builder(cache):
        meta = _read_meta(cache)
        if meta is not None and meta.get("signature") != file_signature(path):
            note(f"{path} changed since its rows were prepared: reading it again")
            meta = None
        built = meta is None
        if built:
            meta = _build(cache, path, options, chunk_rows)
    return _dataset(cache, meta, path, options, built, note)


def table_cache_path(path: Path, options: dict) -> Path:
    """One cache per file, target, task, seed, fractions and cache version."""
    from neuroflow.config import cache_dir

    key = f"{path.resolve()}|{json.dumps(options, sort_keys=True)}|v{CACHE_VERSION}"
    name = f"{path.name[:40]}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    return cache_dir() / "tables" / name


def file_signature(path: Path) -> str:
    """Size, modification time and a checksum of the first and last MiB: any change gives
    another."""
    st = path.stat()
    digest = hashlib.sha256(f"{st.st_size}\t{st.st_mtime_ns}\n".encode())
    with open(path, "rb") as fh:
        digest.update(fh.read(SIGNED))
        if st.st_size > SIGNED:
            fh.seek(max(SIGNED, st.st_size - SIGNED))
            digest.update(fh.read(SIGNED))
    return digest.hexdigest()


def _read_meta(cache: Path) -> dict | None:
    try:
        meta = json.loads((cache / "meta.json").read_text())
        size = int(np.prod(meta["shape"])) * 4
        if meta.get("version") != CACHE_VERSION or (cache / "x.f32").stat().st_size != size:
            return None
        return meta
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no cache, or not one this version wrote in full: prepare again


def _build(cache: Path, path: Path, options: dict, chunk_rows: int) -> dict:
    """Check, split and fit as table_dataset does, then write the features of every usable row."""
    from neuroflow.files import atomic_folder

    target, name = options["target"], path.name
    scan, y = scan_csv(path, target, chunk_rows)
    usable = y.notna().to_numpy()
    y = y[usable].reset_index(drop=True)
    task = options["task"] or infer_task(y)
    class_names, stratify = _classes(y, target, task)
    splits = _split(y, name, task, tuple(options["fractions"]), options["seed"], stratify)
    prep = _fit(path, scan, usable, splits[0], target, task, chunk_rows)
    if not prep["columns"]:
        raise DataError(f"{name} has no input columns besides {target!r}", "add input columns")
    encoded = encode_target(y, prep, class_names)
    meta = {
        "version": CACHE_VERSION,
        "file": str(path.resolve()),
        "signature": file_signature(path),
        "shape": [len(y), len(feature_names(prep))],
        "task": task,
        "class_names": class_names,
        "preprocessing": prep,
    }
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with atomic_folder(cache) as tmp:
            _write_features(tmp / "x.f32", path, scan, usable, prep, chunk_rows)
            np.savez(tmp / "y.npz", y=encoded, train=splits[0], val=splits[1], test=splits[2])
            (tmp / "meta.json").write_text(json.dumps(meta))
    except OSError as err:
        raise write_failed(err, cache.parent, f"the prepared rows of {path}") from None
    return meta


def _usable_parts(path: Path, scan, usable: np.ndarray, chunk_rows: int):
    """The file's usable rows (those with a target), a part at a time, text columns as text."""
    row = 0
    for chunk in csv_chunks(path, chunk_rows, dtype=scan.text_columns()):
        keep = usable[row : row + len(chunk)]
        row += len(chunk)
        yield chunk[keep]


def _fit(path: Path, scan, usable, train, target: str, task: str, chunk_rows: int) -> dict:
    """fit_preprocessing's numbers, from the training rows taken a part at a time."""
    kinds = {c: "numeric" if scan.kind(c) == "numeric" else "category" for c in scan.columns}
    fit = TableFit({c: k for c, k in kinds.items() if c != target}, target, task)
    in_train = np.zeros(int(usable.sum()), bool)
    in_train[train] = True
    start = 0
    for rows in _usable_parts(path, scan, usable, chunk_rows):
        fit.add(rows[in_train[start : start + len(rows)]])
        start += len(rows)
    return fit.result()


def _write_features(file: Path, path: Path, scan, usable, prep: dict, chunk_rows: int) -> None:
    with open(file, "wb") as fh:
        for rows in _usable_parts(path, scan, usable, chunk_rows):
            if len(rows):
                _write(fh, transform(rows, prep).tobytes())


def _write(fh, data: bytes) -> int:
    return fh.write(data)


def _dataset(cache: Path, meta: dict, path: Path, options: dict, built: bool, note) -> Dataset:
    from neuroflow.data.memory import readable_size

    shape = tuple(meta["shape"])
    how = "prepared into" if built else "read from"
    size = readable_size(shape[0] * shape[1] * 4)
    note(f"{shape[0]:,} rows of {path.name} {how} {cache} ({size} on disk)")
    saved = np.load(cache / "y.npz")
    y = saved["y"]

    def rows(split: str):
        idx = saved[split]
        return StreamRows(cache / "x.f32", shape, idx, dtype=np.float32), y[idx]

    (xtr, ytr), (xva, yva), (xte, yte) = rows("train"), rows("val"), rows("test")
    prep = meta["preprocessing"]
    return Dataset(
        name=path.name, kind="table", task=meta["task"],
        x_train=xtr, y_train=ytr, x_val=xva, y_val=yva, x_test=xte, y_test=yte,
        class_names=meta["class_names"], preprocessing=prep, feature_names=feature_names(prep),
        source={"path": str(path.resolve()), **options, "task": meta["task"]},
    )  # fmt: skip
