"""A bundle: a model folder as one .zip file to send, accepted wherever a model folder is.

Making one checks the folder first and packs only its data files, in a fixed order and time, so
the same folder always gives the same bytes. Opening one is `unbundle`'s job.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path

from neuroflow.errors import UsageError
from neuroflow.models.store import load_model
from neuroflow.models.unbundle import is_zip

# What a bundle carries from the folder: never the training checkpoint, never anything executable.
BUNDLED_SUFFIXES = {".json", ".safetensors", ".md", ".png", ".txt"}
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # the same folder always gives the same bytes


def make_bundle(
    model_dir: str | Path, out: str | Path | None = None, extra: dict[str, Path] | None = None
) -> Path:
    """Zip the model folder's files (checked first) into `out` (default: FOLDER.zip beside it);
    `extra` maps more entries' names (in a subfolder, which loading ignores) to files."""
    from neuroflow.files import atomic_file

    model_dir = Path(model_dir)
    if is_zip(model_dir):
        raise UsageError(f"{model_dir} is already a bundle", "send it as it is")
    load_model(model_dir)  # the whole check: config, weights' checksum and that they fit the spec
    out = Path(out) if out else model_dir.resolve().parent / f"{model_dir.resolve().name}.zip"
    if out.suffix.lower() != ".zip":
        raise UsageError(f"--out {out} should end in .zip", "e.g. --out model.zip")
    if out.resolve().parent == model_dir.resolve():
        raise UsageError(
            "the bundle cannot go inside the folder it bundles",
            "choose --out outside the model folder",
        )
    files = sorted(
        p
        for p in model_dir.iterdir()
        if p.is_file()
        and not p.is_symlink()
        and not p.name.startswith(".")
        and p.suffix.lower() in BUNDLED_SUFFIXES
    )
    with atomic_file(out) as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, p in [*((p.name, p) for p in files), *sorted((extra or {}).items())]:
            info = zipfile.ZipInfo(name, _FIXED_TIME)
            info.compress_type = zipfile.ZIP_STORED if p.suffix == ".png" else zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            with open(p, "rb") as src, zf.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    return out
