import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import neuroflow as nf
from neuroflow.errors import ModelFileError, UsageError


@pytest.fixture(scope="module")
def iris_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "iris"
    model = nf.train("iris", model="iris-mlp", epochs=5, seed=0, progress="quiet")
    model.save(path)
    return model, path


def test_folder_has_the_contract_files(iris_model):
    _, path = iris_model
    assert {p.name for p in path.iterdir()} >= {
        "config.json",
        "model.safetensors",
        "README.md",
        "history.json",
        "loss_curve.png",
    }
    config = json.loads((path / "config.json").read_text())
    assert config["format"] == "neuroflow-model" and config["format_version"] == 1
    assert config["class_names"] == ["setosa", "versicolor", "virginica"]
    assert len(config["weights"]["sha256"]) == 64
    assert config["preprocessing"]["columns"][0]["name"] == "sepal_length"
    assert not list(path.parent.glob(".*tmp"))


def test_every_file_of_the_folder_has_the_same_permissions(iris_model):
    _, path = iris_model  # safetensors writes its files 0600; others could read all but the weights
    modes = {p.name: p.stat().st_mode & 0o777 for p in path.iterdir()}
    assert len(set(modes.values())) == 1, modes


def test_reload_in_fresh_process_gives_identical_predictions(iris_model, tmp_path):
    model, path = iris_model
    rows = [[5.1, 3.3, 1.7, 0.5], [6.9, 3.1, 5.4, 2.1]]
    here = np.array([list(p.probabilities.values()) for p in nf.predict(model, rows)])
    code = (
        f"import json, neuroflow as nf; m = nf.load({str(path)!r}); print(json.dumps("
        f"[list(p.probabilities.values()) for p in nf.predict(m, {rows!r})]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert np.array_equal(np.array(json.loads(out)), here)


def _copy(path, tmp_path):
    import shutil

    dst = tmp_path / "copy"
    shutil.copytree(path, dst)
    return dst


def test_tampered_weights_are_refused(iris_model, tmp_path):
    dst = _copy(iris_model[1], tmp_path)
    data = bytearray((dst / "model.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (dst / "model.safetensors").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="do not match their recorded sha256"):
        nf.load(dst)


def test_future_format_version_is_refused(iris_model, tmp_path):
    dst = _copy(iris_model[1], tmp_path)
    config = json.loads((dst / "config.json").read_text())
    config["format_version"] = 99
    (dst / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match="newer than this neuroflow reads"):
        nf.load(dst)


def test_missing_weights_file(iris_model, tmp_path):
    dst = _copy(iris_model[1], tmp_path)
    (dst / "model.safetensors").unlink()
    with pytest.raises(ModelFileError, match="has no model.safetensors"):
        nf.load(dst)


def test_weights_with_wrong_shapes(iris_model, tmp_path):
    import torch
    from safetensors.torch import save_file

    from neuroflow.models.safety import sha256

    dst = _copy(iris_model[1], tmp_path)
    tensors = {k: v for k, v in nf.load(dst).network.state_dict().items()}
    tensors["layers.0.0.weight"] = torch.zeros(11, 4)
    save_file({k: v.contiguous() for k, v in tensors.items()}, str(dst / "model.safetensors"))
    config = json.loads((dst / "config.json").read_text())
    config["weights"]["sha256"] = sha256(dst / "model.safetensors")
    (dst / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match="shape"):
        nf.load(dst)


@pytest.mark.parametrize("name", ["model.pt", "weights.pkl", "learner.pth"])
def test_pickles_are_refused(tmp_path, name):
    import pickle

    path = tmp_path / name
    path.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ModelFileError, match="pickle"):
        nf.load(path)


def test_not_a_model_folder(tmp_path):
    with pytest.raises(ModelFileError, match="no config.json"):
        nf.load(tmp_path)


def test_save_creates_the_parent_folders_and_names_no_flags(tmp_path, monkeypatch):
    """The README's tour saves to models/iris in a fresh folder: parents are made, as
    train(out=...) makes them; a file in the way is named without command-line flags."""
    import neuroflow as nf

    monkeypatch.chdir(tmp_path)
    model = nf.train("iris", epochs=1, progress="quiet")
    assert model.save("models/iris") == Path("models/iris")
    assert (tmp_path / "models" / "iris" / "config.json").is_file()
    (tmp_path / "taken").write_text("keep me")
    with pytest.raises(UsageError) as err:
        model.save("taken/iris")
    assert "taken is a file" in str(err.value) and "--" not in str(err.value)
