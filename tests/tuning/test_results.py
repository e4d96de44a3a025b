"""neuroflow.tuning.results: counting trials, picking the best one, and the tables written."""

import optuna
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState, create_trial

from neuroflow.tuning.results import METRICS, _csv, best_trial, counts, finished


def study_of(*trials) -> optuna.Study:
    study = optuna.create_study(direction="maximize")
    for value, state, attrs in trials:
        study.add_trial(
            create_trial(
                state=state,
                value=value if state == TrialState.COMPLETE else None,
                params={"lr": 0.01},
                distributions={"lr": FloatDistribution(1e-4, 1.0, log=True)},
                user_attrs=attrs,
            )
        )
    return study


def test_counts_leave_out_trials_a_worker_stood_down_from():
    study = study_of(
        (0.9, TrialState.COMPLETE, {}),
        (None, TrialState.PRUNED, {}),
        (None, TrialState.FAIL, {}),
        (None, TrialState.FAIL, {"surplus": True}),
    )
    assert counts(study) == {"complete": 1, "pruned": 1, "fail": 1, "running": 0, "waiting": 0}
    assert finished(study) == 2


def test_ties_in_accuracy_go_to_the_lower_validation_loss():
    study = study_of(
        (0.9, TrialState.COMPLETE, {"val_loss": 0.5}),
        (0.9, TrialState.COMPLETE, {"val_loss": 0.3}),
        (0.8, TrialState.COMPLETE, {"val_loss": 0.1}),
    )
    assert best_trial(study, "val_accuracy").number == 1
    assert best_trial(study, "val_loss").number == 2  # minimised: 0.8 is the lowest value
    assert best_trial(study_of(), "val_loss") is None and METRICS["val_mae"] == "minimize"


def test_rows_become_csv_with_a_header():
    assert _csv([{"trial": 0, "lr": 0.1}]) == "trial,lr\n0,0.1\n"
    assert _csv([]) == "trial\n"
