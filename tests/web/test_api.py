"""The JSON API behind the page: the same answers as `neuroflow predict --format json`, and bad
requests answered with a 4xx and one line, leaving nothing behind."""

from __future__ import annotations

import io
import json
import warnings
import zipfile

import numpy as np
import pytest
from PIL import Image, ImageDraw

with warnings.catch_warnings():  # starlette asks for httpx2; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from neuroflow.web.app import create_app


@pytest.fixture
def client(iris_model, tmp_path):
    with TestClient(create_app([iris_model], tmp_path / "work", warm=False)) as c:
        yield c


def seven_png() -> bytes:
    img = Image.new("RGB", (280, 280), "white")
    ImageDraw.Draw(img).line(
        [(70, 60), (210, 60), (120, 240)], fill="black", width=18, joint="curve"
    )
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def test_models_are_listed_by_id_without_paths(client, iris_model):
    models = client.get("/api/models").json()
    assert [m["id"] for m in models] == ["iris"]
    assert [c["name"] for c in models[0]["inputs"]] == [
        "sepal_length",
        "sepal_width",
        "petal_length",
        "petal_width",
    ]
    assert str(iris_model) not in client.get("/api/models").text
    detail = client.get("/api/models/iris").json()
    assert detail["card"].startswith("---") and "loss_curve.png" in [
        f["name"] for f in detail["figures"]
    ]
    assert client.get(detail["figures"][0]["url"]).content[:4] == b"\x89PNG"


def test_row_answer_is_what_predict_json_prints(client, iris_model, tmp_path, cli):
    (tmp_path / "rows.csv").write_text(
        "sepal_length,sepal_width,petal_length,petal_width\n6.1,2.8,4.7,1.2\n"
    )
    expected = json.loads(
        cli("predict", iris_model, tmp_path / "rows.csv", "--format", "json").out
    )[0]
    values = {"sepal_length": 6.1, "sepal_width": "2.8", "petal_length": "4.7", "petal_width": 1.2}
    answer = client.post("/api/models/iris/predict/row", json={"values": values}).json()
    assert answer["prediction"] == expected and expected["class"] == "versicolor"


@pytest.mark.slow
def test_picture_answer_is_what_predict_json_prints(digit_model, tmp_path, cli):
    (tmp_path / "seven.png").write_bytes(seven_png())
    expected = json.loads(
        cli("predict", digit_model, tmp_path / "seven.png", "--format", "json").out
    )[0]
    with TestClient(create_app([digit_model], tmp_path / "work", warm=False)) as c:
        answer = c.post(
            "/api/models/digits/predict/image?name=seven.png", content=seven_png()
        ).json()
    assert answer["prediction"] == expected and expected["prediction"] == "7"
    seen = np.array(answer["seen"])
    assert (
        seen.shape == (28, 28) and seen[:3].max() == 0 and seen.max() == 255
    )  # inverted, cropped, centred
    assert len(answer["feature_maps"]) == 8 and np.array(answer["feature_maps"][0]).shape == (
        28,
        28,
    )
    assert list((tmp_path / "work").rglob("*.png")) == []


def one_line(response, status: int) -> str:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert "\n" not in detail and "Traceback" not in detail
    return detail


def test_bad_requests_get_one_line(client, tmp_path):
    assert "no model with id" in one_line(client.get("/api/models/nope"), 404)
    assert "no figure" in one_line(client.get("/api/models/iris/figures/config.json"), 404)
    assert one_line(client.get("/api/models/iris/figures/..%2F..%2Fconfig.json"), 404)
    assert "takes table rows" in one_line(
        client.post("/api/models/iris/predict/image", content=b"x"), 400
    )
    assert "no input called 'colour'" in one_line(
        client.post("/api/models/iris/predict/row", json={"values": {"colour": "red"}}), 400
    )
    assert "is not a number" in one_line(
        client.post("/api/models/iris/predict/row", json={"values": {"sepal_length": "tall"}}), 400
    )
    assert one_line(
        client.post(
            "/api/models/iris/predict/row",
            content=b"{",
            headers={"content-type": "application/json"},
        ),
        422,
    )
    assert "no built-in dataset" in one_line(
        client.post("/api/train", json={"dataset": "../etc"}), 400
    )
    assert "no training is running" in one_line(client.post("/api/train/stop"), 409)


@pytest.mark.slow
def test_pictures_are_checked_and_nothing_is_left(digit_model, tmp_path):
    work = tmp_path / "work"
    bomb = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(bomb, "PNG")  # 100 megapixels in a few kB
    with TestClient(create_app([digit_model], work, warm=False)) as c:
        detail = one_line(
            c.post("/api/models/digits/predict/image?name=../../bomb.png", content=bomb.getvalue()),
            400,
        )
        assert "bomb.png claims 10000x10000 pixels" in detail and str(work) not in detail
        assert "is not a picture" in one_line(
            c.post("/api/models/digits/predict/image", content=b"GIF89a broken"), 400
        )
        assert "larger than 20 MB" in one_line(
            c.post("/api/models/digits/predict/image", content=bytes(21 << 20)), 413
        )
        chunks = (bytes(1 << 20) for _ in range(21))  # no declared length: counted while reading
        assert "larger than 20 MB" in one_line(
            c.post("/api/models/digits/predict/image", content=chunks), 413
        )
        assert [p for p in work.rglob("*") if p.is_file()] == []


def zip_of(names: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in names.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_uploads_are_checked_and_kept_under_the_work_folder(client, tmp_path):
    work = tmp_path / "work"
    csv = client.post(
        "/api/uploads?name=../../flowers.csv", content=b"height,width,kind\n1,2,a\n3,4,b\n"
    ).json()
    assert csv["kind"] == "csv" and csv["columns"] == ["height", "width", "kind"]
    png = seven_png()
    pics = client.post(
        "/api/uploads?name=pics.zip", content=zip_of({"set/cat/1.png": png, "set/dog/1.png": png})
    ).json()
    assert pics["kind"] == "images" and pics["classes"] == ["cat", "dog"]
    assert "outside the folder" in one_line(
        client.post("/api/uploads?name=x.zip", content=zip_of({"../evil/1.png": png})), 400
    )
    assert "class-named folders" in one_line(
        client.post("/api/uploads?name=x.zip", content=zip_of({"1.png": png})), 400
    )
    assert "no header" in one_line(
        client.post("/api/uploads?name=x.csv", content=b"\xff\xfe\x00"), 400
    )
    assert "a .csv table or a .zip" in one_line(
        client.post("/api/uploads?name=x.exe", content=b"MZ"), 400
    )
    files = sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file())
    assert len(files) == 3 and all(f.startswith(".uploads/data-") for f in files)
    assert not (tmp_path / "flowers.csv").exists() and not (tmp_path / "evil").exists()
    assert "choose the target among" in one_line(
        client.post("/api/train", json={"upload": csv["upload"], "target": "nope"}), 400
    )


def test_hostile_values_get_one_line_and_no_nan(client, tmp_path):
    png = seven_png()
    long_name = zip_of({"cat/" + "a" * 300 + ".png": png, "dog/1.png": png})
    detail = one_line(client.post("/api/uploads?name=x.zip", content=long_name), 400)
    assert "longer than 255 bytes" in detail and str(tmp_path) not in detail
    row = {"sepal_length": 1e308, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
    assert "too far from the training values" in one_line(
        client.post("/api/models/iris/predict/row", json={"values": row}), 400
    )
    row["sepal_length"] = "9" * 400
    assert "number too large to read" in one_line(
        client.post("/api/models/iris/predict/row", json={"values": row}), 400
    )


def test_category_inputs_and_blanks_answer_as_predict_does(tmp_path, cli):
    rng = np.random.default_rng(0)
    rows = ["size,colour,ok"] + [
        f"{s:.2f},{c},{'yes' if s > 0 and c != 'red' else 'no'}"
        for s, c in zip(rng.normal(size=90), rng.choice(["red", "green", "blue"], 90), strict=True)
    ]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    assert (
        cli(
            "train",
            tmp_path / "t.csv",
            "--target",
            "ok",
            "--epochs",
            "5",
            "--out",
            tmp_path / "m",
            "--quiet",
        ).code
        == 0
    )
    (tmp_path / "rows.csv").write_text("size,colour\n,\n")
    expected = json.loads(
        cli("predict", tmp_path / "m", tmp_path / "rows.csv", "--format", "json").out
    )[0]
    with TestClient(create_app([tmp_path / "m"], tmp_path / "work", warm=False)) as c:
        inputs = c.get("/api/models").json()[0]["inputs"]
        assert inputs == [
            {"name": "size", "kind": "numeric", "categories": None},
            {"name": "colour", "kind": "category", "categories": ["blue", "green", "red"]},
        ]
        answer = c.post(
            "/api/models/m/predict/row", json={"values": {"size": None, "colour": ""}}
        ).json()
    assert answer["prediction"] == expected


def test_a_bundle_is_served_with_its_card_and_figures(iris_model, tmp_path, cli):
    assert cli("bundle", iris_model, "--out", tmp_path / "shared-iris.zip").code == 0
    with TestClient(create_app([tmp_path / "shared-iris.zip"], tmp_path / "work", warm=False)) as c:
        detail = c.get("/api/models/shared-iris").json()
        assert detail["name"] == "iris-mlp" and "## " in detail["card"]
        assert (
            c.get(f"/api/models/shared-iris/figures/{detail['figures'][0]['name']}").content[:4]
            == b"\x89PNG"
        )
        row = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
        assert (
            c.post("/api/models/shared-iris/predict/row", json={"values": row}).json()[
                "prediction"
            ]["class"]
            == "setosa"
        )
