"""Fixtures for the page's tests: small trained models, a work folder, `neuroflow serve` as a
process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from benchmarks.serve_load import small_digit_model

import neuroflow as nf
from tests.conftest import SHARED_MNIST


@pytest.fixture(scope="session")
def iris_model(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("web-models") / "iris"
    nf.train("iris", "iris-mlp", epochs=60, progress="quiet").save(out)
    return out


@pytest.fixture(scope="session")
def digit_model(tmp_path_factory) -> Path:
    """mnist-fast at batch 128 on 8,000 MNIST digits for 2 epochs (~20 s): enough to read a
    clearly drawn digit; evaluated on 500 test digits, which adds the confusion matrix and the
    test figures to its folder."""
    if not (SHARED_MNIST / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"the shared MNIST files are not at {SHARED_MNIST}")
    out = tmp_path_factory.mktemp("web-models") / "digits"
    return small_digit_model(str(SHARED_MNIST), out, evaluate=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """`neuroflow serve ARGS` running as a subprocess on a free port of 127.0.0.1."""

    def __init__(self, args: list, workdir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "neuroflow",
                "serve",
                *map(str, args),
                "--port",
                str(self.port),
                "--workdir",
                str(workdir),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.first_line = self.proc.stdout.readline()
        assert self.url in self.first_line, self.first_line + self.proc.stdout.read()
        self._wait_until_answering()

    def _wait_until_answering(self) -> None:
        import httpx

        for _ in range(600):
            try:
                if httpx.get(self.url + "/api/models", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise AssertionError("neuroflow serve did not answer")

    def stop(self) -> str:
        self.proc.terminate()
        out, _ = self.proc.communicate(timeout=30)
        return out


@pytest.fixture
def serve(tmp_path):
    started: list[Served] = []

    def start(*args, workdir: Path | None = None) -> Served:
        started.append(Served(list(args), workdir or tmp_path / "work"))
        return started[-1]

    yield start
    for s in started:
        s.stop()
