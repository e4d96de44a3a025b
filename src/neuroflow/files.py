"""Writing files so that nothing half-written is ever left: temp file or folder, fsync, rename.

Sits under every layer, like errors.py and config.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from neuroflow.errors import UsageError


def check_parent(path: Path) -> None:
    parent = path.resolve().parent
    if not parent.exists():
        raise UsageError(
            f"folder {parent} does not exist", "create it first or write somewhere else"
        )
    if not parent.is_dir():
        raise UsageError(f"{parent} is a file, not a folder", "write somewhere else")


def check_folder(path: Path, flag: str | None = None) -> None:
    """A folder that may be created at `path`: refuse a file there or at any folder above it.
    `flag` names the command line's option, for errors the command line raises itself; the
    library's errors name no flags, since a Python user never typed one."""
    path = Path(path)
    for p in (path, *path.parents):
        if p.exists():
            if not p.is_dir():
                raise UsageError(
                    f"{flag + ' ' if flag else ''}{path}: {p} is a file, not a folder",
                    f"choose another {flag}" if flag else "write somewhere else",
                )
            return


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike, mode: str = "wb") -> Iterator:
    """Open a temp file beside `path`; on success fsync and rename it over `path`, else remove
    it."""
    path = Path(path)
    check_parent(path)
    if path.is_dir():
        raise UsageError(f"{path} is a folder", "give a file name for the output")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode) as fh:
            os.chmod(
                tmp, 0o666 & ~_umask()
            )  # mkstemp makes 0600; a model folder is meant to be shared
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text(path, text: str) -> None:
    with atomic_file(path, "w") as fh:
        fh.write(text)


def write_json(path, data) -> None:
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temp folder beside `path`; on success it replaces `path` whole, else it is
    removed."""
    path = Path(path)
    check_parent(path)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{path} is a file, not a folder", "write somewhere else")
    tmp = Path(tempfile.mkdtemp(dir=path.resolve().parent, prefix=f".{path.name}.", suffix=".tmp"))
    old = None
    try:
        mask = _umask()
        os.chmod(tmp, 0o777 & ~mask)
        yield tmp
        for child in tmp.iterdir():
            if child.is_file():
                os.chmod(
                    child, 0o666 & ~mask
                )  # safetensors writes 0600: the weights would be the one file others cannot read
                with open(child, "rb") as fh:
                    os.fsync(fh.fileno())
        if path.exists():
            old = path.with_name(f".{path.name}.old-{os.getpid()}")
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.exists() and not path.exists():
            os.replace(
                old, path
            )  # the new folder could not take its place: the previous one goes back
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
