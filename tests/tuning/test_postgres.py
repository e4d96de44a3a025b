"""`neuroflow tune --storage postgresql://...` against a real PostgreSQL server (conftest.py starts
one).

Workers on several machines share a study through a database server; here three worker processes on
one machine stand in for them. Every trial is recorded once, and every worker's best model is the
one the study names. SQLite stays the default on one machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.tuning.conftest import PG_PASSWORD

TRIALS = 9


def _worker(url: str, out: Path, space: Path) -> subprocess.Popen:
    env = {**os.environ, "NEUROFLOW_THREADS": "1", "MPLBACKEND": "Agg"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO), env.get("PYTHONPATH", "")])
    args = ["tune", "iris", "--trials", TRIALS, "--storage", url, "--study", "shared"]
    # one fold: the best model then scores on the validation split what the study recorded for it
    args += ["--space", space, "--folds", 1, "--out", out, "--json", "-q"]
    return subprocess.Popen(
        [sys.executable, "-m", "neuroflow", *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_three_workers_share_one_postgres_study_and_agree_on_the_best_model(
    postgres_url, tmp_path, iris
):
    import optuna

    import neuroflow as nf
    from neuroflow.training.batches import ArrayData
    from neuroflow.training.metrics import validation_logs
    from neuroflow.tuning.results import best_trial
    from neuroflow.tuning.study import with_driver

    space = tmp_path / "space.yaml"
    space.write_text("epochs: {low: 2, high: 6}\n")
    outs = [tmp_path / f"worker{i}" for i in range(3)]
    procs = [_worker(postgres_url, out, space) for out in outs]
    results = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [r[1] for r in results]
    summaries = [json.loads(r[0]) for r in results]
    assert all(PG_PASSWORD not in r[0] + r[1] for r in results)
    assert all(s["storage"].startswith("postgresql://neuroflow:***@127.0.0.1:") for s in summaries)

    # Every trial ran in exactly one worker and is recorded once, finished, with its values.
    study = optuna.load_study(study_name="shared", storage=with_driver(postgres_url))
    recorded = [t for t in study.trials if not t.user_attrs.get("surplus")]
    ran = [set(s["ran_here"]) for s in summaries]
    assert sum(map(len, ran)) == len(set().union(*ran)), "a trial ran in two workers"
    assert set().union(*ran) == {t.number for t in recorded}, "a trial was lost or not recorded"
    assert len(recorded) == TRIALS
    assert all(t.state.name in ("COMPLETE", "PRUNED") for t in recorded)

    # Each worker's best model is the study's best trial, and scores what the study recorded for it.
    best = best_trial(study, "val_accuracy")
    val = ArrayData(iris.x_val, iris.y_val, None)
    for summary, out in zip(summaries, outs, strict=True):
        assert summary["best"]["trial"] == best.number
        folder = Path(summary["files"]["best_model"])
        assert folder.parent == out
        model = nf.load(folder)
        assert model.config["tuning"]["best_trial"] == best.number
        assert PG_PASSWORD not in (folder / "config.json").read_text()
        assert PG_PASSWORD not in (folder / "README.md").read_text()
        logs = validation_logs(model.network, val, True, 1.0)
        assert logs["val_accuracy"] == pytest.approx(best.value, abs=1e-6)


@pytest.mark.slow  # the server starts, and a refused connection is tried again a few times
def test_a_postgres_url_that_cannot_connect_is_one_line_without_the_password(
    postgres_url, tmp_path, cli
):
    wrong = postgres_url.replace(PG_PASSWORD, "not-the-pw")
    res = cli("tune", "iris", "--trials", 1, "--storage", wrong, "--out", tmp_path / "o", "-q")
    assert res.code == 2
    assert "not-the-pw" not in res.output and PG_PASSWORD not in res.output
    assert len(res.err.strip().splitlines()) == 1
    assert res.err.startswith("error: cannot open the study database postgresql://neuroflow:***@")
    assert not (tmp_path / "o").exists()
