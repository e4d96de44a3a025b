"""`neuroflow data download`: fetch the MNIST or Fashion-MNIST IDX files from their official
mirrors.

Each file is checked against its published md5 and only then renamed into place; offline, one line
says what to do.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from neuroflow.data.pictures.idx import FILES, MD5, file_md5, idx_name
from neuroflow.errors import DataError

MIRRORS = {
    "mnist": [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ],
    "fashion-mnist": [
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
    ],
}
TIMEOUT_S = 30
_NETWORK_ERRORS = (
    urllib.error.URLError,
    http.client.HTTPException,
    ConnectionError,
    TimeoutError,
    ValueError,
)


def download(
    name: str, data_dir: str | os.PathLike | None = None, log: Callable[[str], None] | None = None
) -> Path:
    """Download the four IDX files of `name` into DATA_DIR/NAME (default: the first data folder);
    return it.

    Files already there with the right md5 are kept, so a second run downloads nothing.
    """
    from neuroflow.config import data_dirs
    from neuroflow.files import check_folder

    name = idx_name(name)
    folder = data_dirs(data_dir)[0] / name
    check_folder(folder, "--data-dir")
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for stem in FILES.values():
            filename = f"{stem}.gz"
            target, expected = folder / filename, MD5[name][filename]
            if target.is_file() and file_md5(target) == expected:
                continue
            _fetch(name, filename, target, expected, log)
    except BaseException:
        for p in made:  # a failed download leaves no empty folders it made (nearest first)
            if p.is_dir() and not any(p.iterdir()):
                p.rmdir()
        raise
    return folder


def _fetch(
    name: str, filename: str, target: Path, expected: str, log: Callable[[str], None] | None
) -> None:
    reasons = []
    for mirror in MIRRORS[name]:
        url = mirror + filename
        if log:
            log(f"downloading {url}")
        try:
            got = _stream(url, target, expected)
        except _NETWORK_ERRORS as err:
            reasons.append(_reason(err))
            continue
        if got == expected:
            return
        reasons.append(f"md5 {got} instead of {expected}")
    by_hand = ", ".join(f"{stem}.gz" for stem in FILES.values())
    raise DataError(
        f"could not download {filename} for {name} ({'; '.join(dict.fromkeys(reasons))})",
        f"if this computer is offline, copy {by_hand} from {MIRRORS[name][0]} into "
        f"{target.parent} by hand",
    )


def _stream(url: str, target: Path, expected: str) -> str:
    """Copy `url` to a temp file beside `target`, hashing on the way; rename it over `target` only
    if complete."""
    digest = hashlib.md5(usedforsecurity=False)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=TIMEOUT_S) as resp:
            for block in iter(lambda: resp.read(1 << 20), b""):
                digest.update(block)
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        md5 = digest.hexdigest()
        if md5 == expected:
            os.replace(tmp, target)
        return md5
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _reason(err: Exception) -> str:
    if isinstance(err, urllib.error.HTTPError):
        return f"HTTP {err.code}"
    if isinstance(err, urllib.error.URLError):
        return f"network unreachable: {err.reason}"
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
