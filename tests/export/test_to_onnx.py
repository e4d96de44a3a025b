import json
import subprocess
import sys

import numpy as np
import pytest

import neuroflow as nf
from neuroflow.errors import ModelFileError, UsageError
from neuroflow.export.runtime import load_onnx, metadata
from neuroflow.export.to_onnx import export_onnx
from neuroflow.models.logits import softmax
from tests.bars import TINY_CNN, bars_dataset


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export") / "iris"
    ds = nf.load_dataset("iris")
    model = nf.train(ds, model="iris-mlp", epochs=10, progress="quiet", out=folder)
    return model, ds, folder


@pytest.fixture(scope="module")
def cnn(tmp_path_factory):
    ds = bars_dataset(90)
    model = nf.train(ds, model=TINY_CNN, epochs=2, progress="quiet", post_fit=False)
    model.config["calibration"] = {
        "temperature": 0.7
    }  # a temperature other than 1 must reach the graph
    path = export_onnx(model, tmp_path_factory.mktemp("export") / "bars.onnx")
    return model, ds, path


def test_iris_onnx_matches_pytorch_within_1e4(iris, tmp_path):
    model, ds, folder = iris
    path = export_onnx(folder)
    assert path == folder.parent / "iris.onnx"
    onnx_model = load_onnx(path)
    x = np.concatenate([ds.x_train, ds.x_test])
    logits = model.logits(x)
    out = onnx_model.run(x)
    assert np.abs(out["logits"] - logits).max() <= 1e-4
    assert np.abs(out["probabilities"] - softmax(logits, model.temperature)).max() <= 1e-4
    one = onnx_model.run(x[:1])  # the batch dimension is free
    assert one["logits"].shape == (1, 3) and np.abs(one["logits"] - logits[:1]).max() <= 1e-4


def test_cnn_takes_raw_uint8_pixels_and_matches_pytorch(cnn):
    model, ds, path = cnn
    onnx_model = load_onnx(path)
    graph_input = onnx_model.session.get_inputs()[0]
    assert graph_input.name == "pixels" and graph_input.type == "tensor(uint8)"
    assert graph_input.shape[1:] == [28, 28, 1] and not isinstance(graph_input.shape[0], int)
    x = np.concatenate([ds.x_train, ds.x_test])
    logits = model.logits(x)
    out = onnx_model.run(x)
    assert np.abs(out["logits"] - logits).max() <= 1e-4
    assert np.abs(out["probabilities"] - softmax(logits, 0.7)).max() <= 1e-4
    results = nf.predict(onnx_model, ds.x_test)
    assert [r.label for r in results] == [
        ds.class_names[i] for i in logits[len(ds.x_train) :].argmax(1)
    ]


def test_metadata_carries_config_class_names_and_preprocessing(iris):
    model, _, folder = iris
    meta = metadata(export_onnx(folder))
    assert meta["neuroflow_config"] == json.loads((folder / "config.json").read_text())
    assert meta["class_names"] == ["setosa", "versicolor", "virginica"]
    assert meta["preprocessing"]["columns"][2]["mean"] == pytest.approx(
        model.preprocessing["columns"][2]["mean"]
    )
    assert meta["neuroflow_input"]["name"] == "features" and meta["neuroflow_input"]["shape"] == [
        None,
        4,
    ]
    assert meta["neuroflow_format_version"] == 1


def test_onnx_predict_gives_the_folder_predictions_for_raw_rows(iris):
    model, _, folder = iris
    rows = [[5.1, 3.3, 1.7, 0.5], [6.9, 3.1, 5.4, 2.1], [5.9, 2.8, 4.4, 1.3]]
    here = nf.predict(model, rows)
    there = nf.predict(load_onnx(export_onnx(folder)), rows)
    assert [r.label for r in there] == [r.label for r in here]
    assert np.allclose(
        [list(r.probabilities.values()) for r in there],
        [list(r.probabilities.values()) for r in here],
        atol=1e-5,
    )


def test_regression_export_gives_values_in_target_units(tmp_path):
    import pandas as pd

    from neuroflow.data.tables.prepare import table_dataset

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=80), "colour": rng.choice(["red", "blue"], 80)})
    df["y"] = 100 + 20 * df["a"] + (df["colour"] == "red") * 5
    ds = table_dataset(
        df, "y", name="toy", task="regression", seed=0, fractions=(0.2, 0.2), source={"name": "toy"}
    )
    model = nf.train(ds, model="table-mlp", epochs=3, progress="quiet")
    path = export_onnx(model, tmp_path / "toy.onnx")
    rows = df.drop(columns="y").head(5)
    expected = [r.label for r in nf.predict(model, rows)]
    got = [r.label for r in nf.predict(load_onnx(path), rows)]
    assert np.allclose(got, expected, atol=1e-3)
    assert load_onnx(path).output_names == ["prediction"]


def test_plain_onnx_without_neuroflow_metadata_is_refused(tmp_path):
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    path = tmp_path / "other.onnx"
    onnx.save(helper.make_model(graph), path)
    with pytest.raises(ModelFileError, match="not exported by neuroflow"):
        load_onnx(path)
    (tmp_path / "junk.onnx").write_bytes(b"not a protobuf at all")
    with pytest.raises(ModelFileError, match="not a readable ONNX file"):
        load_onnx(tmp_path / "junk.onnx")


def test_out_must_end_in_onnx(iris, tmp_path):
    with pytest.raises(UsageError, match="should end in .onnx"):
        export_onnx(iris[0], tmp_path / "model.bin")
    assert not list(tmp_path.iterdir())


def test_onnx_predict_does_not_import_torch(iris, tmp_path):
    path = export_onnx(iris[2], tmp_path / "iris.onnx")
    rows = tmp_path / "rows.csv"
    rows.write_text("sepal_length,sepal_width,petal_length,petal_width\n5.1,3.3,1.7,0.5\n")
    code = (
        "import sys; from neuroflow.cli.main import run_app; "
        f"run_app(['predict', {str(path)!r}, {str(rows)!r}]); print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert "Prediction is 'setosa'" in out and out.strip().endswith("False"), out


def test_pictures_through_onnx_match_the_folder(cnn, tmp_path, cli):
    pytest.importorskip("neuroflow.data.pictures.images")
    from PIL import Image

    model, ds, path = cnn
    folder = tmp_path / "bars"
    model.save(folder)
    for i, pixels in enumerate(ds.x_test[:6]):
        Image.fromarray(pixels[:, :, 0]).save(tmp_path / f"p{i}.png")
    pictures = sorted(tmp_path.glob("p*.png"))
    here = nf.predict(nf.load(folder), pictures)
    there = nf.predict(load_onnx(path), pictures)
    assert (
        [r.label for r in there]
        == [r.label for r in here]
        == [ds.class_names[y] for y in model.logits(ds.x_test[:6]).argmax(1)]
    )
    assert np.allclose(
        [list(r.probabilities.values()) for r in there],
        [list(r.probabilities.values()) for r in here],
        atol=1e-5,
    )
    res = cli("predict", path, *pictures, "--format", "json")
    assert res.code == 0 and [r["prediction"] for r in json.loads(res.out)] == [
        r.label for r in here
    ]
