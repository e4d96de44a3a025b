import numpy as np
import pytest

import neuroflow as nf
from neuroflow.export.runtime import OnnxModel
from neuroflow.export.to_onnx import export_onnx
from neuroflow.models.bundle import make_bundle
from neuroflow.models.model import Model

ROWS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5]]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    root = tmp_path_factory.mktemp("predict")
    nf.train("iris", model="iris-mlp", epochs=20, progress="quiet", out=root / "iris")
    make_bundle(root / "iris", root / "iris.zip")
    export_onnx(root / "iris", root / "iris.onnx")
    return root


def test_load_opens_folder_bundle_and_onnx_each_answering_predict(saved):
    folder, bundle, onnx = (nf.load(saved / n) for n in ("iris", "iris.zip", "iris.onnx"))
    assert isinstance(folder, Model) and isinstance(bundle, Model) and isinstance(onnx, OnnxModel)
    answers = [nf.predict(m, ROWS) for m in (folder, bundle, onnx)]
    labels = [[r.label for r in a] for a in answers]
    assert labels[0] == labels[1] == labels[2] == ["setosa", "virginica", "versicolor"]
    probs = [np.array([list(r.probabilities.values()) for r in a]) for a in answers]
    assert np.array_equal(probs[0], probs[1])
    assert np.allclose(probs[0], probs[2], atol=1e-5)


def test_only_the_model_folder_carries_the_unknown_input_check(saved):
    (here,) = nf.predict(nf.load(saved / "iris"), ROWS[:1])
    (there,) = nf.predict(nf.load(saved / "iris.onnx"), ROWS[:1])
    assert here.score is not None and here.known
    assert there.score is None and there.known and "verdict" not in there.as_dict()


def test_a_row_far_from_the_training_data_is_unknown(saved):
    (far,) = nf.predict(nf.load(saved / "iris"), [[50, 50, 50, 50]])
    assert not far.known and far.as_dict()["prediction"] == "unknown"
