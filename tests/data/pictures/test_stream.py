"""Streaming an image folder from its decoded cache: the same data, split and weights as in memory,
a one-line choice between the two, resume after Ctrl-C, and each process reading only its shard."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

import neuroflow as nf
from neuroflow.data import load_dataset
from neuroflow.data.pictures.augment import add_inverted
from neuroflow.data.pictures.folders import class_folders
from neuroflow.data.pictures.stream import choose_data_in
from neuroflow.data.stream_rows import StreamRows
from neuroflow.errors import UsageError
from tests.data.pictures.test_folders import make_folder

SPEC = {
    "layers": [
        "Conv2D(4, 3, padding='same', activation='relu')",
        "MaxPool2D(2)",
        "Flatten()",
        "Dense(8, activation='relu')",
        "Dropout(0.3)",
        "Dense(units='auto', activation='auto')",
    ],
    "outlier_exposure": 0.5,
}
TIMES = {"time_s", "train_time_s"}


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROFLOW_CACHE", str(tmp_path / "cache"))


@pytest.mark.parametrize("colour", [False, True])
def test_streamed_folder_is_the_in_memory_dataset(tmp_path, colour):
    root = make_folder(tmp_path / "pets", n=12, colour=colour)
    notes = []
    memory = load_dataset(str(root), data_in="memory", seed=3)
    stream = load_dataset(str(root), data_in="stream", seed=3, note=notes.append)
    assert isinstance(stream.x_train, StreamRows)
    for split in ("train", "val", "test"):
        (xm, ym), (xs, ys) = memory.split(split), stream.split(split)
        assert xs.shape == xm.shape and np.array_equal(np.asarray(xs), xm)
        assert np.array_equal(ys, ym)
    assert stream.preprocessing == memory.preprocessing and stream.source == memory.source
    assert stream.describe() == memory.describe() and stream.class_names == memory.class_names
    assert notes[0] == "Streaming pets from disk (--data-in stream)"
    assert notes[1].startswith("24 pictures decoded into ")


def test_rows_index_like_the_array_and_invert_like_add_inverted(tmp_path):
    root = make_folder(tmp_path / "pets", n=6, colour=True)
    x = np.asarray(load_dataset(str(root), data_in="memory").x_train)
    rows = load_dataset(str(root), data_in="stream").x_train
    idx = np.array([5, 0, 3, 3])
    assert np.array_equal(rows.take(idx), x[idx]) and np.array_equal(rows[2], x[2])
    assert np.array_equal(np.asarray(rows[1:4]), x[1:4])
    inverted, _ = add_inverted(x, np.zeros(len(x)))
    assert np.array_equal(np.asarray(rows.with_inverted()), inverted)
    assert np.array_equal(add_inverted(rows, np.zeros(len(x)))[0], inverted)  # --augment-test


def test_choice_says_which_and_why_in_one_line(tmp_path):
    root = make_folder(tmp_path / "pets", n=10)
    classes = class_folders(root)
    # 20 pictures of 16×20, counted as colour until decoded: 19,200 bytes
    where, line = choose_data_in(root, classes, None, None, ram=10**6)
    assert where == "memory" and "\n" not in line
    assert line.startswith(
        "Holding pets in memory: the 20 decoded pictures of pets take about 19.2 KB"
    )
    where, line = choose_data_in(root, classes, None, None, ram=50_000)
    assert where == "stream" and "more than 25% of this machine's 50.0 KB of RAM" in line
    assert "--data-in memory" in line


def test_auto_choice_streams_a_folder_too_big_for_the_share(tmp_path, monkeypatch):
    root = make_folder(tmp_path / "pets", n=10)
    monkeypatch.setattr("neuroflow.data.memory.ram_bytes", lambda: 20_000)
    notes = []
    ds = load_dataset(str(root), note=notes.append)
    assert isinstance(ds.x_train, StreamRows) and notes[0].startswith("Streaming pets from disk:")


def test_data_in_refuses_other_values_and_non_folders(tmp_path):
    root = make_folder(tmp_path / "pets", n=10)
    with pytest.raises(UsageError, match="--data-in 'disk' is not understood"):
        load_dataset(str(root), data_in="disk")
    with pytest.raises(UsageError, match="reads image folders and CSV tables from disk, and iris"):
        load_dataset("iris", data_in="stream")


def _train(root, out, data_in, **kw):
    return nf.train(
        str(root), SPEC, epochs=2, batch_size=8, seed=5, augment="invert,rotate=10",
        data_in=data_in, out=out, progress="quiet", **kw,
    )  # fmt: skip


def _same_model_folder(a, b):
    wa, wb = load_file(str(a / "model.safetensors")), load_file(str(b / "model.safetensors"))
    assert wa.keys() == wb.keys() and all(torch.equal(wa[k], wb[k]) for k in wa)
    ca, cb = (json.loads((p / "config.json").read_text()) for p in (a, b))
    for c in (ca, cb):
        c["training"] = {k: v for k, v in c["training"].items() if not k.endswith("_s")}
        c.pop("checksum", None), c.pop("created", None)
    assert ca == cb
    ha, hb = (json.loads((p / "history.json").read_text()) for p in (a, b))
    strip = lambda h: [{k: v for k, v in e.items() if k not in TIMES} for e in h]  # noqa: E731
    assert strip(ha) == strip(hb)


@pytest.mark.slow
def test_memory_and_stream_train_the_same_weights_bit_for_bit(tmp_path):
    root = make_folder(tmp_path / "pets", n=16, colour=True)
    memory = _train(root, tmp_path / "memory", "memory")
    stream = _train(root, tmp_path / "stream", "stream")
    _same_model_folder(tmp_path / "memory", tmp_path / "stream")
    assert (
        memory.temperature == stream.temperature
    )  # calibration and the unknown-input check read rows too
    assert nf.evaluate(memory, load_dataset(str(root), data_in="stream"))[
        "accuracy"
    ] == pytest.approx(nf.evaluate(memory, load_dataset(str(root), data_in="memory"))["accuracy"])


def _resume_args(tmp_path):
    root = make_folder(tmp_path / "pets", n=16)
    (tmp_path / "spec.json").write_text(json.dumps(SPEC))
    args = ["train", root, "--model", tmp_path / "spec.json", "--epochs", 3, "--batch-size", 8]
    return args + ["--seed", 2, "--augment", "invert", "--data-in", "stream", "--quiet", "--out"]


@pytest.mark.slow
def test_streamed_run_resumes_after_ctrl_c_with_the_same_weights(cli, tmp_path, monkeypatch):
    args = _resume_args(tmp_path)
    assert cli(*args, tmp_path / "full").code == 0
    with monkeypatch.context() as env:
        env.setenv("NEUROFLOW_TEST_SIGNAL_AFTER_EPOCH", "INT:1")
        assert cli(*args, tmp_path / "stopped").code == 130
    assert not (tmp_path / "stopped" / "model.safetensors").exists()
    resumed = cli("train", "--resume", tmp_path / "stopped", "--data-in", "stream", "--quiet")
    assert resumed.code == 0, resumed.output
    _same_model_folder(tmp_path / "full", tmp_path / "stopped")


@pytest.mark.slow
def test_streamed_run_killed_mid_run_resumes_with_the_same_weights(cli, tmp_path):
    """SIGKILL (no clean-up at all) once epoch 1's checkpoint is on disk, its reader process with
    it."""
    import signal
    import subprocess
    import sys

    from tests.training.test_resume import _env

    args = _resume_args(tmp_path)
    assert cli(*args, tmp_path / "full").code == 0
    killed = subprocess.run(
        [sys.executable, "-m", "neuroflow", *map(str, args), str(tmp_path / "killed")],
        env={**_env("KILL:1"), "NEUROFLOW_CACHE": str(tmp_path / "cache")},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert json.loads((tmp_path / "killed" / "checkpoint" / "state.json").read_text())["epoch"] == 1
    resumed = cli("train", "--resume", tmp_path / "killed", "--data-in", "stream", "--quiet")
    assert resumed.code == 0, resumed.output
    _same_model_folder(tmp_path / "full", tmp_path / "killed")


def test_each_process_reads_only_its_shard(tmp_path, monkeypatch):
    """A multi-process strategy's `shard` decides which rows a process streams."""
    from neuroflow.models.recipes import resolve_model
    from neuroflow.training import TrainSettings
    from neuroflow.training.strategies import SplitBatch
    from neuroflow.training.train_data import TrainData
    from neuroflow.training.trainer import Trainer

    class SecondOfTwo(SplitBatch):
        rank, world_size = 1, 2

        def shard(self, permutation):
            return permutation[self.rank :: self.world_size]

    root = make_folder(tmp_path / "pets", n=16)
    ds = load_dataset(str(root), data_in="stream")
    memory = load_dataset(str(root), data_in="memory")
    read, shards = [], []
    taken = TrainData.batch

    def batch(self, idx, generators):
        xb, yb, extra = taken(self, idx, generators)
        read.append((idx.clone(), xb))
        return xb, yb, extra

    reading = TrainData.reading

    def recording(self, batches):
        shards.append(torch.cat(list(batches)))
        return reading(self, batches)

    monkeypatch.setattr(TrainData, "batch", batch)
    monkeypatch.setattr(TrainData, "reading", recording)
    spec = resolve_model({"layers": SPEC["layers"]}, "image", "pets")
    Trainer(ds, spec, TrainSettings(epochs=2, batch_size=4, seed=1),
            strategy=SecondOfTwo(1), progress="quiet").fit()  # fmt: skip
    n = len(ds.y_train)
    assert [len(s) for s in shards] == [n // 2, n // 2]
    assert torch.equal(torch.cat([i for i, _ in read]), torch.cat(shards))
    scale = 1 / 255
    for idx, xb in read:  # each batch holds the in-memory pixels of its rows
        want = torch.from_numpy(memory.x_train[idx.numpy()]).permute(0, 3, 1, 2).float() * scale
        assert torch.equal(xb, want)
