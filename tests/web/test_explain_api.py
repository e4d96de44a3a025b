"""The page's "why" routes answer as `neuroflow explain --format json` does, for a table row and a
picture, with each method; a bad method or the wrong kind of input is a 400 with one line."""

from __future__ import annotations

import io
import json
import warnings

import numpy as np
import pytest
from PIL import Image

with warnings.catch_warnings():  # starlette asks for httpx2; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import neuroflow as nf
from neuroflow.web.app import create_app

ROW = {"sepal_length": 6.1, "sepal_width": 2.8, "petal_length": 4.7, "petal_width": 1.2}


@pytest.fixture(scope="module")
def picture_model(tmp_path_factory):
    """A one-convolution network on 8×8 pictures: bright left half or dark left half."""
    root = tmp_path_factory.mktemp("why-pictures")
    rng = np.random.default_rng(0)
    for cls in ("bright", "dark"):
        (root / "data" / cls).mkdir(parents=True)
        for i in range(12):
            pixels = rng.integers(0, 255, (8, 8), dtype=np.uint8)
            pixels[:, :4] = 255 if cls == "bright" else 0
            Image.fromarray(pixels).save(root / "data" / cls / f"{i}.png")
    conv = {"type": "Conv2D", "filters": 4, "kernel_size": 3, "padding": "same"}
    spec = [conv, {"type": "Flatten"}, {"type": "Dense", "units": "auto"}]
    nf.train(str(root / "data"), spec, epochs=2, image_size=8, grayscale=True, progress="quiet",
             out=root / "model")  # fmt: skip
    return root / "model", root / "data" / "bright" / "0.png"


@pytest.fixture
def client(iris_model, picture_model, tmp_path):
    app = create_app([iris_model, picture_model[0]], tmp_path / "work", warm=False)
    with TestClient(app) as c:
        yield c


def test_a_row_is_explained_as_the_command_line_explains_it(client, cli, iris_model, tmp_path):
    answer = client.post("/api/models/iris/explain/row?method=occlusion", json={"values": ROW})
    assert answer.status_code == 200, answer.text
    rows = tmp_path / "row.csv"
    rows.write_text(",".join(ROW) + "\n" + ",".join(map(str, ROW.values())) + "\n")
    res = cli("explain", iris_model, rows, "--method", "occlusion", "--format", "json")
    assert answer.json() == json.loads(res.out)
    assert list(answer.json()[0]["columns"]) and answer.json()[0]["label"] == "versicolor"


@pytest.mark.parametrize("method", ["integrated-gradients", "saliency", "gradcam", "occlusion"])
def test_a_picture_gets_its_heatmap(client, cli, picture_model, method):
    model, picture = picture_model
    url = f"/api/models/model/explain/image?method={method}&name=0.png"
    answer = client.post(url, content=picture.read_bytes())
    assert answer.status_code == 200, answer.text
    res = cli("explain", model, picture, "--method", method, "--format", "json")
    assert answer.json() == json.loads(res.out)
    assert np.array(answer.json()[0]["heatmap"]).shape == (8, 8)


def test_bad_requests_are_one_line_400s(client, picture_model):
    bad = client.post("/api/models/iris/explain/row?method=shap", json={"values": ROW})
    assert bad.status_code == 400 and "integrated-gradients, saliency" in bad.json()["detail"]
    cam = client.post("/api/models/iris/explain/row?method=gradcam", json={"values": ROW})
    assert cam.status_code == 400 and "last convolution" in cam.json()["detail"]
    wrong = client.post("/api/models/iris/explain/image", content=b"x")
    assert wrong.status_code == 400 and "table rows" in wrong.json()["detail"]
    junk = client.post("/api/models/model/explain/image?name=a.png", content=b"not a picture")
    assert junk.status_code == 400 and "a.png is not a picture" in junk.json()["detail"]
    buf = io.BytesIO()
    Image.new("L", (8, 8)).save(buf, "PNG")
    assert client.post("/api/models/nope/explain/image", content=buf.getvalue()).status_code == 404
