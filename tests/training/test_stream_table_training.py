"""A streamed CSV trains the weights the table held in memory trains, bit for bit, and a streamed
run stopped after an epoch resumes to the same weights."""

from __future__ import annotations

import pytest

import neuroflow as nf
from neuroflow.data import load_dataset
from tests.data.pictures.test_stream import _same_model_folder
from tests.data.tables.test_stream import CHUNK, regression_csv, survey_csv


@pytest.fixture(autouse=True)
def _small_parts(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROFLOW_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr("neuroflow.data.tables.scan.CHUNK_ROWS", CHUNK)


def _train(path, target, out, data_in):
    return nf.train(
        str(path), target=target, epochs=3, batch_size=16, seed=5, data_in=data_in, out=out,
        progress="quiet",
    )  # fmt: skip


@pytest.mark.parametrize(("make", "target"), [(survey_csv, "species"), (regression_csv, "price")])
def test_memory_and_stream_train_the_same_weights_bit_for_bit(tmp_path, make, target):
    path = make(tmp_path / "table.csv")
    memory = _train(path, target, tmp_path / "memory", "memory")
    stream = _train(path, target, tmp_path / "stream", "stream")
    _same_model_folder(tmp_path / "memory", tmp_path / "stream")
    assert memory.temperature == stream.temperature


def test_streamed_table_resumes_after_ctrl_c_with_the_same_weights(cli, tmp_path, monkeypatch):
    path = survey_csv(tmp_path / "survey.csv")
    args = ["train", path, "--target", "species", "--epochs", 3, "--batch-size", 16, "--seed", 2]
    args += ["--data-in", "stream", "--quiet", "--out"]
    assert cli(*args, tmp_path / "full").code == 0
    with monkeypatch.context() as env:
        env.setenv("NEUROFLOW_TEST_SIGNAL_AFTER_EPOCH", "INT:1")
        assert cli(*args, tmp_path / "stopped").code == 130
    assert not (tmp_path / "stopped" / "model.safetensors").exists()
    resumed = cli("train", "--resume", tmp_path / "stopped", "--data-in", "stream", "--quiet")
    assert resumed.code == 0, resumed.output
    _same_model_folder(tmp_path / "full", tmp_path / "stopped")


def test_streamed_table_stopped_mid_epoch_resumes_with_the_same_weights(cli, tmp_path, monkeypatch):
    """Ctrl-C in the middle of epoch 2, its rows being read ahead: the run resumes from epoch 1."""
    import json
    import os
    import signal

    from neuroflow.training.train_data import TrainData

    path = survey_csv(tmp_path / "survey.csv")
    args = ["train", path, "--target", "species", "--epochs", 3, "--batch-size", 16, "--seed", 4]
    args += ["--data-in", "stream", "--quiet", "--out"]
    assert cli(*args, tmp_path / "full").code == 0
    train_rows = len(load_dataset(str(path), target="species", data_in="memory", seed=4).y_train)
    per_epoch = -(-train_rows // 16)
    taken, calls = TrainData.batch, []

    def batch(self, idx, generators):
        calls.append(self.streamed)
        if len(calls) == per_epoch + 3:
            os.kill(os.getpid(), signal.SIGINT)
        return taken(self, idx, generators)

    with monkeypatch.context() as env:
        env.setattr(TrainData, "batch", batch)
        assert cli(*args, tmp_path / "stopped").code == 130
    assert all(calls)
    state = json.loads((tmp_path / "stopped" / "checkpoint" / "state.json").read_text())
    assert state["epoch"] == 1
    resumed = cli("train", "--resume", tmp_path / "stopped", "--data-in", "stream", "--quiet")
    assert resumed.code == 0, resumed.output
    _same_model_folder(tmp_path / "full", tmp_path / "stopped")
