"""neuroflow.config: where files are looked for, seeds and threads."""

from pathlib import Path

import numpy as np

from neuroflow.config import cache_dir, data_dirs, env_threads, seed_everything, usable_cores


def test_data_folders_are_searched_flag_then_environment_then_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("NEUROFLOW_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("NEUROFLOW_DATA", str(tmp_path / "env"))
    assert cache_dir() == tmp_path / "cache"
    assert data_dirs(tmp_path / "flag") == [
        tmp_path / "flag",
        tmp_path / "env",
        tmp_path / "cache" / "datasets",
    ]
    monkeypatch.delenv("NEUROFLOW_CACHE")
    monkeypatch.delenv("NEUROFLOW_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data_dirs() == [Path(tmp_path / "xdg" / "neuroflow" / "datasets")]


def test_threads_come_from_the_environment_only_when_a_positive_whole_number(monkeypatch):
    for value, threads in (("3", 3), ("0", None), ("two", None), ("-1", None)):
        monkeypatch.setenv("NEUROFLOW_THREADS", value)
        assert env_threads() == threads
    assert usable_cores() >= 1


def test_the_same_seed_gives_the_same_numbers():
    import torch

    seed_everything(7)
    first = (np.random.rand(), torch.rand(1).item())
    seed_everything(7)
    assert (np.random.rand(), torch.rand(1).item()) == first
