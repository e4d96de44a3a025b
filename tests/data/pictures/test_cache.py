"""The decoded cache of an image folder: written once and reused, decoded again when the folder
changes, unreadable pictures skipped with a count (or refused with --strict), and a full disk leaves
no half-written cache; each said in one line."""

from __future__ import annotations

import errno

import numpy as np
import pytest
from PIL import Image

from neuroflow.data import load_dataset
from neuroflow.data.pictures.cache import cache_path, decoded_folder
from neuroflow.data.pictures.folders import class_folders
from neuroflow.errors import DataError
from tests.data.pictures.test_folders import make_folder


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROFLOW_CACHE", str(tmp_path / "cache"))


def _load(root, **kw):
    notes = []
    ds = load_dataset(str(root), data_in="stream", note=notes.append, **kw)
    return ds, notes


def _damage(root):
    """A truncated PNG and a file that is no picture at all."""
    good = (root / "cat" / "3.png").read_bytes()
    (root / "cat" / "3.png").write_bytes(good[: len(good) // 2])
    (root / "dog" / "bad.png").write_text("not a picture")


def test_cache_is_written_once_and_read_by_the_next_run(tmp_path):
    root = make_folder(tmp_path / "pets", n=10)
    first, notes = _load(root)
    assert notes[1].startswith("20 pictures decoded into ")
    path = cache_path(root, None, None)
    assert sorted(p.name for p in path.iterdir()) == ["labels.i64", "meta.json", "pixels.u8"]
    assert (path / "pixels.u8").stat().st_size == 20 * 16 * 20 * 1  # grey pictures: one channel
    second, notes = _load(root)
    assert notes[1].startswith(f"20 pictures read from {path}")
    assert np.array_equal(np.asarray(first.x_train), np.asarray(second.x_train))
    # another image size is another cache
    _, notes = _load(root, image_size=(8, 8))
    assert "decoded into" in notes[1] and cache_path(root, (8, 8), None).exists()


def test_a_changed_folder_is_decoded_again(tmp_path):
    root = make_folder(tmp_path / "pets", n=10)
    _load(root)
    Image.fromarray(np.full((16, 20), 200, np.uint8)).save(root / "dog" / "new.png")
    ds, notes = _load(root)
    assert notes[1].startswith(
        f"{root} changed since its decoded cache was made (20 pictures then, 21 now)"
    )
    assert "decoded into" in notes[2] and len(ds.y_train) + len(ds.y_val) + len(ds.y_test) == 21
    # a picture replaced by another of the same name counts as a change too
    Image.fromarray(np.zeros((16, 20), np.uint8)).save(root / "dog" / "new.png")
    _, notes = _load(root)
    assert "changed since" in notes[1]


def test_unreadable_pictures_are_skipped_with_a_count_and_names(tmp_path):
    root = make_folder(tmp_path / "pets", n=10)
    _damage(root)
    ds, notes = _load(root)
    assert len(ds.y_train) + len(ds.y_val) + len(ds.y_test) == 19
    assert notes[2] == (
        f"Skipped 2 of 21 pictures in {root} that cannot be read (cat/3.png, dog/bad.png); "
        "--strict refuses such a folder instead"
    )
    _, notes = _load(root)  # said again when the cache is read
    assert notes[2].startswith("Skipped 2 of 21 pictures")


def test_strict_refuses_a_folder_with_unreadable_pictures(tmp_path):
    root = make_folder(tmp_path / "pets", n=10)
    _damage(root)
    with pytest.raises(DataError, match="bad.png is not a picture .* leave out --strict"):
        _load(root, strict=True)
    with pytest.raises(DataError, match="cat/3.png .* truncated"):
        _load(root, strict=True, image_size=(8, 8))  # no header pass: the decoding finds it
    assert not cache_path(root, None, None).exists()
    _load(root)  # cached with the two skipped: --strict still refuses
    with pytest.raises(DataError, match="2 pictures in .* cannot be read, e.g. cat/3.png"):
        _load(root, strict=True)


def test_a_full_disk_leaves_no_half_written_cache(tmp_path, monkeypatch):
    root = make_folder(tmp_path / "pets", n=10)
    calls = []

    def write(file, data):
        calls.append(1)
        if len(calls) > 1:  # the first rows are written, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return file.write(data)

    monkeypatch.setattr("neuroflow.data.pictures.decode._write", write)
    with pytest.raises(DataError, match="the disk holding .* is full") as err:
        _load(root)
    assert "nothing half-written is left" in str(err.value) and "\n" not in str(err.value)
    decoded = tmp_path / "cache" / "decoded"
    left = [p.name for p in decoded.iterdir() if not p.name.endswith(".lock")]
    assert left == []  # neither the cache nor its temp folder
    monkeypatch.undo()
    monkeypatch.setenv("NEUROFLOW_CACHE", str(tmp_path / "cache"))
    _, notes = _load(root)
    assert "decoded into" in notes[1]


def test_workers_decode_as_the_main_process_does(tmp_path):
    root = make_folder(tmp_path / "pets", n=10, colour=True)
    classes = class_folders(root)
    a = decoded_folder(root, classes, (9, 7), None, workers=0)
    b = np.asarray(decoded_folder(root, classes, (9, 7), None, workers=2).pixels)
    assert a.pixels.shape == (20, 9, 7, 3) and np.array_equal(np.asarray(a.pixels), b)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data-in", "disk"], "--data-in 'disk' is not understood"),
        (["--strict", "--data-in", "stream"], "bad.png is not a picture neuroflow can read"),
    ],
)
def test_cli_bad_reading_options_say_one_line_and_exit_2(cli, tmp_path, args, message):
    root = make_folder(tmp_path / "pets", n=10)
    _damage(root)
    res = cli("train", root, "--epochs", 1, "--out", tmp_path / "m", *args)
    assert res.code == 2 and message in res.err, res.output
    assert len(res.err.strip().splitlines()) == 1 and "Traceback" not in res.output
    assert not (tmp_path / "m").exists()


def test_cli_stream_for_builtin_data_exits_2(cli, tmp_path):
    res = cli("train", "iris", "--data-in", "stream", "--out", tmp_path / "m")
    assert res.code == 2 and "reads image folders and CSV tables from disk, and iris" in res.err


def test_processes_sharing_a_cache_decode_it_once(tmp_path):
    """The ranks of a multi-process run start together: one decodes, the others read its cache."""
    from concurrent.futures import ThreadPoolExecutor

    root = make_folder(tmp_path / "pets", n=10)
    classes = class_folders(root)
    with ThreadPoolExecutor(3) as pool:
        runs = list(
            pool.map(lambda _: decoded_folder(root, classes, None, None, workers=0), range(3))
        )
    assert sorted(r.built for r in runs) == [False, False, True]
    assert all(np.array_equal(np.asarray(r.pixels), np.asarray(runs[0].pixels)) for r in runs)


def test_in_memory_skips_unreadable_pictures_as_streaming_does(tmp_path):
    root = make_folder(tmp_path / "pets", n=10)
    _damage(root)
    notes = []
    memory = load_dataset(str(root), data_in="memory", note=notes.append)
    streamed, _ = _load(root)
    assert isinstance(memory.x_train, np.ndarray) and notes[1].startswith(
        "Skipped 2 of 21 pictures"
    )
    assert np.array_equal(memory.x_train, np.asarray(streamed.x_train))
    assert np.array_equal(memory.y_test, streamed.y_test)
    with pytest.raises(DataError, match="bad.png is not a picture"):
        load_dataset(str(root), data_in="memory", strict=True)


def test_other_errors_of_a_folder_held_in_memory_are_its_own(tmp_path):
    root = make_folder(tmp_path / "pets", n=2)  # too few pictures to split
    with pytest.raises(DataError, match="cannot split 4 rows"):
        load_dataset(str(root), data_in="memory")
