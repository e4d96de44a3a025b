import numpy as np
import pytest

import neuroflow as nf
from neuroflow.export.runtime import load_onnx, read_onnx_config
from neuroflow.export.to_onnx import export_onnx


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    ds = nf.load_dataset("iris")
    model = nf.train(ds, model="iris-mlp", epochs=5, progress="quiet")
    path = export_onnx(model, tmp_path_factory.mktemp("runtime") / "iris.onnx")
    return model, ds, path


def test_the_onnx_model_runs_itself_as_the_model_does(exported):
    model, ds, path = exported
    onnx = load_onnx(path)
    assert onnx.unknown_check is None and onnx.class_names == model.class_names
    assert np.allclose(onnx.logits(ds.x_test), model.logits(ds.x_test), atol=1e-5)
    assert np.allclose(onnx.probabilities(ds.x_test), model.probabilities(ds.x_test), atol=1e-6)


def test_the_config_travels_in_the_metadata(exported):
    model, _, path = exported
    config = read_onnx_config(path)
    assert config["spec"] == model.config["spec"] and config["format"] == "neuroflow-model"
