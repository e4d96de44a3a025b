import time

import pytest

from neuroflow.errors import UsageError
from neuroflow.tuning.run import tune
from neuroflow.tuning.study import open_study, stand_down
from tests.tuning import TINY


def test_bad_storage_urls_get_one_line_without_the_password_or_an_empty_folder(iris, tmp_path):
    with pytest.raises(UsageError) as err:
        tune(
            iris,
            trials=1,
            space=TINY,
            storage="postgresql://ann:s3cret@localhost/studies",
            progress="quiet",
        )
    assert "s3cret" not in str(err.value) and "postgresql://ann:***@localhost/studies" in str(
        err.value
    )
    with pytest.raises(UsageError, match="not a database URL"):
        tune(iris, trials=1, space=TINY, storage="nodb://x", out=tmp_path / "run", progress="quiet")
    assert not (tmp_path / "run").exists()


@pytest.mark.filterwarnings("ignore")  # optuna's notes about its experimental heartbeat
def test_a_killed_workers_trial_is_failed_and_does_not_block(iris, tmp_path, monkeypatch):
    import neuroflow.tuning.study as tuning_study

    monkeypatch.setattr(tuning_study, "HEARTBEAT_S", 1)
    monkeypatch.setattr(tuning_study, "GRACE_S", 1)
    url = f"sqlite:///{tmp_path / 'study.db'}"
    signature = {
        "data": "iris",
        "target": "species",
        "model": "iris-mlp",
        "metric": "val_accuracy",
        "seed": 0,
    }
    rdb, study = open_study(url, "iris-mlp", "maximize", None, signature)
    orphan = study.ask()  # a worker that started a trial and was killed
    rdb.record_heartbeat(orphan._trial_id)
    time.sleep(2.5)
    # A study begun before folds were recorded was scored on the validation split: --folds 1
    # continues it.
    s = tune(iris, trials=2, space=TINY, storage=url, folds=1, progress="quiet").summary
    assert s["counts"] == {"complete": 2, "pruned": 0, "fail": 1, "running": 0, "waiting": 0}
    assert s["trials"][0]["state"] == "fail"


def test_a_worker_that_asked_in_the_same_instant_stands_down():
    import optuna

    from neuroflow.tuning.results import counts

    study = optuna.create_study(direction="maximize")
    first, second = study.ask(), study.ask()  # two workers each took one of the 2 places
    late = study.ask()  # a third counted before they had asked
    assert not stand_down(study, second, 2)
    assert stand_down(study, late, 2)
    assert (
        late.number == 2
        and study.trials[2].state.name == "FAIL"
        and study.trials[2].user_attrs["surplus"]
    )
    assert counts(study) == {"complete": 0, "pruned": 0, "fail": 0, "running": 2, "waiting": 0}
    study.tell(first, 1.0)
    assert counts(study)["complete"] == 1
