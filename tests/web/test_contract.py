"""The API does what /openapi.json says: schemathesis finds no failure against `neuroflow serve`,
and every refusal the document lists is answered, with its one-line body, to a request that asks
for it."""

from __future__ import annotations

import http.client
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

import neuroflow as nf
from tests.web.conftest import Served

CONFIG = Path(__file__).with_name("schemathesis.toml")
pytestmark = pytest.mark.slow  # a served process, a model trained for it, schemathesis' run

if importlib.util.find_spec("schemathesis") is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("schemathesis is missing: pip install -e '.[test]'")
    pytest.skip("schemathesis is not installed (it is in the test extra)", allow_module_level=True)


@pytest.fixture(scope="module")
def served(iris_model, tmp_path_factory):
    """`neuroflow serve` with a table model (iris) and a picture model (digits)."""
    digits = tmp_path_factory.mktemp("contract") / "digits"
    nf.train("digits", epochs=1, progress="quiet").save(digits)
    server = Served([iris_model, digits], tmp_path_factory.mktemp("contract-work"))
    yield server
    server.stop()


def test_schemathesis_finds_no_failure(served, tmp_path):
    """Generated requests (valid and invalid, one at a time and in sequences) meet the document:
    statuses, bodies, content types, required fields, the event stream, the Allow header."""
    run = subprocess.run(
        [
            *(sys.executable, "-m", "schemathesis.cli", "--config-file", CONFIG, "run"),
            f"{served.url}/openapi.json",
            *("--checks", "all", "--max-examples", "15", "--seed", "1", "--workers", "1"),
            *("--request-timeout", "30", "--no-color"),
        ],
        cwd=tmp_path,  # its example database stays out of the repository
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-6000:]
    assert "11 selected / 11 total" in out and " passed" in out and "failure" not in out


def declared_too_large(url: str, path: str) -> tuple[int, bytes]:
    """POST announcing a 30 MB body and sending none of it: refused on the declared length."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.putrequest("POST", path)
    conn.putheader("Content-Type", "application/octet-stream")
    conn.putheader("Content-Length", str(30 << 20))
    conn.endheaders()
    answer = conn.getresponse()
    body = answer.read()
    conn.close()
    return answer.status, body


def png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (28, 28), 255).save(buf, "PNG")
    return buf.getvalue()


LONG = "x" * 101
# (method, path in the document, status) → the request that earns it, in the order they run:
# the 409s of /api/train/stop and /api/train need no run, then one, then a stop.
REFUSALS = {
    ("get", "/api/models/{model_id}", 404): ("get", "/api/models/nope", {}),
    ("get", "/api/models/{model_id}", 422): ("get", f"/api/models/{LONG}", {}),
    ("get", "/api/models/{model_id}/figures/{name}", 404): (
        "get",
        "/api/models/iris/figures/config.json",
        {},
    ),
    ("get", "/api/models/{model_id}/figures/{name}", 422): (
        "get",
        f"/api/models/{LONG}/figures/loss_curve.png",
        {},
    ),
    ("post", "/api/models/{model_id}/predict/image", 400): (
        "post",
        "/api/models/iris/predict/image",
        {"content": png()},
    ),
    ("post", "/api/models/{model_id}/predict/image", 404): (
        "post",
        "/api/models/nope/predict/image",
        {"content": png()},
    ),
    ("post", "/api/models/{model_id}/predict/image", 413): (
        "large",
        "/api/models/digits/predict/image",
        {},
    ),
    ("post", "/api/models/{model_id}/predict/image", 422): (
        "post",
        "/api/models/digits/predict/image?details=perhaps",
        {"content": png()},
    ),
    ("post", "/api/models/{model_id}/predict/row", 400): (
        "post",
        "/api/models/iris/predict/row",
        {"json": {"values": {"colour": "red"}}},
    ),
    ("post", "/api/models/{model_id}/predict/row", 404): (
        "post",
        "/api/models/nope/predict/row",
        {"json": {"values": {}}},
    ),
    ("post", "/api/models/{model_id}/predict/row", 413): (
        "large",
        "/api/models/iris/predict/row",
        {},
    ),
    ("post", "/api/models/{model_id}/predict/row", 422): (
        "post",
        "/api/models/iris/predict/row",
        {"json": {"rows": []}},
    ),
    ("post", "/api/models/{model_id}/explain/image", 400): (
        "post",
        "/api/models/digits/explain/image?method=astrology",
        {"content": png()},
    ),
    ("post", "/api/models/{model_id}/explain/image", 404): (
        "post",
        "/api/models/nope/explain/image",
        {"content": png()},
    ),
    ("post", "/api/models/{model_id}/explain/image", 413): (
        "large",
        "/api/models/digits/explain/image",
        {},
    ),
    ("post", "/api/models/{model_id}/explain/image", 422): (
        "post",
        f"/api/models/{LONG}/explain/image",
        {"content": png()},
    ),
    ("post", "/api/models/{model_id}/explain/row", 400): (
        "post",
        "/api/models/iris/explain/row?method=gradcam",
        {"json": {"values": {}}},
    ),
    ("post", "/api/models/{model_id}/explain/row", 404): (
        "post",
        "/api/models/nope/explain/row",
        {"json": {"values": {}}},
    ),
    ("post", "/api/models/{model_id}/explain/row", 413): (
        "large",
        "/api/models/iris/explain/row",
        {},
    ),
    ("post", "/api/models/{model_id}/explain/row", 422): (
        "post",
        "/api/models/iris/explain/row",
        {"json": {"rows": []}},
    ),
    ("post", "/api/uploads", 400): ("post", "/api/uploads?name=x.csv", {"content": b""}),
    ("post", "/api/uploads", 413): ("large", "/api/uploads", {}),
    ("post", "/api/uploads", 422): ("post", f"/api/uploads?name={LONG * 2}", {"content": b"a,b"}),
    ("post", "/api/train/stop", 409): ("post", "/api/train/stop", {}),
    ("post", "/api/train", 400): ("post", "/api/train", {"json": {}}),
    ("post", "/api/train", 404): ("post", "/api/train", {"json": {"upload": "0123456789ab"}}),
    ("post", "/api/train", 413): ("large", "/api/train", {}),
    ("post", "/api/train", 422): ("post", "/api/train", {"json": {"dataset": "iris", "epochs": 0}}),
    ("post", "/api/train", 409): (
        "busy",
        "/api/train",
        {"json": {"dataset": "iris", "epochs": 500}},
    ),
}


def test_every_documented_refusal_is_answered_in_one_line(served):
    import httpx

    document = httpx.get(f"{served.url}/openapi.json").json()
    error = {"$ref": "#/components/schemas/Error"}
    documented = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if status.startswith("4"):
                    assert answer["content"]["application/json"]["schema"] == error
                    documented.add((method, path, int(status)))
    assert documented == set(REFUSALS)
    assert document["components"]["schemas"]["Error"]["required"] == ["detail"]

    for (_, _, status), (how, path, kwargs) in REFUSALS.items():
        if how == "large":
            got, body = declared_too_large(served.url, path)
            detail = httpx.Response(got, content=body).json()
        else:
            if how == "busy":  # a run is started, so that a second one is refused
                started = httpx.post(served.url + path, timeout=30, **kwargs)
                assert started.status_code == 202, started.text
            answer = httpx.request(
                how.replace("busy", "post"), served.url + path, timeout=30, **kwargs
            )
            got, detail = answer.status_code, answer.json()
        assert got == status, (path, detail)
        assert list(detail) == ["detail"] and "\n" not in detail["detail"], detail
    stopped = httpx.post(f"{served.url}/api/train/stop", timeout=30)
    assert stopped.status_code == 200 and stopped.json()["state"] == "stopped"
    assert httpx.get(f"{served.url}/api/train").json()["state"] == "stopped"


def test_the_event_stream_is_documented_and_answers_as_documented(served):
    import httpx

    document = httpx.get(f"{served.url}/openapi.json").json()
    answer = document["paths"]["/api/train/events"]["get"]["responses"]["200"]
    assert list(answer["content"]) == ["text/event-stream"]
    with httpx.stream("GET", f"{served.url}/api/train/events", timeout=30) as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        first = next(line for line in events.iter_lines() if line.startswith("data: "))
    assert first.startswith('data: {"type": ')
