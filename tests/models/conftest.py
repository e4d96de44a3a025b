"""A trained iris model folder and its bundle, shared by the tests of the model folder's modules."""

import pytest

import neuroflow as nf
from neuroflow.models.bundle import make_bundle


@pytest.fixture(scope="module")
def bundled_iris(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bundle") / "iris"
    model = nf.train("iris", model="iris-mlp", epochs=5, progress="quiet", out=folder)
    (folder / "checkpoint").mkdir(exist_ok=True)
    (folder / "checkpoint" / "state.json").write_text("{}")
    (folder / ".hidden").write_text("x")
    return model, folder, make_bundle(folder)
