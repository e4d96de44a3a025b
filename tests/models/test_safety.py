import pickle
import shutil

import pytest

import neuroflow as nf
from neuroflow.errors import ModelFileError
from neuroflow.models.safety import looks_like_pickle, sha256


@pytest.mark.parametrize("name", ["model", "model.onnx.txt", "weights.safetensors"])
def test_renamed_pickle_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ModelFileError, match="it is a Python pickle"):
        nf.load(path)


def test_pickle_in_place_of_the_weights_is_refused(bundled_iris, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(bundled_iris[1], dst)
    (dst / "model.safetensors").write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ModelFileError, match="pickle under a safetensors name"):
        nf.load(dst)


@pytest.mark.parametrize("keep", [4, 40, -10])
def test_truncated_weights_get_one_clear_line(bundled_iris, tmp_path, keep):
    dst = tmp_path / "copy"
    shutil.copytree(bundled_iris[1], dst)
    data = (dst / "model.safetensors").read_bytes()
    (dst / "model.safetensors").write_bytes(data[:keep])
    with pytest.raises(ModelFileError, match="is truncated") as err:
        nf.load(dst)
    assert "copy the model folder again" in str(err.value)


def test_pickle_heads_are_recognised():
    assert looks_like_pickle(pickle.dumps({"a": 1}, protocol=2)[:4])
    assert looks_like_pickle(b"PK\x03\x04")  # torch.save writes a zip holding data.pkl
    assert not looks_like_pickle(b"\x08\x00\x00\x00")  # a safetensors header length


def test_sha256_of_a_file(tmp_path):
    (tmp_path / "x").write_bytes(b"abc")
    assert sha256(tmp_path / "x") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
