"""IDX files: the official MNIST loads fast and split as documented; every kind of bad file is
named; download checks md5 and never leaves a half-written file (the network is always replaced
here)."""

from __future__ import annotations

import gzip
import io
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from neuroflow.data import load_dataset
from neuroflow.data.download import MIRRORS, download
from neuroflow.data.pictures.idx import (
    FILES,
    file_md5,
    load_idx_dataset,
    read_idx,
    stratified_holdout,
)
from neuroflow.errors import DataError


def idx_bytes(arr: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    return header + arr.astype(np.uint8).tobytes()


def write_set(
    folder: Path,
    n_train: int = 10_100,
    n_test: int = 50,
    labels_train: int | None = None,
    gz: bool = False,
) -> Path:
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, 28, 28)),
        "train_labels": np.arange(labels_train or n_train) % 10,
        "test_images": rng.integers(0, 256, (n_test, 28, 28)),
        "test_labels": np.arange(n_test) % 10,
    }
    for key, arr in arrays.items():
        data = idx_bytes(arr)
        (folder / (FILES[key] + (".gz" if gz else ""))).write_bytes(
            gzip.compress(data, 1) if gz else data
        )
    return folder


@pytest.fixture(scope="module")
def mnist(request):
    shared = request.getfixturevalue("mnist_dir")
    return load_idx_dataset("mnist", data_dir=shared)


def test_mnist_loads_as_documented(mnist, mnist_dir):
    assert mnist.x_train.shape == (55_000, 28, 28, 1) and mnist.x_val.shape == (5_000, 28, 28, 1)
    assert mnist.x_test.shape == (10_000, 28, 28, 1)
    assert {mnist.x_train.dtype, mnist.x_val.dtype, mnist.x_test.dtype} == {np.dtype(np.uint8)}
    assert mnist.y_train.dtype == np.int64 and mnist.x_test.flags.writeable
    assert mnist.class_names == [str(d) for d in range(10)] and mnist.kind == "image"
    assert mnist.preprocessing == {
        "type": "image",
        "height": 28,
        "width": 28,
        "channels": 1,
        "scale": 1 / 255,
        "prepare": "digit",
    }
    assert mnist.source == {"name": "mnist", "data_dir": str(mnist_dir)}
    # The official test labels, in file order; validation is stratified: each digit's share is kept.
    assert mnist.y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    train_share = np.bincount(mnist.y_train) / len(mnist.y_train)
    assert np.abs(np.bincount(mnist.y_val) / 5_000 - train_share).max() < 0.002


def test_holdout_is_seeded_stratified_and_disjoint():
    y = np.repeat(np.arange(3), [50, 30, 20])
    rest, held = stratified_holdout(y, 10, seed=1)
    assert np.bincount(y[held]).tolist() == [5, 3, 2] and len(np.intersect1d(rest, held)) == 0
    assert len(rest) + len(held) == 100 and np.all(np.diff(held) > 0)
    assert np.array_equal(held, stratified_holdout(y, 10, seed=1)[1])
    assert not np.array_equal(held, stratified_holdout(y, 10, seed=2)[1])


def test_subfolder_named_after_the_dataset_is_found_and_registry_loads_it(tmp_path, mnist_dir):
    for f in mnist_dir.glob("*.gz"):
        (tmp_path / "mnist").mkdir(exist_ok=True)
        (tmp_path / "mnist" / f.name).symlink_to(f)
    ds = load_dataset("MNIST", data_dir=str(tmp_path), seed=3)
    assert ds.source["data_dir"] == str(tmp_path / "mnist") and len(ds.y_val) == 5_000


def test_environment_folder_is_searched(tmp_path, monkeypatch):
    write_set(tmp_path / "env" / "fashion-mnist")
    monkeypatch.setenv("NEUROFLOW_DATA", str(tmp_path / "env"))
    ds = load_idx_dataset("fashion-mnist")
    assert (
        ds.class_names[0] == "T-shirt/top"
        and ds.class_names[-1] == "Ankle boot"
        and len(ds.class_names) == 10
    )
    assert ds.x_train.shape == (5_100, 28, 28, 1) and ds.x_test.shape == (50, 28, 28, 1)
    assert ds.preprocessing["prepare"] == "resize" and ds.source["data_dir"] == str(
        tmp_path / "env" / "fashion-mnist"
    )


def test_image_size_resizes_every_split(tmp_path):
    ds = load_idx_dataset("mnist", data_dir=write_set(tmp_path), image_size=(14, 14))
    assert (
        ds.x_train.shape == (5_100, 14, 14, 1)
        and ds.x_val.shape == (5_000, 14, 14, 1)
        and ds.x_test.shape == (50, 14, 14, 1)
    )
    assert (
        ds.preprocessing["height"] == ds.preprocessing["width"] == 14
        and ds.preprocessing["prepare"] == "digit"
    )


def test_missing_files_say_where_to_put_them_and_what_to_run(tmp_path):
    with pytest.raises(DataError) as err:
        load_idx_dataset("mnist", data_dir=tmp_path)
    text = str(err.value)
    assert (
        "neuroflow data download mnist" in text and str(tmp_path) in text and "--data-dir" in text
    )


def test_a_folder_with_some_files_names_the_missing_ones(tmp_path):
    write_set(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DataError, match="only some.*t10k-labels-idx1-ubyte"):
        load_idx_dataset("mnist", data_dir=tmp_path)


def test_loose_mnist_files_are_not_taken_for_fashion_mnist(tmp_path, mnist_dir):
    for f in mnist_dir.glob("*.gz"):
        (tmp_path / f.name).symlink_to(f)
    assert load_idx_dataset("mnist", data_dir=tmp_path).source["data_dir"] == str(tmp_path)
    with pytest.raises(DataError, match="cannot find the fashion-mnist"):
        load_idx_dataset("fashion-mnist", data_dir=tmp_path)


@pytest.mark.parametrize(
    ("data", "ndim", "message"),
    [
        (
            idx_bytes(np.zeros((3, 28, 28))),
            1,
            "magic number 0x00000803; labels files have 0x00000801",
        ),
        (idx_bytes(np.zeros(5)), 3, "magic number 0x00000801; images files have 0x00000803"),
        (bytes([0, 0, 0x0D, 1, 0, 0, 0, 1]) + b"\0" * 4, 1, "type 0x0d, not unsigned bytes"),
        (idx_bytes(np.zeros((4, 28, 28)))[:-100], 3, "truncated: its header promises 3,136 bytes"),
        (idx_bytes(np.zeros((4, 28, 28)))[:10], 3, "truncated inside its header"),
        (idx_bytes(np.zeros(5)) + b"\0\0", 1, "2 bytes after the 5 labels"),
        (bytes([0, 0, 8, 1, 0, 0, 0, 0]), 1, "empty array"),
        (b"hello, world\n", 1, "not an IDX file"),
        (b"", 1, "not an IDX file"),
        (gzip.compress(idx_bytes(np.zeros(500)))[:30], 1, "damaged or truncated gzip"),
    ],
)
def test_bad_idx_files_are_named_with_the_problem(tmp_path, data, ndim, message):
    path = tmp_path / "file-idx-ubyte"
    path.write_bytes(data)
    with pytest.raises(DataError, match=message) as err:
        read_idx(path, ndim)
    assert str(path) in str(err.value) and "download" in str(err.value)


def test_read_idx_reads_gzip_and_plain_alike(tmp_path):
    arr = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    (tmp_path / "a").write_bytes(idx_bytes(arr))
    (tmp_path / "a.gz").write_bytes(gzip.compress(idx_bytes(arr)))
    assert np.array_equal(read_idx(tmp_path / "a", 3), arr) and np.array_equal(
        read_idx(tmp_path / "a.gz", 3), arr
    )


def test_image_and_label_counts_must_match(tmp_path):
    write_set(tmp_path, n_train=10_100, labels_train=10_099, gz=True)
    with pytest.raises(
        DataError, match="10,100 images but train-labels-idx1-ubyte.gz holds 10,099 labels"
    ):
        load_idx_dataset("mnist", data_dir=tmp_path)


def test_labels_out_of_range_and_too_few_images(tmp_path):
    folder = write_set(tmp_path / "a", n_train=200)
    with pytest.raises(DataError, match="only 200 training images"):
        load_idx_dataset("mnist", data_dir=folder)
    (folder / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(np.full(50, 12)))
    with pytest.raises(DataError, match="label 12"):
        load_idx_dataset("mnist", data_dir=folder)


def test_unknown_idx_dataset_name():
    with pytest.raises(DataError, match="mnist, fashion-mnist"):
        load_idx_dataset("cifar")


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def serve_from(folder: Path, corrupt_first_mirror: bool = False, log: list | None = None):
    def urlopen(url, timeout=None):
        if log is not None:
            log.append(url)
        data = (folder / url.rsplit("/", 1)[1]).read_bytes()
        if corrupt_first_mirror and url.startswith(MIRRORS["mnist"][0]):
            data = data[:1000]  # a cut-off transfer
        return FakeResponse(data)

    return urlopen


def test_download_checks_md5_and_skips_files_already_there(tmp_path, mnist_dir, monkeypatch):
    urls: list[str] = []
    monkeypatch.setattr(
        urllib.request, "urlopen", serve_from(mnist_dir, corrupt_first_mirror=True, log=urls)
    )
    folder = download("mnist", data_dir=tmp_path)
    assert folder == tmp_path / "mnist"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{s}.gz" for s in FILES.values())
    expected = dict(
        line.split()[::-1]
        for line in (mnist_dir / "MD5SUMS").read_text().splitlines()
        if line.strip()
    )
    assert {p.name: file_md5(p) for p in folder.iterdir()} == expected
    assert len(urls) == 8 and urls[1].startswith(
        MIRRORS["mnist"][1]
    )  # each first try was cut off, the mirror served
    monkeypatch.setattr(
        urllib.request,
        "urlopen",
        lambda *a, **k: pytest.fail("fetched a file that was already there"),
    )
    assert download("mnist", data_dir=tmp_path) == folder
    assert load_idx_dataset("mnist", data_dir=tmp_path).source["data_dir"] == str(folder)


def test_offline_download_is_one_clear_error_and_leaves_nothing(tmp_path, monkeypatch):
    def offline(url, timeout=None):
        raise urllib.error.URLError(OSError(101, "Network is unreachable"))

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DataError) as err:
        download("fashion-mnist", data_dir=tmp_path)
    text = str(err.value)
    assert "\n" not in text and "network unreachable" in text and "by hand" in text
    assert str(tmp_path / "fashion-mnist") in text and "t10k-labels-idx1-ubyte.gz" in text
    assert not (tmp_path / "fashion-mnist").exists()  # the folders it made are removed too


def test_wrong_bytes_from_every_mirror_fail_on_md5(tmp_path, monkeypatch):
    monkeypatch.setattr(
        urllib.request, "urlopen", lambda url, timeout=None: FakeResponse(b"<html>moved</html>")
    )
    with pytest.raises(
        DataError, match="md5 [0-9a-f]{32} instead of f68b3c2dcbeaaa9fbdd348bbdeb94873"
    ):
        download("mnist", data_dir=tmp_path)
    assert not (tmp_path / "mnist").exists()
