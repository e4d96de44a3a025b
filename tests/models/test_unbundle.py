import re
import stat
import tempfile
import zipfile
from pathlib import Path

import pytest

import neuroflow as nf
from neuroflow.errors import ModelFileError
from neuroflow.models import unbundle
from neuroflow.models.store import read_config

ROWS = [[5.1, 3.3, 1.7, 0.5], [6.9, 3.1, 5.4, 2.1], [5.9, 2.8, 4.4, 1.3]]


def test_loading_a_bundle_leaves_no_temp_folder(bundled_iris):
    before = set(Path(tempfile.gettempdir()).glob("neuroflow-bundle-*"))
    loaded = nf.load(bundled_iris[2])
    assert (
        loaded.path is None and loaded.config["weights"] == read_config(bundled_iris[1])["weights"]
    )
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
    bundled_iris, tmp_path, extra, symlink, message
):
    path = _zip(tmp_path / "bad.zip", {**_members(bundled_iris[1]), **extra}, symlink)
    before = set(Path(tempfile.gettempdir()).glob("neuroflow-bundle-*"))
    for load in (nf.load, read_config):
        with pytest.raises(ModelFileError, match=message) as err:
            load(path)
        assert "\n" not in str(err.value)
    assert not (tmp_path.parent / "evil.txt").exists()
    assert set(Path(tempfile.gettempdir()).glob("neuroflow-bundle-*")) == before


def test_size_and_count_limits(bundled_iris, tmp_path, monkeypatch):
    members = _members(bundled_iris[1])
    monkeypatch.setattr(unbundle, "MAX_MEMBERS", 3)
    with pytest.raises(ModelFileError, match="more than a model folder"):
        nf.load(_zip(tmp_path / "many.zip", members))
    monkeypatch.setattr(unbundle, "MAX_MEMBERS", 64)
    monkeypatch.setattr(unbundle, "MAX_MEMBER_BYTES", 1000)
    with pytest.raises(ModelFileError, match="unpacks to"):
        nf.load(_zip(tmp_path / "big.zip", members))
    monkeypatch.setattr(unbundle, "MAX_MEMBER_BYTES", 1 << 30)
    monkeypatch.setattr(unbundle, "MAX_TOTAL_BYTES", 5000)
    with pytest.raises(ModelFileError, match="more than 5,000 bytes"):
        nf.load(_zip(tmp_path / "total.zip", members))


def test_a_zipped_folder_is_accepted(bundled_iris, tmp_path):
    members = {f"iris/{k}": v for k, v in _members(bundled_iris[1]).items()}
    loaded = nf.load(_zip(tmp_path / "zipped.zip", members))
    assert [p.label for p in nf.predict(loaded, ROWS)] == [
        p.label for p in nf.predict(bundled_iris[0], ROWS)
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


def test_damage_inside_a_bundle_names_the_bundle(bundled_iris, tmp_path):
    members = _members(bundled_iris[1])
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
