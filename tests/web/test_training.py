"""Training from the page: one run at a time in its own process, followed as events, its model in
the list when it ends; a stopped run leaves nothing behind."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from neuroflow.web.app import create_app
from neuroflow.web.jobs import parse_line

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.slow


def events(client) -> list[dict]:
    with client.stream("GET", "/api/train/events") as response:
        return [json.loads(line[5:]) for line in response.iter_lines() if line.startswith("data:")]


def test_epoch_lines_become_events():
    line = (
        "Epoch 3/10 - 0.1s - loss: 0.6145 - accuracy: 0.8556 - val_loss: 0.5285 - "
        "val_accuracy: 0.8333\n"
    )
    assert parse_line(line) == {
        "type": "epoch",
        "epoch": 3,
        "epochs": 10,
        "loss": 0.6145,
        "accuracy": 0.8556,
        "val_loss": 0.5285,
        "val_accuracy": 0.8333,
    }
    assert parse_line("test accuracy 0.9 on iris test split (30 examples)") is None


def test_a_run_streams_epochs_and_its_model_appears(iris_model, tmp_path):
    work = tmp_path / "work"
    with TestClient(create_app([iris_model], work, warm=False)) as client:
        started = client.post(
            "/api/train",
            json={"dataset": "iris", "recipe": "iris-mlp", "epochs": 4, "name": "my iris"},
        )
        assert started.status_code == 202 and started.json()["state"] == "running"
        busy = client.post("/api/train", json={"dataset": "iris", "epochs": 4})
        assert busy.status_code == 409 and busy.json()["detail"].startswith(
            "busy: training 'my iris' is running"
        )
        seen = events(client)
        assert [e["epoch"] for e in seen[:-1]] == [1, 2, 3, 4] and all(
            "loss" in e and "accuracy" in e for e in seen[:-1]
        )
        assert seen[-1] == {"type": "done", "model": "my-iris"}
        assert "my-iris" in [m["id"] for m in client.get("/api/models").json()]
        assert client.get("/api/train").json()["state"] == "done"
    assert (work / "my-iris" / "config.json").is_file()
    assert sorted(p.name for p in work.iterdir()) == ["my-iris"]


def test_a_stopped_run_leaves_nothing(iris_model, tmp_path):
    work = tmp_path / "work"
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 4))
    rows = "\n".join(
        f"{a:.3f},{b:.3f},{c:.3f},{d:.3f},{'yes' if a + b > 0 else 'no'}" for a, b, c, d in x
    )
    with TestClient(create_app([iris_model], work, warm=False)) as client:
        up = client.post(
            "/api/uploads?name=big.csv", content=f"a,b,c,d,label\n{rows}\n".encode()
        ).json()
        assert (
            client.post(
                "/api/train", json={"upload": up["upload"], "target": "label", "epochs": 500}
            ).status_code
            == 202
        )
        again = client.post("/api/uploads?name=small.csv", content=b"a,label\n1,x\n2,y\n").json()
        busy = client.post("/api/train", json={"upload": again["upload"], "target": "label"})
        assert busy.status_code == 409 and busy.json()["detail"].startswith("busy:")
        with client.stream("GET", "/api/train/events") as response:
            first = next(line for line in response.iter_lines() if line.startswith("data:"))
        assert json.loads(first[5:])["epoch"] == 1
        assert client.post("/api/train/stop").json()["state"] == "stopped"
        assert events(client)[-1] == {"type": "stopped"}
        assert "big-table-mlp" not in [m["id"] for m in client.get("/api/models").json()]
        leftovers = [p.name for p in work.rglob("*") if p.is_file()]
        assert leftovers == ["small.csv"]  # the upload refused as busy can still be trained on
    assert [p for p in work.rglob("*") if p.is_file()] == [] and not (work / ".training").exists()


def test_a_zip_of_image_folders_trains_a_model(iris_model, tmp_path):
    import io
    import zipfile

    from tests.images import shapes_folder

    folder = shapes_folder(tmp_path / "shapes", n=6, classes=("circle", "square"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in sorted(folder.rglob("*.*")):
            zf.write(p, p.relative_to(tmp_path).as_posix())
    work = tmp_path / "work"
    with TestClient(create_app([iris_model], work, warm=False)) as client:
        up = client.post("/api/uploads?name=shapes.zip", content=buf.getvalue()).json()
        assert up["classes"] == ["circle", "square"]
        body = {"upload": up["upload"], "epochs": 1, "recipe": "image-cnn", "name": "shapes"}
        assert client.post("/api/train", json=body).status_code == 202
        assert events(client)[-1] == {"type": "done", "model": "shapes"}
        model = next(m for m in client.get("/api/models").json() if m["id"] == "shapes")
    assert model["classes"] == ["circle", "square"] and model["kind"] == "image"
    assert sorted(p.name for p in work.iterdir()) == ["shapes"]


def test_a_run_that_fails_says_why_in_one_line_and_leaves_nothing(iris_model, tmp_path):
    work = tmp_path / "work"
    rows = "".join(f"{i},{'inf' if i == 3 else i * 2},{'a' if i % 2 else 'b'}\n" for i in range(30))
    with TestClient(create_app([iris_model], work, warm=False)) as client:
        up = client.post("/api/uploads?name=bad.csv", content=f"x,y,label\n{rows}".encode()).json()
        assert (
            client.post(
                "/api/train", json={"upload": up["upload"], "target": "label", "epochs": 2}
            ).status_code
            == 202
        )
        last = events(client)[-1]
        assert client.get("/api/train").json()["state"] == "failed"
    assert (
        last["type"] == "failed"
        and "column 'y' has an infinite value" in last["message"]
        and "\n" not in last["message"]
    )
    assert [p for p in work.rglob("*") if p.is_file()] == []


def test_a_failed_run_names_the_upload_not_the_server_folders(iris_model, tmp_path):
    work = tmp_path / "work"
    rows = "".join(f"{i},{i * 2},{'a' if i % 2 else 'b'},\n" for i in range(30))
    with TestClient(create_app([iris_model], work, warm=False)) as client:
        up = client.post("/api/uploads?name=extra.csv", content=f"x,y,label\n{rows}".encode())
        body = {"upload": up.json()["upload"], "target": "label", "epochs": 1}
        assert client.post("/api/train", json=body).status_code == 202
        last = events(client)[-1]
    assert last["type"] == "failed" and "4 fields but the header names 3" in last["message"]
    assert str(tmp_path) not in last["message"] and "/" not in last["message"], last["message"]


def test_the_built_in_iris_trains_beside_a_model_folder_called_iris(iris_model, tmp_path):
    import shutil

    work = tmp_path / "work"
    shutil.copytree(iris_model, work / "iris")  # `serve models/iris`'s own trainings land here
    with TestClient(create_app([], work, warm=False)) as client:
        body = {"dataset": "iris", "epochs": 1, "name": "again"}
        assert client.post("/api/train", json=body).status_code == 202
        assert events(client)[-1] == {"type": "done", "model": "again"}


def test_an_upload_trains_under_the_work_folder_and_keeps_its_name(
    iris_model, tmp_path, monkeypatch
):
    """A zip with an unreadable picture goes through the decoded-picture cache: under --workdir,
    removed with the run, never in $NEUROFLOW_CACHE. The model is named after the uploaded file,
    the same in the status, the event and the list, which shows the training time."""
    import io
    import zipfile

    from tests.images import shapes_folder

    cache = tmp_path / "user-cache"
    monkeypatch.setenv("NEUROFLOW_CACHE", str(cache))
    folder = shapes_folder(tmp_path / "shapes", n=6, classes=("circle", "square"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in sorted(folder.rglob("*.*")):
            zf.write(p, p.relative_to(folder).as_posix())
        zf.writestr("circle/broken.png", b"\x89PNG not really")
    work = tmp_path / "work"
    with TestClient(create_app([iris_model], work, warm=False)) as client:
        for expected in ("penguins-image-cnn", "penguins-image-cnn-2"):
            up = client.post("/api/uploads?name=penguins.zip", content=buf.getvalue()).json()
            body = {"upload": up["upload"], "epochs": 1, "recipe": "image-cnn"}
            assert client.post("/api/train", json=body).status_code == 202
            assert events(client)[-1] == {"type": "done", "model": expected}
            assert client.get("/api/train").json()["name"] == expected
        listed = {m["id"]: m for m in client.get("/api/models").json()}
    assert listed["penguins-image-cnn-2"]["training_s"] > 0
    assert sorted(p.name for p in work.iterdir()) == ["penguins-image-cnn", "penguins-image-cnn-2"]
    assert not cache.exists() or [p for p in cache.rglob("*") if p.is_file()] == []
