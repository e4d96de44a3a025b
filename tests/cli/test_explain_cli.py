"""`neuroflow explain`: text with the files it wrote, JSON, a table model's importances, and one
line with exit status 2 for each kind of bad input; `--help` loads neither torch nor Captum."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import neuroflow as nf

ROWS = "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n"


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    root = tmp_path_factory.mktemp("explain")
    nf.train("iris", model="iris-mlp", epochs=20, progress="quiet", out=root / "iris-model")
    (root / "rows.csv").write_text(ROWS)
    return root


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    """A tiny untrained-enough CNN on 8×8 pictures and two pictures for it."""
    root = tmp_path_factory.mktemp("pictures")
    rng = np.random.default_rng(0)
    for cls in ("a", "b"):
        (root / "data" / cls).mkdir(parents=True)
        for i in range(12):
            pixels = rng.integers(0, 255, (8, 8), dtype=np.uint8)
            pixels[:, :4] = 255 if cls == "a" else 0
            Image.fromarray(pixels).save(root / "data" / cls / f"{i}.png")
    conv = {"type": "Conv2D", "filters": 4, "kernel_size": 3, "padding": "same"}
    spec = [conv, {"type": "Flatten"}, {"type": "Dense", "units": "auto"}]
    nf.train(str(root / "data"), spec, epochs=2, image_size=8, grayscale=True, progress="quiet",
             out=root / "model")  # fmt: skip
    return root


def test_rows_are_explained_and_their_charts_written(cli, saved, tmp_path):
    res = cli("explain", saved / "iris-model", saved / "rows.csv", "--out", tmp_path / "why")
    assert res.code == 0, res.err
    assert "row 1: 'setosa'" in res.out and "completeness gap" in res.out
    assert f"wrote {tmp_path / 'why' / 'row_1.png'}" in res.out
    assert sorted(p.name for p in (tmp_path / "why").iterdir()) == ["row_1.png", "row_2.png"]


def test_json_holds_each_rows_columns(cli, saved):
    res = cli("explain", saved / "iris-model", saved / "rows.csv", "--format", "json",
              "--method", "saliency")  # fmt: skip
    assert res.code == 0, res.err
    found = json.loads(res.out)
    assert [d["label"] for d in found] == ["setosa", "virginica"]
    assert set(found[0]["columns"]) == {"sepal_length", "sepal_width", "petal_length",
                                        "petal_width"}  # fmt: skip
    assert all(d["method"] == "saliency" and "completeness_gap" not in d for d in found)


def test_no_input_gives_the_importances_on_the_test_split(cli, saved, tmp_path):
    res = cli("explain", saved / "iris-model", "--format", "json", "--out", tmp_path)
    assert res.code == 0, res.err
    found = json.loads(res.out)
    assert found["data"] == "iris test split (30 examples)" and found["metric"] == "accuracy"
    assert list(found["importances"])[0].startswith("petal")
    assert (tmp_path / "importances.png").stat().st_size > 1000


@pytest.mark.parametrize("method", ["integrated-gradients", "saliency", "gradcam", "occlusion"])
def test_each_picture_gets_a_png_and_json_a_heatmap(cli, digits, method, tmp_path):
    pictures = digits / "data" / "a"
    res = cli("explain", digits / "model", pictures / "0.png", pictures / "1.png",
              "--method", method, "--out", tmp_path, "--format", "json")  # fmt: skip
    assert res.code == 0, res.err
    found = json.loads(res.out)
    assert [d["input"] for d in found] == ["0.png", "1.png"]
    assert all(np.array(d["heatmap"]).shape == (8, 8) for d in found)
    assert all(np.array(d["heatmap"]).max() == 1.0 for d in found)
    assert [d["file"] for d in found] == [str(tmp_path / "0.png"), str(tmp_path / "1.png")]
    with Image.open(tmp_path / "0.png") as png:
        assert png.size[0] > 200


def _one_line(res) -> str:
    assert res.code == 2 and res.out == "", res.out
    assert res.err.startswith("error: ") and res.err.count("\n") == 1, res.err
    return res.err


def test_bad_input_is_one_line_and_exit_2(cli, saved, digits, tmp_path):
    from neuroflow.export.to_onnx import export_onnx

    model, rows = saved / "iris-model", saved / "rows.csv"
    assert "integrated-gradients, saliency, gradcam, occlusion" in _one_line(
        cli("explain", model, rows, "--method", "shap")
    )
    assert "last convolution" in _one_line(cli("explain", model, rows, "--method", "gradcam"))
    assert "not found" in _one_line(cli("explain", model, tmp_path / "none.csv"))
    assert "does not exist" in _one_line(cli("explain", digits / "model", tmp_path / "no.png"))
    (tmp_path / "bad.png").write_text("not a picture")
    assert "not a picture" in _one_line(cli("explain", digits / "model", tmp_path / "bad.png"))
    assert "table model" in _one_line(cli("explain", digits / "model"))
    assert "not one of the model's classes" in _one_line(
        cli("explain", model, rows, "--target", "rose")
    )
    export_onnx(model, tmp_path / "m.onnx")
    assert "open the model folder" in _one_line(cli("explain", tmp_path / "m.onnx", rows)).lower()
    assert not list(tmp_path.glob("explanations*"))


def test_help_loads_neither_torch_nor_captum():
    code = (
        "import sys\nfrom neuroflow.cli.main import run_app\n"
        "assert run_app(['explain', '--help']) == 0\n"
        "assert 'torch' not in sys.modules and 'captum' not in sys.modules\nprint('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr
