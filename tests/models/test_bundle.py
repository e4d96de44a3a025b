import hashlib
import json
import pickle
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

import neuroflow as nf
from neuroflow.errors import ModelFileError, UsageError
from neuroflow.models import unbundle as bundle_module
from neuroflow.models.bundle import make_bundle
from neuroflow.models.store import read_config

ROWS = [[5.1, 3.3, 1.7, 0.5], [6.9, 3.1, 5.4, 2.1], [5.9, 2.8, 4.4, 1.3]]


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bundle") / "iris"
    model = nf.train("iris", model="iris-mlp", epochs=5, progress="quiet", out=folder)
    (folder / "checkpoint").mkdir(exist_ok=True)
    (folder / "checkpoint" / "state.json").write_text("{}")
    (folder / ".hidden").write_text("x")
    return model, folder, make_bundle(folder)


def _probabilities_in_fresh_process(path) -> np.ndarray:
    code = (
        f"import json, neuroflow as nf; m = nf.load({str(path)!r}); print(json.dumps("
        f"[list(p.probabilities.values()) for p in nf.predict(m, {ROWS!r})]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return np.array(json.loads(out))


def test_bundle_holds_the_folder_files_only(iris):
    _, folder, path = iris
    assert path == folder.parent / "iris.zip"
    names = set(zipfile.ZipFile(path).namelist())
    assert {
        "config.json",
        "model.safetensors",
        "README.md",
        "history.json",
        "loss_curve.png",
    } <= names
    assert not any(n.startswith(("checkpoint", ".")) for n in names)


def test_same_folder_gives_the_same_bytes(iris, tmp_path):
    _, folder, path = iris
    again = make_bundle(folder, tmp_path / "again.zip")
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest()


@pytest.mark.slow  # two fresh processes importing torch
def test_zip_and_folder_give_bit_identical_predictions_in_a_fresh_process(iris):
    model, folder, path = iris
    here = np.array([list(p.probabilities.values()) for p in nf.predict(model, ROWS)])
    assert np.array_equal(_probabilities_in_fresh_process(folder), here)
    assert np.array_equal(_probabilities_in_fresh_process(path), here)


def test_loading_a_bundle_leaves_no_temp_folder(iris):
    before = set(Path(tempfile.gettempdir()).glob("neuroflow-bundle-*"))
    loaded = nf.load(iris[2])
    assert loaded.path is None and loaded.config["weights"] == read_config(iris[1])["weights"]
    assert set(Path(tempfile.gettempdir()).glob("neuroflow-bundle-*")) == before


def _zip(path, members: dict, symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return path


def _members(folder) -> dict:
    return {
        p.name: p.read_bytes()
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".")
    }


@pytest.mark.parametrize(
    ("extra", "symlink", "message"),
    [
        ({"../evil.txt": b"x"}, None, "would be written outside"),
        ({"sub/../../evil.txt": b"x"}, None, "would be written outside"),
        ({"/etc/evil": b"x"}, None, "absolute or Windows path"),
        ({"..\\evil.txt": b"x"}, None, "absolute or Windows path"),
        ({"C:/evil.txt": b"x"}, None, "absolute or Windows path"),
        ({}, "link.json", "symbolic link"),
    ],
)
def test_unsafe_entries_are_refused_before_anything_is_written(
    iris, tmp_path, extra, symlink, message
):
    path = _zip(tmp_path / "bad.zip", {**_members(iris[1]), **extra}, symlink)
    before = set(Path(tempfile.gettempdir()).glob("neuroflow-bundle-*"))
    for load in (nf.load, read_config):
        with pytest.raises(ModelFileError, match=message) as err:
            load(path)
        assert "\n" not in str(err.value)
    assert not (tmp_path.parent / "evil.txt").exists()
    assert set(Path(tempfile.gettempdir()).glob("neuroflow-bundle-*")) == before


def test_size_and_count_limits(iris, tmp_path, monkeypatch):
    members = _members(iris[1])
    monkeypatch.setattr(bundle_module, "MAX_MEMBERS", 3)
    with pytest.raises(ModelFileError, match="more than a model folder"):
        nf.load(_zip(tmp_path / "many.zip", members))
    monkeypatch.setattr(bundle_module, "MAX_MEMBERS", 64)
    monkeypatch.setattr(bundle_module, "MAX_MEMBER_BYTES", 1000)
    with pytest.raises(ModelFileError, match="unpacks to"):
        nf.load(_zip(tmp_path / "big.zip", members))
    monkeypatch.setattr(bundle_module, "MAX_MEMBER_BYTES", 1 << 30)
    monkeypatch.setattr(bundle_module, "MAX_TOTAL_BYTES", 5000)
    with pytest.raises(ModelFileError, match="more than 5,000 bytes"):
        nf.load(_zip(tmp_path / "total.zip", members))


def test_a_zipped_folder_is_accepted(iris, tmp_path):
    members = {f"iris/{k}": v for k, v in _members(iris[1]).items()}
    loaded = nf.load(_zip(tmp_path / "zipped.zip", members))
    assert [p.label for p in nf.predict(loaded, ROWS)] == [
        p.label for p in nf.predict(iris[0], ROWS)
    ]


def test_torch_save_file_named_zip_is_refused_as_a_pickle(tmp_path):
    import torch

    path = tmp_path / "model.zip"
    torch.save({"w": torch.zeros(2)}, path)
    with pytest.raises(ModelFileError, match="torch.save file holding .*data.pkl, a pickle"):
        nf.load(path)


def test_zip_without_config_is_not_a_bundle(tmp_path):
    with pytest.raises(ModelFileError, match="holds no config.json"):
        nf.load(_zip(tmp_path / "x.zip", {"notes.txt": b"hi"}))


@pytest.mark.parametrize("name", ["model", "model.onnx.txt", "weights.safetensors"])
def test_renamed_pickle_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ModelFileError, match="it is a Python pickle"):
        nf.load(path)


def test_pickle_in_place_of_the_weights_is_refused(iris, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(iris[1], dst)
    (dst / "model.safetensors").write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ModelFileError, match="pickle under a safetensors name"):
        nf.load(dst)


@pytest.mark.parametrize("keep", [4, 40, -10])
def test_truncated_weights_get_one_clear_line(iris, tmp_path, keep):
    dst = tmp_path / "copy"
    shutil.copytree(iris[1], dst)
    data = (dst / "model.safetensors").read_bytes()
    (dst / "model.safetensors").write_bytes(data[:keep])
    with pytest.raises(ModelFileError, match="is truncated") as err:
        nf.load(dst)
    assert "copy the model folder again" in str(err.value)


def test_bundling_a_bundle_or_into_its_own_folder_is_refused(iris):
    with pytest.raises(UsageError, match="already a bundle"):
        make_bundle(iris[2])
    with pytest.raises(UsageError, match="cannot go inside the folder"):
        make_bundle(iris[1], iris[1] / "inside.zip")


def test_bundle_refuses_a_folder_whose_weights_were_changed(iris, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(iris[1], dst)
    data = bytearray((dst / "model.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (dst / "model.safetensors").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="do not match their recorded sha256"):
        make_bundle(dst, tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def test_damage_inside_a_bundle_names_the_bundle(iris, tmp_path):
    members = _members(iris[1])
    data = bytearray(members["model.safetensors"])
    data[-1] ^= 0xFF
    path = _zip(tmp_path / "damaged.zip", {**members, "model.safetensors": bytes(data)})
    with pytest.raises(
        ModelFileError,
        match=f"the weights in {re.escape(str(path))}/model.safetensors do not match",
    ):
        nf.load(path)
    del members["model.safetensors"]
    path = _zip(tmp_path / "empty.zip", members)
    with pytest.raises(ModelFileError, match=f"{re.escape(str(path))} has no model.safetensors"):
        nf.load(path)
