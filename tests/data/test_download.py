"""neuroflow.data.download: files arrive only when their md5 matches, a second run downloads
nothing, and a bad mirror leaves no half-written file."""

from __future__ import annotations

import urllib.request

import pytest

from neuroflow.data import download as dl
from neuroflow.data.pictures.idx import FILES, MD5, file_md5
from neuroflow.errors import DataError


def test_files_from_a_mirror_are_checked_and_kept(tmp_path, mnist_dir, monkeypatch):
    monkeypatch.setattr(dl, "MIRRORS", {"mnist": [mnist_dir.as_uri() + "/"]})
    folder = dl.download("mnist", tmp_path)
    assert folder == tmp_path / "mnist"
    for stem in FILES.values():
        assert file_md5(folder / f"{stem}.gz") == MD5["mnist"][f"{stem}.gz"]

    def no_network(url, timeout=None):
        raise AssertionError(f"downloaded {url} again")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    assert dl.download("mnist", tmp_path) == folder


def test_a_file_with_the_wrong_md5_is_refused_and_removed(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for stem in FILES.values():
        (mirror / f"{stem}.gz").write_bytes(b"not the real file")
    monkeypatch.setattr(dl, "MIRRORS", {"mnist": [mirror.as_uri() + "/"]})
    with pytest.raises(DataError, match="md5 .* instead of") as err:
        dl.download("mnist", tmp_path / "data")
    assert "copy" in str(err.value) and "by hand" in str(err.value)
    assert not (tmp_path / "data").exists()  # no empty mnist/ (nor data/) left behind
