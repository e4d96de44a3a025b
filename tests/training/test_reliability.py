"""Crashes, interrupts and full disks: training loses no work and leaves nothing half-written."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from safetensors.torch import load_file

from tests.tables import survey_table

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def big_table(tmp_path_factory):
    path = tmp_path_factory.mktemp("rel") / "survey.csv"
    survey_table(8000, seed=2).to_csv(path, index=False)
    return path


def _start(args, cwd):
    return subprocess.Popen(
        [sys.executable, "-m", "neuroflow", *map(str, args)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_epoch(run_dir, epoch, proc, timeout=120):
    state = run_dir / "checkpoint" / "state.json"
    deadline = time.time() + timeout
    while time.time() < deadline:
        if state.exists():
            try:
                if json.loads(state.read_text())["epoch"] >= epoch:
                    return
            except (json.JSONDecodeError, KeyError):
                pass
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("training did not reach the epoch in time")


def _train_args(table, out, epochs=8):
    return [
        "train",
        table,
        "--target",
        "species",
        "--epochs",
        epochs,
        "--batch-size",
        64,
        "--seed",
        5,
        "--out",
        out,
        "--quiet",
    ]


def test_sigkill_then_resume_equals_uninterrupted_run(big_table, tmp_path):
    full = subprocess.run(
        [sys.executable, "-m", "neuroflow", *map(str, _train_args(big_table, tmp_path / "full"))],
        capture_output=True,
        text=True,
    )
    assert full.returncode == 0, full.stderr
    proc = _start(_train_args(big_table, tmp_path / "killed"), tmp_path)
    _wait_for_epoch(tmp_path / "killed", 3, proc)
    time.sleep(0.1)  # mid-epoch
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "killed" / "config.json").exists()
    resumed = subprocess.run(
        [
            sys.executable,
            "-m",
            "neuroflow",
            "train",
            "--resume",
            str(tmp_path / "killed"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    a = load_file(str(tmp_path / "full" / "model.safetensors"))
    b = load_file(str(tmp_path / "killed" / "model.safetensors"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    ha = json.loads((tmp_path / "full" / "history.json").read_text())
    hb = json.loads((tmp_path / "killed" / "history.json").read_text())
    assert [h["loss"] for h in ha] == [h["loss"] for h in hb]
    assert not (tmp_path / "killed" / "checkpoint").exists()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_saves_last_epoch_and_says_how_to_resume(big_table, tmp_path, sig):
    out = tmp_path / "run"
    proc = _start(_train_args(big_table, out, epochs=200), tmp_path)
    _wait_for_epoch(out, 2, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "neuroflow train --resume" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert json.loads((out / "checkpoint" / "state.json").read_text())["epoch"] >= 2


def test_disk_full_while_saving_keeps_old_model_intact(cli, tmp_path, monkeypatch):
    import errno

    import safetensors.torch

    out = tmp_path / "m"
    assert cli("train", "iris", "--epochs", "2", "--out", out, "--quiet").code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safetensors.torch, "save_file", full)
    res = cli("train", "iris", "--epochs", "2", "--seed", "9", "--out", out, "--quiet")
    assert res.code == 2 and "No space left on device" in res.err and "Traceback" not in res.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "checkpoint"} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_permission_denied_while_saving(cli, tmp_path, monkeypatch):
    import errno

    from neuroflow import files

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "m"))

    monkeypatch.setattr(files.tempfile, "mkdtemp", denied)
    res = cli("train", "iris", "--epochs", "1", "--out", tmp_path / "m", "--quiet")
    assert res.code == 2 and "Permission denied" in res.err
    assert not (tmp_path / "m").exists() or not any((tmp_path / "m").iterdir())


def test_same_seed_same_weights_with_augmentation_free_shuffling(tmp_path, cli):
    for name in ("a", "b"):
        assert (
            cli(
                "train", "iris", "--epochs", "3", "--seed", "4", "--out", tmp_path / name, "--quiet"
            ).code
            == 0
        )
    assert (tmp_path / "a" / "model.safetensors").read_bytes() == (
        tmp_path / "b" / "model.safetensors"
    ).read_bytes()


if os.name != "posix":  # pragma: no cover
    pytest.skip("signals are POSIX", allow_module_level=True)
