"""The vendored ONNX Runtime Web files are exactly those `make web-runtime` checked and recorded."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from neuroflow.export.web import RUNTIME, RUNTIME_FILES

ROOT = Path(__file__).resolve().parents[2]


def _lock() -> tuple[str, dict[str, str]]:
    lines = (RUNTIME / "RUNTIME.lock").read_text().splitlines()
    hashes = dict(reversed(line.split()) for line in lines[1:])
    return lines[0], hashes


def test_every_vendored_file_has_the_hash_the_lock_records():
    _, hashes = _lock()
    assert set(hashes) == {*RUNTIME_FILES, "LICENSE"}
    for name, digest in hashes.items():
        assert hashlib.sha256((RUNTIME / name).read_bytes()).hexdigest() == digest, name


def test_the_lock_names_the_version_and_integrity_the_makefile_pins():
    head, _ = _lock()
    makefile = (ROOT / "Makefile").read_text()
    version = re.search(r"^ORT_WEB_VERSION := (\S+)$", makefile, re.M).group(1)
    integrity = re.search(r"^ORT_WEB_INTEGRITY := (\S+)$", makefile, re.M).group(1)
    assert head == f"# onnxruntime-web@{version} {integrity}"


def test_only_the_plain_webassembly_build_is_vendored():
    names = {p.name for p in RUNTIME.iterdir() if not p.name.startswith("__")}
    assert names == {*RUNTIME_FILES, "LICENSE", "RUNTIME.lock"}
    assert not any(w in n for n in names for w in ("jsep", "webgpu", "webgl", "jspi"))
    assert sum((RUNTIME / n).stat().st_size for n in names) < 16 * 2**20
