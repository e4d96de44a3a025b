"""Opening a bundle someone sent: every member checked before a byte is written or trusted.

Member names, kinds, sizes and count are checked and pickles refused, so a zip cannot write outside
its temp folder, fill the disk, or run code.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from neuroflow.errors import ModelFileError
from neuroflow.models.safety import PICKLE_SUFFIXES

MAX_MEMBERS = 64  # a model folder holds about ten files
MAX_MEMBER_BYTES = 2 << 30  # one weights file of a CPU-sized model fits easily
MAX_TOTAL_BYTES = 3 << 30
MAX_CONFIG_BYTES = 16 << 20


def is_zip(path: Path) -> bool:
    return path.is_file() and zipfile.is_zipfile(path)


def _checked_members(path: Path) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo], str]:
    """The open zip, its checked files beside config.json, and the folder prefix they share."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise ModelFileError(
            f"{path} is not a readable zip file ({err})",
            "make the bundle again with 'neuroflow bundle'",
        ) from None
    try:
        files = _checked_files(path, zf.infolist())
        _refuse_pickles(path, files)
        prefix = _config_prefix(path, files)
        top = [
            i
            for i in files
            if i.filename.startswith(prefix) and "/" not in i.filename[len(prefix) :]
        ]
        return zf, top, prefix
    except BaseException:
        zf.close()
        raise


def _checked_files(path: Path, infos: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    if len(infos) > MAX_MEMBERS:
        raise _refuse(
            path, f"it holds {len(infos)} entries, more than a model folder ({MAX_MEMBERS} at most)"
        )
    files, total, seen = [], 0, set()
    for info in infos:
        _check_entry(path, info)
        if info.is_dir():
            continue
        name = info.filename
        if name in seen:
            raise _refuse(path, f"entry {name!r} appears twice")
        seen.add(name)
        if info.file_size > MAX_MEMBER_BYTES:
            raise _refuse(
                path,
                f"entry {name!r} unpacks to {info.file_size:,} bytes, "
                f"more than {MAX_MEMBER_BYTES:,}",
            )
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise _refuse(path, f"it unpacks to more than {MAX_TOTAL_BYTES:,} bytes")
        files.append(info)
    return files


def _check_entry(path: Path, info: zipfile.ZipInfo) -> None:
    name = info.filename
    parts = PurePosixPath(name).parts
    if "\\" in name or "\x00" in name or name.startswith("/") or (parts and ":" in parts[0]):
        raise _refuse(path, f"entry {name!r} has an absolute or Windows path")
    if any(len(p.encode()) > 255 for p in parts):
        raise _refuse(path, f"entry {name[:40]!r}... has a name longer than 255 bytes")
    if ".." in parts:
        raise _refuse(path, f"entry {name!r} would be written outside the folder it is opened into")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise _refuse(path, f"entry {name!r} is a symbolic link")
    if info.flag_bits & 0x1:
        raise _refuse(path, f"entry {name!r} is encrypted")


def _refuse_pickles(path: Path, files: list[zipfile.ZipInfo]) -> None:
    pickles = [
        i.filename for i in files if PurePosixPath(i.filename).suffix.lower() in PICKLE_SUFFIXES
    ]
    if pickles:
        what = (
            "a PyTorch torch.save file"
            if any(PurePosixPath(p).name == "data.pkl" for p in pickles)
            else "a bundle"
        )
        raise ModelFileError(
            f"refusing {path.name}: it is {what} holding {pickles[0]}, a pickle, "
            "which runs code when loaded",
            "ask for a neuroflow model folder or bundle (config.json + model.safetensors) "
            "or an exported .onnx file",
        )


def _config_prefix(path: Path, files: list[zipfile.ZipInfo]) -> str:
    configs = [i.filename for i in files if PurePosixPath(i.filename).name == "config.json"]
    if "config.json" in configs:
        return ""
    if len(configs) == 1 and len(PurePosixPath(configs[0]).parts) == 2:  # `zip -r m.zip folder/`
        return configs[0].removesuffix("config.json")
    raise ModelFileError(
        f"{path} holds no config.json at its top",
        "this is not a neuroflow bundle; make one with 'neuroflow bundle MODEL_DIR'",
    )


def _refuse(path: Path, why: str) -> ModelFileError:
    return ModelFileError(
        f"refusing bundle {path.name}: {why}",
        "only open bundles made by 'neuroflow bundle'; ask the sender for a clean one",
    )


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dst, limit: int) -> None:
    """Copy one member counting bytes, so a header that lies about its size cannot fill the disk."""
    written = 0
    try:
        with zf.open(info) as src:
            for block in iter(lambda: src.read(1 << 20), b""):
                written += len(block)
                if written > limit:
                    raise _refuse(
                        Path(zf.filename or "bundle"),
                        f"entry {info.filename!r} unpacks to more than {limit:,} bytes",
                    )
                dst.write(block)
    except (zipfile.BadZipFile, EOFError, ValueError) as err:
        raise ModelFileError(
            f"{Path(zf.filename or 'bundle').name} is damaged ({err})",
            "get the bundle again from its source",
        ) from None


def read_bundle_config(path: str | Path) -> str:
    """The config.json text of a bundle, after checking the whole bundle (nothing is written)."""
    path = Path(path)
    zf, files, prefix = _checked_members(path)
    with zf:
        info = next(i for i in files if i.filename == prefix + "config.json")
        buf = io.BytesIO()
        _read_member(zf, info, buf, MAX_CONFIG_BYTES)
    try:
        return buf.getvalue().decode("utf-8")
    except UnicodeDecodeError:
        raise ModelFileError(
            f"config.json in {path.name} is not UTF-8 text", "the bundle is damaged; get it again"
        ) from None


@contextlib.contextmanager
def extracted(path: str | Path) -> Iterator[Path]:
    """Unpack a checked bundle into a fresh temp folder, yield it, and remove it afterwards."""
    path = Path(path)
    zf, files, prefix = _checked_members(path)
    tmp = Path(tempfile.mkdtemp(prefix="neuroflow-bundle-"))
    try:
        with zf:
            total = 0
            for info in files:
                target = tmp / info.filename[len(prefix) :]
                # a fresh folder and flat names: nothing to follow or overwrite
                with open(target, "xb") as dst:
                    _read_member(zf, info, dst, MAX_MEMBER_BYTES)
                total += target.stat().st_size
                if total > MAX_TOTAL_BYTES:
                    raise _refuse(path, f"it unpacks to more than {MAX_TOTAL_BYTES:,} bytes")
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
