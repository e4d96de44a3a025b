"""`neuroflow serve` on the command line: one line and exit 2 for bad input, a warning off loopback,
and `neuroflow --help` without loading the web stack."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest

from tests.web.conftest import free_port

with warnings.catch_warnings():  # starlette asks for httpx2; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def test_bad_input_is_one_line_and_exit_2(cli, tmp_path, iris_model):
    res = cli("serve", tmp_path / "nothing-here")
    assert (
        res.code == 2
        and res.err.startswith("error:")
        and "does not exist" in res.err
        and res.err.count("\n") == 1
    )
    res = cli("serve", "--workdir", tmp_path / "empty")
    assert res.code == 2 and "no models found in" in res.err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        res = cli("serve", iris_model, "--port", port)
    assert res.code == 2 and f"port {port} is in use" in res.err


def test_starts_prints_url_and_serves_the_page(serve, iris_model):
    served = serve(iris_model)
    import httpx

    page = httpx.get(served.url + "/").text
    assert '<canvas id="pad"' in page and "http" not in page.split("<body>")[1].replace(
        "http-equiv", ""
    )
    assert httpx.get(served.url + "/static/app.js").status_code == 200
    assert (
        "/api/models/{model_id}/predict/image"
        in httpx.get(served.url + "/openapi.json").json()["paths"]
    )


def test_other_hosts_get_a_warning(iris_model, tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "neuroflow",
            "serve",
            str(iris_model),
            "--host",
            "0.0.0.0",
            "--port",
            str(port),
            "--workdir",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first = proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert first.startswith("warning: the page has no login")


def test_help_does_not_load_the_web_stack():
    code = (
        "import sys; from neuroflow.cli import main; "
        "print('fastapi' in sys.modules, 'uvicorn' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_the_listening_socket_says_it_is_tcp():
    """asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets created as IPPROTO_TCP;
    with it on, every answer's body waited for the client's delayed ACK of the headers."""
    from neuroflow.cli.serve import _bind

    sock = _bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


@pytest.mark.slow
def test_ctrl_c_during_a_training_stops_it_and_leaves_nothing(serve, iris_model, tmp_path):
    import httpx

    served = serve(iris_model)
    x = np.random.default_rng(0).normal(size=(4000, 4))
    rows = "\n".join(
        f"{a:.3f},{b:.3f},{c:.3f},{d:.3f},{'yes' if a + b > 0 else 'no'}" for a, b, c, d in x
    )
    up = httpx.post(
        served.url + "/api/uploads?name=big.csv", content=f"a,b,c,d,label\n{rows}\n".encode()
    ).json()
    assert (
        httpx.post(
            served.url + "/api/train",
            json={"upload": up["upload"], "target": "label", "epochs": 500},
        ).status_code
        == 202
    )
    with httpx.stream("GET", served.url + "/api/train/events", timeout=120) as events:
        first = next(line for line in events.iter_lines() if line.startswith("data:"))
        assert '"epoch": 1' in first
        served.proc.send_signal(signal.SIGINT)  # while the page still follows the run
        out, _ = served.proc.communicate(timeout=60)
    assert served.proc.returncode == 0 and out.strip().endswith("neuroflow serve: stopped")
    assert [p for p in served.workdir.rglob("*")] == []


def test_without_the_web_stack_it_says_what_to_install(cli, iris_model, monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if it were not installed
    res = cli("serve", iris_model)
    assert (
        res.code == 2
        and "needs FastAPI and uvicorn" in res.err
        and "pip install 'neuroflow[serve]'" in res.err
    )


def _stalled_upload(url: str) -> socket.socket:
    """A client that declares 100 kB, sends 1 kB and then waits."""
    host, port = url.removeprefix("http://").split(":")
    client = socket.create_connection((host, int(port)))
    head = b"POST /api/uploads?name=x.csv HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"
    client.sendall(head + b"a" * 1000)
    return client


@pytest.mark.slow
def test_a_client_that_leaves_and_ctrl_c_during_an_upload_log_one_line_each(serve, iris_model):
    import httpx

    served = serve(iris_model)
    leaving = _stalled_upload(served.url)
    time.sleep(0.3)  # the server has begun reading the body
    leaving.close()
    assert httpx.get(served.url + "/api/models").status_code == 200  # still serving
    stalled = _stalled_upload(served.url)
    try:
        time.sleep(0.3)
        served.proc.send_signal(signal.SIGINT)
        out, _ = served.proc.communicate(timeout=30)
    finally:
        stalled.close()
    assert out.splitlines() == [  # after the first line (the address), read when it started
        "WARNING:  POST /api/uploads: the client left before its request was read whole",
        "WARNING:  POST /api/uploads: upload cut short, the server is stopping",
        "neuroflow serve: stopped",
    ], out


def test_an_unexpected_error_is_one_log_line_and_a_one_line_500(caplog):
    from starlette.applications import Starlette
    from starlette.routing import Route

    from neuroflow.web.guard import Guard

    def broken(request):
        raise RuntimeError("a bug\nover two lines")

    app = Starlette(routes=[Route("/x", broken)])
    app.add_middleware(Guard, max_bytes=10)
    with TestClient(app) as client, caplog.at_level("WARNING", logger="uvicorn.error"):
        answer = client.get("/x")
        too_big = client.post("/x", content=b"x" * 11)
    assert answer.status_code == 500
    assert answer.json() == {"detail": "internal error (RuntimeError: a bug over two lines)"}
    assert too_big.status_code == 413 and "larger than" in too_big.json()["detail"]
    assert [(r.getMessage(), r.exc_info) for r in caplog.records] == [
        ("GET /x: 500, internal error (RuntimeError: a bug over two lines)", None)
    ]


def test_help_and_docs_say_the_work_folder_is_served_beside_the_models_named(cli):
    from tests.conftest import REPO

    said = " ".join(cli("serve", "--help").out.split())
    assert "served beside those in --workdir (always served" in said
    docs = " ".join((REPO / "docs" / "serve.md").read_text().split())
    assert "are served too, with or without MODEL" in docs
    assert "without one, the models in" not in docs
