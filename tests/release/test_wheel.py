"""The sdist and the wheel: `python -m build` makes both, `twine check` passes, and the wheel
installed (not editable) in a fresh virtual environment trains, predicts and serves its page, and
says which extra to install for a command that needs one."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from neuroflow._version import __version__
from tests.release import environment

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def need(module: str) -> None:
    if os.environ.get("CI") != "true":
        pytest.importorskip(
            module, reason=f"{module} is not installed: pip install -e '.[release]'"
        )


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """sdist and wheel built from this checkout (the wheel from the sdist, as `build` does)."""
    for module in ("build", "twine", "setuptools", "packaging"):
        need(module)
    out = tmp_path_factory.mktemp("dist")
    source = copy_of_checkout(tmp_path_factory.mktemp("source"))  # build writes egg-info beside src
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True, text=True, timeout=600, env=clean_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def copy_of_checkout(to: Path) -> Path:
    """The files git would commit (tracked, and new ones it does not ignore), copied to `to`."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (to / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, to / name)
    return to


def clean_env() -> dict[str, str]:
    """This environment without what points Python at the checkout or at this venv."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def wheel_of(dist: Path) -> Path:
    (wheel,) = dist.glob("neuroflow-*.whl")
    return wheel


def test_build_makes_an_sdist_and_a_wheel_that_twine_accepts(dist):
    assert wheel_of(dist).name == f"neuroflow-{__version__}-py3-none-any.whl"
    assert (dist / f"neuroflow-{__version__}.tar.gz").exists()
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, dist.iterdir())],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout.count("PASSED") == 2, done.stdout + done.stderr


def test_the_wheel_holds_every_file_the_package_ships(dist):
    names = set(zipfile.ZipFile(wheel_of(dist)).namelist())
    package = REPO / "src" / "neuroflow"
    shipped = [
        p.relative_to(REPO / "src").as_posix()
        for p in package.rglob("*")
        if p.is_file() and p.suffix not in (".pyc",) and "__pycache__" not in p.parts
    ]
    missing = [name for name in shipped if name not in names]
    assert not missing, f"left out of the wheel: {missing}"
    assert any(n.endswith("card_letters.npz") for n in names)
    assert any(n.startswith("neuroflow/web/static/") for n in names)


@pytest.fixture(scope="module")
def venv(dist, tmp_path_factory) -> Path:
    return environment.make(tmp_path_factory.mktemp("venv") / "env", wheel_of(dist))


def run(venv: Path, *args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]],
        cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def test_the_installed_wheel_trains_and_predicts_without_extras(venv, tmp_path):
    where = run(venv, "python", "-c", "import neuroflow; print(neuroflow.__file__)", cwd=tmp_path)
    assert where.stdout.startswith(str(venv)), where.stdout + where.stderr  # not this checkout
    version = run(venv, "neuroflow", "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout == f"neuroflow {__version__}\n"
    train = run(venv, "neuroflow", "train", "iris", "--epochs", "30", "--out", "iris", "-q",
                cwd=tmp_path)  # fmt: skip
    assert train.returncode == 0, train.stderr
    assert f"neuroflow {__version__}" in (tmp_path / "iris" / "README.md").read_text()
    rows = REPO / "examples" / "iris_new.csv"
    predict = run(venv, "neuroflow", "predict", "iris", str(rows), cwd=tmp_path)
    assert predict.returncode == 0 and "✓ row 1: Prediction is 'setosa'" in predict.stdout
    # the shipped letters are the checkout's, byte for byte, wherever their package lives
    check = (
        "import pathlib, neuroflow; root = pathlib.Path(neuroflow.__file__).parent; "
        "print(*[p.relative_to(root.parent) for p in root.rglob('card_letters.npz')])"
    )
    found = run(venv, "python", "-c", check, cwd=tmp_path).stdout.split()
    assert len(found) == 1, found
    shipped = next(venv.glob(f"lib/python3*/site-packages/{found[0]}")).read_bytes()
    assert shipped == (REPO / "src" / found[0]).read_bytes()
    # without the serve extra, one line names it
    serve = run(venv, "neuroflow", "serve", "iris", cwd=tmp_path)
    assert serve.returncode == 2 and "Traceback" not in serve.stderr, serve.stderr
    assert serve.stderr.count("\n") == 1 and "pip install 'neuroflow[serve]'" in serve.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_installed_wheel_serves_its_page(venv, dist, tmp_path):
    environment.add_extra(venv, wheel_of(dist), "serve")
    train = run(venv, "neuroflow", "train", "iris", "--epochs", "5", "--out", "models/iris", "-q",
                cwd=tmp_path)  # fmt: skip
    assert train.returncode == 0, train.stderr
    port = free_port()
    server = subprocess.Popen(
        [str(venv / "bin" / "neuroflow"), "serve", "--port", str(port)],
        cwd=tmp_path, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        page = fetch(f"http://127.0.0.1:{port}/", server)
        assert "/static/app.js" in page and "/static/style.css" in page
        for name in ("app.js", "style.css", "markdown.js", "train.js"):
            assert fetch(f"http://127.0.0.1:{port}/static/{name}", server).strip(), name
    finally:
        server.terminate()
        server.communicate(timeout=30)


def fetch(url: str, server: subprocess.Popen, wait: float = 120) -> str:
    """The body at `url` once the server answers; fails with its output if it ends first."""
    end = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                assert response.status == 200
                return response.read().decode()
        except OSError:
            if server.poll() is not None or time.monotonic() > end:
                server.terminate()
                out, err = server.communicate(timeout=30)
                pytest.fail(f"neuroflow serve did not answer {url}:\n{out}\n{err}")
            time.sleep(0.5)
