"""Scoring trials of small tables by k-fold cross-validation (tuning/folds.py and its use in
tune)."""

import dataclasses
import json

import numpy as np
import pytest

import neuroflow as nf
from neuroflow.errors import UsageError
from neuroflow.tuning.folds import choose_folds, fold_datasets, fold_score, merged
from neuroflow.tuning.run import tune
from tests.bars import bars_dataset
from tests.tuning import TINY


def test_small_tables_get_five_folds_large_ones_and_images_the_split(iris):
    assert choose_folds(iris, None) == 5
    big = dataclasses.replace(
        iris, x_train=np.repeat(iris.x_train, 30, 0), y_train=np.repeat(iris.y_train, 30)
    )
    assert choose_folds(big, None) == 1
    assert choose_folds(bars_dataset(60), None) == 1
    assert choose_folds(iris, 1) == 1 and choose_folds(iris, 3) == 3


@pytest.mark.parametrize(
    ("folds", "words"),
    [
        (0, "--folds must be a whole number of at least 1, not 0"),
        (True, "--folds must be a whole number of at least 1, not True"),
        (
            41,
            "--folds 41 needs at least 41 rows of every class in train + validation, and one class "
            "has 40",
        ),
    ],
)
def test_bad_folds_are_named(iris, folds, words):
    with pytest.raises(UsageError, match=words.replace("+", r"\+")):
        choose_folds(iris, folds)


def test_folds_cover_train_and_validation_once_stratified_and_leave_test_alone(iris):
    parts = fold_datasets(iris, 5, seed=0)
    everything = np.concatenate([iris.x_train, iris.x_val])
    held_out = np.concatenate([p.x_val for p in parts])
    assert len(held_out) == len(everything) == 120
    assert sorted(map(tuple, held_out.tolist())) == sorted(map(tuple, everything.tolist()))
    for p in parts:
        assert len(p.x_train) == 96 and np.bincount(p.y_val).tolist() == [8, 8, 8]
        assert p.x_test is iris.x_test
    assert len(merged(iris).x_train) == 120 and merged(iris).x_val is iris.x_val


def test_fold_score_is_mean_spread_and_mean_loss():
    rows = [{"val_accuracy": a, "val_loss": b} for a, b in ((1.0, 0.1), (0.9, 0.3), (0.8, 0.2))]
    score = fold_score(rows, "val_accuracy")
    assert score["value"] == pytest.approx(0.9) and score["spread"] == pytest.approx(0.1)
    assert score["val_loss"] == pytest.approx(0.2) and score["folds"] == [1.0, 0.9, 0.8]


@pytest.mark.slow
def test_a_small_table_is_tuned_by_cross_validation_and_the_best_trained_on_train_and_validation(
    iris, tmp_path
):
    result = tune(iris, trials=3, space=TINY, out=tmp_path, pruner="none", progress="quiet")
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["scoring"] == {
        "folds": 5,
        "on": "stratified 5-fold cross-validation on the training and validation rows (120 rows)",
    }
    # A trial's value is the mean over its folds; ties go to the lower mean val_loss.
    for t in result.study.trials:
        assert len(t.user_attrs["fold_values"]) == 5
        assert t.value == pytest.approx(np.mean(t.user_attrs["fold_values"]))
        assert t.user_attrs["spread"] == pytest.approx(np.std(t.user_attrs["fold_values"], ddof=1))
    rows = {r["trial"]: r for r in s["trials"]}
    assert all(
        rows[t.number]["val_accuracy_sd"] == pytest.approx(t.user_attrs["spread"])
        for t in result.study.trials
    )
    best = max(result.study.trials, key=lambda t: (t.value, -t.user_attrs["val_loss"]))
    assert s["best"]["trial"] == best.number and s["best"]["spread"] == pytest.approx(
        best.user_attrs["spread"]
    )
    config = json.loads((tmp_path / "best-model" / "config.json").read_text())
    assert (
        config["tuning"]["folds"] == 5
        and "120 train / 30 validation" in config["dataset"]["description"]
    )
    card = (tmp_path / "best-model" / "README.md").read_text()
    assert "by the mean val_accuracy over stratified 5-fold cross-validation" in card
    assert "trained on the training and validation rows together" in card
    assert (
        (tmp_path / "trials.csv")
        .read_text()
        .startswith("trial,state,val_accuracy,val_accuracy_sd,")
    )


def test_with_early_stopping_the_best_is_trained_for_the_mean_kept_epoch(tmp_path):
    from tests.tables import survey_table

    path = tmp_path / "survey.csv"
    survey_table(150).to_csv(path, index=False)
    result = tune(
        str(path), target="species", trials=1, space={"epochs": 8}, folds=3, progress="quiet"
    )
    trial = result.study.trials[0]
    kept = trial.user_attrs["best_epochs"]
    assert len(kept) == 3 and all(1 <= k <= 8 for k in kept)
    training = result.best_model.config["training"]
    assert training["epochs"] == round(sum(kept) / 3) and "early_stopping" not in training
    assert len(result.best_model.history) == training["epochs"]


def test_one_fold_keeps_the_validation_split(iris):
    result = nf.tune(iris, trials=2, space=TINY, folds=1, progress="quiet")
    assert result.summary["scoring"]["folds"] == 1
    assert "val_accuracy_sd" not in result.summary["trials"][0]
    assert "fold_values" not in result.study.trials[0].user_attrs
