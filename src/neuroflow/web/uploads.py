"""Uploads: read with a byte cap while the body arrives, written only under the work folder, and
zips of class-named image folders unpacked with the bundle's rules (checked names, sizes counted).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import logging
import re
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from fastapi import HTTPException, Request
from starlette.requests import ClientDisconnect

from neuroflow.web import library

MAX_UPLOAD_BYTES = 20 << 20
MAX_ZIP_MEMBERS = 20_000
MAX_UNPACKED_BYTES = 500 << 20
STOP_POLL_S = 0.25  # how often a stalled upload looks whether the server is stopping
LOG = logging.getLogger("uvicorn.error")
MAX_NAME_BYTES = 255  # the longest file name most file systems take


async def read_body(request: Request, limit: int = MAX_UPLOAD_BYTES) -> bytes:
    """The request body, refused with 413 as soon as it passes `limit` (the declared length
    first)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the upload is larger than {limit >> 20} MB")
    chunks, size = [], 0
    async for chunk in _body(request):
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the upload is larger than {limit >> 20} MB")
        chunks.append(chunk)
    if size == 0:
        raise HTTPException(400, "the upload is empty")
    return b"".join(chunks)


async def _body(request: Request):
    """The body's parts as they arrive; a wait for the next part gives up once the server is asked
    to stop (Ctrl-C), so a stalled upload does not hold the shutdown up."""
    server = getattr(request.app.state, "server", None)
    while True:
        try:
            message = await asyncio.wait_for(request.receive(), STOP_POLL_S)
        except TimeoutError:
            if server is not None and server.should_exit:
                LOG.warning(
                    "%s %s: upload cut short, the server is stopping",
                    request.method,
                    request.url.path,
                )
                raise HTTPException(503, "the server is stopping; send the file again") from None
            continue
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


def safe_name(name: str | None, default: str) -> str:
    """A plain file name made from what the client called its file: never a path."""
    base = re.sub(
        r"[^A-Za-z0-9._-]+", "_", PurePosixPath((name or "").replace("\\", "/")).name
    ).strip("._")
    return base[:80] or default


@contextlib.contextmanager
def upload_folder(workdir: Path):
    """A fresh folder under WORKDIR/.uploads, removed when the block ends."""
    root = workdir / ".uploads"
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def csv_header(data: bytes) -> list[str]:
    """The column names of an uploaded CSV; a file that is not one gets a 400."""
    try:
        text = data[:65536].decode("utf-8-sig")
        header = next(csv.reader(io.StringIO(text)))
    except (UnicodeDecodeError, StopIteration, csv.Error):
        raise HTTPException(
            400, "the CSV has no header line of column names (or is not UTF-8 text)"
        ) from None
    columns = [c.strip() for c in header if c.strip()]
    if len(columns) < 2:
        raise HTTPException(400, "the CSV needs at least two columns: inputs and the target")
    return columns


def unpack_images(data: bytes, dest: Path) -> list[str]:
    """Unpack a zip of class-named image folders into `dest`; returns the class names."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise HTTPException(400, "the upload is not a readable zip file") from None
    with zf:
        members = _checked(zf)
        total = 0
        for info, parts in members:
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as out:
                total += _copy(zf, info, out, MAX_UNPACKED_BYTES - total)
    classes = sorted(p.name for p in dest.iterdir() if p.is_dir())
    if len(classes) < 2:
        raise HTTPException(400, "the zip needs at least two class-named folders of pictures")
    return classes


def _checked(zf: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, tuple[str, ...]]]:
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise HTTPException(400, f"the zip holds {len(infos)} entries, more than {MAX_ZIP_MEMBERS}")
    images, seen, declared = [], set(), 0
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name).parts
        if (
            "\\" in name
            or "\x00" in name
            or name.startswith("/")
            or (parts and ":" in parts[0])
            or ".." in parts
        ):
            raise HTTPException(
                400, f"zip entry {name!r} has a path outside the folder it is opened into"
            )
        if stat.S_ISLNK(info.external_attr >> 16) or info.flag_bits & 0x1:
            raise HTTPException(400, f"zip entry {name!r} is a link or encrypted")
        if info.is_dir() or any(p.startswith((".", "__MACOSX")) for p in parts):
            continue
        if PurePosixPath(name).suffix.lower() not in library.image_extensions():
            continue
        kept = parts[-2:] if len(parts) >= 2 else parts
        if any(len(p.encode()) > MAX_NAME_BYTES for p in kept):
            raise HTTPException(
                400, f"zip entry {name[:40]!r}... has a name longer than {MAX_NAME_BYTES} bytes"
            )
        if name in seen:
            raise HTTPException(400, f"zip entry {name!r} appears twice")
        seen.add(name)
        declared += info.file_size
        if declared > MAX_UNPACKED_BYTES:
            raise HTTPException(400, f"the zip unpacks to more than {MAX_UNPACKED_BYTES >> 20} MB")
        images.append((info, kept))
    if not images or any(len(p) < 2 for _, p in images):
        raise HTTPException(
            400, "the zip should hold class-named folders of pictures (e.g. cat/1.png, dog/1.png)"
        )
    if len({p for _, p in images}) != len(images):
        raise HTTPException(400, "the zip holds two pictures of the same name in one class folder")
    return images


def _copy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, out, budget: int) -> int:
    """Copy one member, counting bytes, so a header that lies about its size cannot fill the
    disk."""
    written = 0
    try:
        with zf.open(info) as src:
            for block in iter(lambda: src.read(1 << 20), b""):
                written += len(block)
                if written > min(budget, MAX_UPLOAD_BYTES * 10):
                    raise HTTPException(
                        400, f"zip entry {info.filename!r} unpacks to more than it says"
                    )
                out.write(block)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as err:
        raise HTTPException(400, f"the zip is damaged ({err})") from None
    return written
