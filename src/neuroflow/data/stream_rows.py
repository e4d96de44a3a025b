"""Rows of an array on disk (a decoded image folder, a prepared table) read only when a batch asks
for them."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from neuroflow.errors import DataError


class StreamRows:
    """Rows of an array file on disk, chosen by index: uint8 pictures (N, H, W, C) or float32 table
    rows (N, F); values are read only when asked for.

    Indexing with a slice or an index array gives another StreamRows (nothing is read); `take`, an
    integer index and np.asarray read. `with_inverted` is the lesson's INVERT without a copy. Rows
    are read with pread, not through a memory map, so the pages read stay in the page cache and do
    not count in the process's resident memory.
    """

    def __init__(self, file: Path, full_shape: tuple, rows: np.ndarray, inverted=None, dtype=None):
        self.file, self.full_shape = Path(file), tuple(int(d) for d in full_shape)
        self.rows = np.asarray(rows, np.int64)
        self.inverted = inverted  # bool per row: read as 255 - pixels
        self.dtype = np.dtype(np.uint8 if dtype is None else dtype)
        self._fh = None

    @property
    def ndim(self) -> int:
        return len(self.full_shape)

    def _open(self):
        if self._fh is None:  # opened on first read, so that worker processes open their own
            self._fh = open(self.file, "rb", buffering=0)  # noqa: SIM115 - closed with the object
        return self._fh

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.rows), *self.full_shape[1:])

    def dim(self) -> int:
        return self.ndim

    def __len__(self) -> int:
        return len(self.rows)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_fh": None}

    def take(self, index) -> np.ndarray:
        """The pixels of rows `index` (an int array or tensor), in that order, as a new array."""
        index = np.asarray(index, np.int64)
        rows = self.rows[index]
        out = np.empty((len(rows), *self.full_shape[1:]), self.dtype)
        _read_rows(self._open(), self.file, rows, out.reshape(len(rows), -1))
        if self.inverted is not None:
            flip = self.inverted[index]
            out[flip] = 255 - out[flip]
        return out

    def __getitem__(self, key):
        if isinstance(key, int | np.integer):
            return self.take(np.arange(len(self))[[key]])[0]
        picked = np.arange(len(self))[key]
        inverted = None if self.inverted is None else self.inverted[picked]
        return StreamRows(self.file, self.full_shape, self.rows[picked], inverted, self.dtype)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        out = np.empty(self.shape, self.dtype)
        for start in range(0, len(self), 4096):
            out[start : start + 4096] = self.take(np.arange(start, min(start + 4096, len(self))))
        return out if dtype is None else out.astype(dtype)

    def __rsub__(self, other) -> np.ndarray:  # 255 - x, as add_inverted writes it: reads every row
        return other - np.asarray(self)

    def tolist(self) -> list:
        return np.asarray(self).tolist()

    def with_inverted(self) -> StreamRows:
        """The rows followed by their inverted copies, as add_inverted concatenates them."""
        flags = np.zeros(len(self), bool) if self.inverted is None else self.inverted
        return StreamRows(
            self.file,
            self.full_shape,
            np.concatenate([self.rows, self.rows]),
            np.concatenate([flags, ~flags]),
        )


def _read_rows(fh, file: Path, rows: np.ndarray, out: np.ndarray) -> None:
    """Read `rows` of `file` into `out` (one row per line), one read per run of consecutive rows."""
    if not len(rows):
        return
    size = out.shape[1] * out.itemsize  # bytes per row
    ends = [*(np.flatnonzero(np.diff(rows) != 1) + 1).tolist(), len(rows)]
    start = 0
    for end in ends:
        want = (end - start) * size
        at = int(rows[start]) * size
        if hasattr(os, "preadv"):
            got = os.preadv(fh.fileno(), [memoryview(out[start:end]).cast("B")], at)
        else:  # pragma: no cover - macOS before Python 3.12 reads a copy
            data = (
                os.pread(fh.fileno(), want, at)
                if hasattr(os, "pread")
                else _seek_read(fh, at, want)
            )
            got = len(data)
            out[start:end] = np.frombuffer(data, out.dtype).reshape(end - start, -1)
        if got != want:
            raise DataError(
                f"the cache {file} is shorter than it was written (row {rows[start]})",
                f"remove the folder {file.parent}; the next run makes it again",
            )
        start = end


def _seek_read(fh, at: int, n: int) -> bytes:  # pragma: no cover - Windows
    fh.seek(at)
    return fh.read(n)
