"""A fresh virtual environment for an installed wheel, its dependencies taken from this one.

Each distribution the wheel requires (and theirs, and an extra's when asked) is linked from this
environment into a folder that the new one reads through a .pth file: no network, no second torch,
and nothing the wheel does not ask for, so a missing extra stays missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def requirements(wheel: Path, extras: tuple[str, ...] = ()) -> list[Requirement]:
    """The wheel's own Requires-Dist lines that apply with `extras`."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        meta = archive.read(name).decode()
    wanted = []
    for line in meta.splitlines():
        if line.startswith("Requires-Dist:"):
            req = Requirement(line.split(":", 1)[1].strip())
            if _applies(req, extras):
                wanted.append(req)
    return wanted


def _applies(req: Requirement, extras: tuple[str, ...]) -> bool:
    if req.marker is None:
        return True
    return any(req.marker.evaluate({"extra": e}) for e in ("", *extras))


def closure(reqs: list[Requirement]) -> dict[str, metadata.Distribution]:
    """Every installed distribution that `reqs` need, by canonical name."""
    found: dict[str, metadata.Distribution] = {}
    todo = list(reqs)
    while todo:
        req = todo.pop()
        key = canonicalize_name(req.name)
        if key in found:
            continue
        dist = metadata.distribution(req.name)  # PackageNotFoundError: this environment lacks it
        found[key] = dist
        todo += [
            sub for sub in map(Requirement, dist.requires or []) if _applies(sub, tuple(req.extras))
        ]
    return found


def link(dists: dict[str, metadata.Distribution], folder: Path) -> None:
    """Symlink each distribution's top-level files and folders (its RECORD's) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for dist in dists.values():
        tops = {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
        for top in tops:
            source, target = Path(dist.locate_file(top)), folder / top
            if source.exists() and not target.exists():
                target.symlink_to(source, target_is_directory=source.is_dir())


def _env() -> dict[str, str]:
    # PYTHONPATH would show pip the checkout's neuroflow instead of the venv's
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def make(where: Path, wheel: Path) -> Path:
    """A venv at `where` with `wheel` installed (not editable) over its core dependencies; returns
    the venv's folder."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, env=_env()
    )
    python = where / "bin" / "python"
    link(closure(requirements(wheel)), where / "deps")
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, env=_env(),
    ).stdout.strip()  # fmt: skip
    (Path(site) / "neuroflow-deps.pth").write_text(str(where / "deps") + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True, env=_env()
    )
    return where


def add_extra(venv: Path, wheel: Path, extra: str) -> None:
    """Make `extra`'s dependencies importable in `venv` too."""
    core = set(closure(requirements(wheel)))
    more = {k: d for k, d in closure(requirements(wheel, (extra,))).items() if k not in core}
    link(more, venv / f"deps-{extra}")
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / f"neuroflow-{extra}.pth").write_text(str(venv / f"deps-{extra}") + "\n")
