"""Every Python block of the README and the documentation pages runs, and every shell block marked
`# runs as shown` runs, in a fresh folder holding a copy of examples/.

A page's Python blocks run in order in one interpreter, as a reader pastes them one after another.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import neuroflow
from tests.docs.blocks import NOT_RUN, REPO, RUNNABLE, SHELLS, blocks, commands, pages

SOURCE = Path(neuroflow.__file__).resolve().parents[1]
PYTHON_PAGES = [p for p in pages() if any(b.runs and b.language == "python" for b in blocks(p))]
SHELL_BLOCKS = [b for p in pages() for b in blocks(p) if b.runs and b.language in SHELLS]


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """A folder holding examples/, a `neuroflow` command for this checkout, and its own cache."""
    work = tmp_path / "work"
    shutil.copytree(REPO / "examples", work / "examples")
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    shim = bin_ / "neuroflow"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m neuroflow "$@"\n')
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(SOURCE), os.environ.get("PYTHONPATH", "")])
    )
    monkeypatch.setenv("NEUROFLOW_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return work


def test_blocks_are_found_and_marked():
    """The collector sees the blocks the guides show, and a skipped block says why."""
    runnable = [b.where() for p in pages() for b in blocks(p) if b.runs]
    assert any(w.startswith("README.md:") for w in runnable), runnable
    assert any(w.startswith("docs/guides/") for w in runnable), runnable
    assert SHELL_BLOCKS, f"no shell block is marked '{RUNNABLE}'"
    for page in pages():
        for block in blocks(page):
            if block.language == "python" and not block.runs:
                reason = block.first_line.removeprefix(NOT_RUN).strip()
                assert reason, f"{block.where()}: a block left out of the tests says why"


@pytest.mark.slow
@pytest.mark.parametrize("page", PYTHON_PAGES, ids=[str(p.relative_to(REPO)) for p in PYTHON_PAGES])
def test_python_blocks_run(page, folder):
    script = "\n".join(
        f"# {b.where()}\n{b.code}" for b in blocks(page) if b.runs and b.language == "python"
    )
    (folder / "page.py").write_text(script)
    done = subprocess.run(
        [sys.executable, "page.py"], cwd=folder, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{page.name}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"


@pytest.mark.slow
@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=[b.where() for b in SHELL_BLOCKS])
def test_marked_command_blocks_run(block, folder):
    for command in commands(block):
        done = subprocess.run(
            command, shell=True, cwd=folder, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"{block.where()}: {command}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, f"{block.where()}: {command}\n{done.stderr}"
