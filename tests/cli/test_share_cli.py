import json
import pickle
import shutil
import subprocess
import sys
import zipfile

import pytest

ROWS = (
    "sepal_length,sepal_width,petal_length,petal_width,species\n"
    "5.1,3.3,1.7,0.5,setosa\n6.9,3.1,5.4,2.1,virginica\n"
)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """A trained iris folder, its bundle and its ONNX export, made through the command line."""
    from neuroflow.cli.main import run_app

    root = tmp_path_factory.mktemp("share")
    assert (
        run_app(
            [
                "train",
                "iris",
                "--epochs",
                "30",
                "--out",
                str(root / "iris"),
                "--quiet",
                "--license",
                "mit",
            ]
        )
        == 0
    )
    assert run_app(["bundle", str(root / "iris"), "--out", str(root / "iris.zip")]) == 0
    assert run_app(["export", str(root / "iris"), "--format", "onnx"]) == 0
    (root / "rows.csv").write_text(ROWS)
    return root


def test_export_bundle_and_info_report_what_they_wrote(cli, shared, tmp_path):
    res = cli("export", shared / "iris.zip", "--out", tmp_path / "m.onnx")
    assert res.code == 0 and f"wrote {tmp_path / 'm.onnx'}" in res.out
    assert "input  features: float32 (batch, 4)" in res.out and "logits, probabilities" in res.out
    res = cli("bundle", shared / "iris", "--out", tmp_path / "b.zip")
    assert res.code == 0 and "b.zip" in res.out and zipfile.is_zipfile(tmp_path / "b.zip")


def test_predict_accepts_folder_zip_and_onnx_alike(cli, shared):
    outputs = [
        cli("predict", shared / name, shared / "rows.csv", "--format", "json")
        for name in ("iris", "iris.zip", "iris.onnx")
    ]
    assert all(o.code == 0 for o in outputs), [o.err for o in outputs]
    folder, zipped, exported = (json.loads(o.out) for o in outputs)
    assert folder == zipped
    assert (
        [r["prediction"] for r in exported]
        == [r["prediction"] for r in folder]
        == ["setosa", "virginica"]
    )
    assert all(
        abs(a["probability"] - b["probability"]) < 1e-5
        for a, b in zip(exported, folder, strict=True)
    )
    assert (
        "✓ row 2: Prediction is 'virginica'"
        in cli("predict", shared / "iris.onnx", shared / "rows.csv").out
    )


def test_evaluate_accepts_a_bundle(cli, shared, tmp_path):
    res = cli("evaluate", shared / "iris.zip", "--json")
    assert res.code == 0, res.err
    assert json.loads(res.out)["accuracy"] >= 0.8
    res = cli("evaluate", shared / "iris.zip", "--out", tmp_path / "figures")
    assert res.code == 0 and (tmp_path / "figures" / "confusion_matrix.png").exists()


def test_info_prints_card_essentials_and_summary(cli, shared):
    for name in ("iris", "iris.zip", "iris.onnx"):
        res = cli("info", shared / name)
        assert res.code == 0, res.err
        assert "tells setosa, versicolor and virginica apart" in res.out
        assert "license        mit" in res.out and "sha256" in res.out
        assert "dense_1 (Dense)  (None, 10)" in res.out and "Total params: 193" in res.out
    config = json.loads(cli("info", shared / "iris.zip", "--json").out)
    assert config["summary"][0] == {
        "name": "dense_1",
        "type": "Dense",
        "output_shape": [10],
        "params": 50,
    }


def test_info_does_not_import_torch(shared):
    for name in ("iris", "iris.zip"):
        code = (
            "import sys; from neuroflow.cli.main import run_app; "
            f"run_app(['info', {str(shared / name)!r}]); print('torch' in sys.modules)"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
        assert "Total params: 193" in out and out.strip().endswith("False"), out


def test_train_from_a_bundle_records_the_parent(cli, shared, tmp_path):
    res = cli(
        "train",
        "iris",
        "--from",
        shared / "iris.zip",
        "--freeze",
        "all-but-head",
        "--epochs",
        "3",
        "--seed",
        "1",
        "--out",
        tmp_path / "tuned",
        "--quiet",
    )
    assert res.code == 0, res.err
    config = json.loads((tmp_path / "tuned" / "config.json").read_text())
    parent = json.loads((shared / "iris" / "config.json").read_text())
    assert config["lineage"]["parent"]["sha256"] == parent["weights"]["sha256"]
    assert config["lineage"]["parent"]["name"] == parent["name"]
    assert config["training"]["frozen_parameters"] == 50 + 110
    card = (tmp_path / "tuned" / "README.md").read_text()
    assert (
        f"base_model: {parent['name']}" in card
        and "## Fine-tuned from" in card
        and parent["weights"]["sha256"] in card
    )


def _copy(shared, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(shared / "iris", dst)
    return dst


def _tampered(shared, tmp_path):
    dst = _copy(shared, tmp_path)
    data = bytearray((dst / "model.safetensors").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (dst / "model.safetensors").write_bytes(bytes(data))
    return dst, "do not match their recorded sha256"


def _truncated(shared, tmp_path):
    dst = _copy(shared, tmp_path)
    data = (dst / "model.safetensors").read_bytes()
    (dst / "model.safetensors").write_bytes(data[: len(data) // 2])
    return dst, "is truncated"


def _renamed_pickle(shared, tmp_path):
    path = tmp_path / "model.safetensors"
    path.write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    return path, "it is a Python pickle"


def _pt_file(shared, tmp_path):
    path = tmp_path / "model.pt"
    path.write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    return path, ".pt files are pickles"


def _zip_slip(shared, tmp_path):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(shared / "iris.zip") as src, zipfile.ZipFile(path, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("../../escaped.txt", b"gotcha")
    return path, "would be written outside"


def _future_version(shared, tmp_path):
    dst = _copy(shared, tmp_path)
    config = json.loads((dst / "config.json").read_text())
    config["format_version"] = 2
    (dst / "config.json").write_text(json.dumps(config))
    return dst, "uses model format version 2, newer than this neuroflow reads (1)"


def _renamed_onnx(shared, tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    return path, "it is a Python pickle"


@pytest.mark.parametrize(
    "make",
    [_tampered, _truncated, _renamed_pickle, _pt_file, _zip_slip, _future_version, _renamed_onnx],
)
@pytest.mark.parametrize("command", ["predict", "evaluate", "export", "info"])
def test_unsafe_or_damaged_models_are_refused_in_one_line(cli, shared, tmp_path, make, command):
    path, message = make(shared, tmp_path)
    args = {
        "predict": [path, shared / "rows.csv"],
        "evaluate": [path],
        "export": [path, "--out", tmp_path / "x.onnx"],
        "info": [path],
    }[command]
    res = cli(command, *args)
    if command == "info" and make in (_tampered, _truncated):
        assert res.code == 0  # info reads config.json only; the weights are checked when loaded
        return
    assert res.code == 2, res.output
    assert message in res.err and res.err.startswith("error: ")
    assert len(res.err.strip().splitlines()) == 1 and "Traceback" not in res.output
    assert not (tmp_path.parent / "escaped.txt").exists() and not (tmp_path / "x.onnx").exists()


def test_unknown_export_format_exits_2(cli, shared):
    res = cli("export", shared / "iris", "--format", "tflite")
    assert res.code == 2 and "--format 'tflite' is not known" in res.err
