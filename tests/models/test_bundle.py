import hashlib
import json
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import neuroflow as nf
from neuroflow.errors import ModelFileError, UsageError
from neuroflow.models.bundle import make_bundle

ROWS = [[5.1, 3.3, 1.7, 0.5], [6.9, 3.1, 5.4, 2.1], [5.9, 2.8, 4.4, 1.3]]


def _probabilities_in_fresh_process(path) -> np.ndarray:
    code = (
        f"import json, neuroflow as nf; m = nf.load({str(path)!r}); print(json.dumps("
        f"[list(p.probabilities.values()) for p in nf.predict(m, {ROWS!r})]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return np.array(json.loads(out))


def test_bundle_holds_the_folder_files_only(bundled_iris):
    _, folder, path = bundled_iris
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


def test_same_folder_gives_the_same_bytes(bundled_iris, tmp_path):
    _, folder, path = bundled_iris
    again = make_bundle(folder, tmp_path / "again.zip")
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest()


@pytest.mark.slow  # two fresh processes importing torch
def test_zip_and_folder_give_bit_identical_predictions_in_a_fresh_process(bundled_iris):
    model, folder, path = bundled_iris
    here = np.array([list(p.probabilities.values()) for p in nf.predict(model, ROWS)])
    assert np.array_equal(_probabilities_in_fresh_process(folder), here)
    assert np.array_equal(_probabilities_in_fresh_process(path), here)


def test_bundling_a_bundle_or_into_its_own_folder_is_refused(bundled_iris):
    with pytest.raises(UsageError, match="already a bundle"):
        make_bundle(bundled_iris[2])
    with pytest.raises(UsageError, match="cannot go inside the folder"):
        make_bundle(bundled_iris[1], bundled_iris[1] / "inside.zip")


def test_bundle_refuses_a_folder_whose_weights_were_changed(bundled_iris, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(bundled_iris[1], dst)
    data = bytearray((dst / "model.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (dst / "model.safetensors").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="do not match their recorded sha256"):
        make_bundle(dst, tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()
