"""Shared test helpers: run the CLI in process, find the shared MNIST files, tiny datasets."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# the shared data sets beside the repository (another place with NEUROFLOW_SHARED_DATA)
SHARED_DATA = Path(os.environ.get("NEUROFLOW_SHARED_DATA", REPO.parent / "shared" / "data"))
SHARED_MNIST = SHARED_DATA / "mnist"
SHARED_OMNIGLOT = SHARED_DATA / "omniglot" / "images_background_small1.zip"


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


@pytest.fixture
def cli(capsys):
    """Run `neuroflow ARGS...` in this process; returns exit code, stdout and stderr."""
    from neuroflow.cli.main import run_app

    def run(*args: object) -> CliResult:
        capsys.readouterr()
        try:
            code = run_app([str(a) for a in args])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        captured = capsys.readouterr()
        return CliResult(code or 0, captured.out, captured.err)

    return run


def run_process(*args: object, env: dict | None = None, timeout: float = 300) -> CliResult:
    """Run `python -m neuroflow ARGS...` as a separate process (for import checks and signals)."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "neuroflow", *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    if not (SHARED_MNIST / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"the shared MNIST files are not at {SHARED_MNIST}")
    return SHARED_MNIST


@pytest.fixture(scope="session")
def omniglot_zip() -> Path:
    if not SHARED_OMNIGLOT.is_file():
        pytest.skip(f"the shared Omniglot characters are not at {SHARED_OMNIGLOT}")
    return SHARED_OMNIGLOT


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Keep tests away from the user's cache and data folders."""
    cache = tmp_path_factory.getbasetemp() / "nf-cache"
    monkeypatch.setenv("NEUROFLOW_CACHE", str(cache))
    monkeypatch.delenv("NEUROFLOW_DATA", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")


# One browser for the whole run: two live Playwright instances in one process refuse each other.
def chromium() -> str | None:
    return (
        os.environ.get("NEUROFLOW_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def browser():
    found = chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        found = None
    if found is None:
        why = (
            "no Chromium (apt-get install chromium) or no Playwright "
            "(pip install -e '.[test]') found"
        )
        if os.environ.get("CI"):
            pytest.fail(f"the browser tests must run in CI, but {why}")
        pytest.skip(why)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=found, args=["--no-sandbox"])
        yield launched
        launched.close()
