"""`neuroflow export --format web` and `bundle --web`: the folder's files, model.json, and the bad
inputs refused in one line with exit status 2. The page itself runs in test_web_page.py."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import onnxruntime as ort
import pytest
import torch

import neuroflow as nf
from neuroflow.errors import UsageError
from neuroflow.export.web import PAGE_FILES, RUNTIME_FILES, export_web, web_config
from tests.bars import TINY_CNN, bars_dataset

EXPECTED = {*PAGE_FILES, *RUNTIME_FILES, "LICENSE-onnxruntime", "model.onnx", "model.json"}


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("web-export")
    nf.train("iris", "iris-mlp", epochs=5, progress="quiet", out=root / "iris")
    (root / "houses.csv").write_text(
        "rooms,price\n" + "".join(f"{i % 5 + 1},{100 + 7.5 * i}\n" for i in range(20))
    )
    nf.train(str(root / "houses.csv"), target="price", epochs=1, progress="quiet", out=root / "reg")
    return root


def test_the_folder_holds_the_page_the_graph_and_what_the_page_needs_to_judge(models, cli):
    out = models / "iris-page"
    result = cli("export", models / "iris", "--format", "web", "--out", out)
    assert result.code == 0, result.output
    assert f"wrote {out}/" in result.out and "MiB" in result.out
    assert {p.name for p in out.iterdir()} == EXPECTED
    web = json.loads((out / "model.json").read_text())
    model = nf.load(models / "iris")
    assert (web["task"], web["target"]) == ("classification", None)
    assert web["class_names"] == model.class_names == ["setosa", "versicolor", "virginica"]
    assert web["preprocessing"] == model.preprocessing
    assert web["temperature"] == pytest.approx(model.temperature)
    check = web["unknown"]
    assert (check["method"], check["space"]) == ("mahalanobis", "inputs")
    assert check["threshold"] == pytest.approx(model.unknown_check["threshold"])
    assert np.allclose(check["means"], model.detector["means"])
    assert np.allclose(check["precision"], model.detector["precision"])
    assert "ort.wasm.min.js" in (out / "index.html").read_text()


def test_an_existing_out_is_refused_unless_forced(models, cli):
    out = models / "taken"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = cli("export", models / "iris", "--format", "web", "--out", out)
    assert result.code == 2 and result.out == ""
    assert len(result.err.strip().splitlines()) == 1 and "--force" in result.err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]  # untouched
    assert cli("export", models / "iris", "--format", "web", "--out", out, "--force").code == 0
    assert {p.name for p in out.iterdir()} == EXPECTED  # replaced whole


@pytest.mark.slow  # trains a published network (random weights, 32×32 crops) for one epoch
def test_a_model_trained_from_a_pretrained_network_gets_its_page_and_its_crop(tmp_path):
    from tests.images import photos_folder
    from tests.models.test_pretrained import measured_weight_file

    file = measured_weight_file(tmp_path)
    folder = photos_folder(tmp_path / "photos")
    model = nf.train(
        folder, base="mobilenet_v3_small", weights=file, epochs=1, image_size=32,
        progress="quiet", post_fit=False,
    )  # fmt: skip
    out = export_web(model, tmp_path / "page")
    assert {p.name for p in out.iterdir()} == EXPECTED
    web = json.loads((out / "model.json").read_text())
    prep = web["preprocessing"]
    # what the page needs: the shorter side resized to 37 (32 × 256/224), the 32×32 centre cut out
    assert (prep["prepare"], prep["resize"], prep["height"], prep["width"]) == ("crop", 37, 32, 32)
    # uint8 pixels in, as for every picture model: the ImageNet mean and spread are in the graph
    assert web["input"] == {"name": "pixels", "dtype": "uint8", "shape": [32, 32, 3]}
    assert prep["mean"] == pytest.approx([0.485, 0.456, 0.406])


def test_a_regression_model_gets_its_page_and_model_json_names_its_target(models, cli):
    out = models / "reg-page"
    result = cli("export", models / "reg", "--format", "web", "--out", out)
    assert result.code == 0, result.output
    assert {p.name for p in out.iterdir()} == EXPECTED
    web = json.loads((out / "model.json").read_text())
    assert (web["task"], web["target"], web["class_names"]) == ("regression", "price", None)
    assert web["unknown"] == {}  # neuroflow fits the check for classifiers only
    # the graph answers in the target's units, as Model.values does
    model = nf.load(models / "reg")
    rows = np.asarray([[-1.0], [0.0], [2.5]], np.float32)
    graph = ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    (answer,) = graph.run(["prediction"], {"features": rows})
    assert np.allclose(answer[:, 0], model.values(rows), rtol=1e-5)
    assert cli("bundle", models / "reg", "--out", models / "reg.zip", "--web").code == 0
    names = zipfile.ZipFile(models / "reg.zip").namelist()
    assert {n.removeprefix("web/") for n in names if n.startswith("web/")} == EXPECTED


def test_a_regression_model_is_never_judged_by_the_page_as_predict_never_judges_it(models):
    model = nf.load(models / "reg")
    model.config["ood"] = {"method": "energy", "space": "features", "threshold": 1.0}  # by hand
    assert nf.predict(model, [[3]])[0].score is None
    assert web_config(model)["unknown"] == {}


def test_web_needs_an_out_folder(models, cli):
    result = cli("export", models / "iris", "--format", "web")
    assert result.code == 2 and "--out" in result.err


def test_a_layer_onnx_cannot_carry_is_refused_and_nothing_is_left(tmp_path):
    class Spectrum(torch.nn.Module):  # a Fourier transform: the ONNX exporter has no operation
        def forward(self, x):
            return torch.fft.rfft(x, dim=-1).abs()

    ds = bars_dataset(30)
    model = nf.train(ds, model=TINY_CNN, epochs=1, progress="quiet", post_fit=False)
    model.network.layers[-2] = torch.nn.Sequential(Spectrum(), model.network.layers[-2])
    with pytest.raises(UsageError, match="layer ONNX cannot carry") as err:
        export_web(model, tmp_path / "page")
    assert "\n" not in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_bundle_web_adds_the_page_and_the_bundle_still_loads(models, cli):
    out = models / "iris-web.zip"
    assert cli("bundle", models / "iris", "--out", out, "--web").code == 0
    names = zipfile.ZipFile(out).namelist()
    assert {n.removeprefix("web/") for n in names if n.startswith("web/")} == EXPECTED
    assert "config.json" in names
    rows = [[5.1, 3.3, 1.7, 0.5]]
    assert (
        nf.predict(nf.load(out), rows)[0].label
        == nf.predict(nf.load(models / "iris"), rows)[0].label
    )


@pytest.mark.slow
def test_a_picture_preparation_the_page_does_not_do_is_refused(tmp_path):
    model = nf.train("digits", epochs=1, progress="quiet", post_fit=False)  # scikit-learn's 8×8
    assert model.preprocessing["prepare"] == "digit-counts"
    with pytest.raises(UsageError, match="cannot prepare pictures as 'digit-counts'"):
        export_web(model, tmp_path / "page")
    assert not (tmp_path / "page").exists()
