"""neuroflow.sklearn: scikit-learn's own estimator checks, and the estimators inside Pipeline,
GridSearchCV, cross_val_score and CalibratedClassifierCV, on raw DataFrames, saved and reopened."""

from __future__ import annotations

import functools
import json
import os
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import load_diabetes, load_wine
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from neuroflow.sklearn import NeuroflowClassifier, NeuroflowRegressor

# Small networks and few epochs keep all of scikit-learn's checks to seconds; they still have to
# learn (check_classifiers_train asks for 83% accuracy, check_regressors_train for R² above 0.5).
SMALL = dict(epochs=30, batch_size=32, lr=0.01, hidden=(16,))


CHECKED = [
    NeuroflowClassifier(**SMALL),
    NeuroflowRegressor(**SMALL),
    NeuroflowClassifier(**SMALL, early_stopping=True),
    NeuroflowRegressor(**SMALL, early_stopping=True),
]


@parametrize_with_checks(CHECKED)
def test_scikit_learn_checks(estimator, check):
    if getattr(check, "func", check).__name__ == "check_array_api_input":
        assert _with_array_api(tuple(check.keywords.items()))[repr(estimator)] == "passed"
    else:
        check(estimator)


@functools.cache
def _with_array_api(keywords: tuple) -> dict[str, str]:
    """check_array_api_input's outcome for each estimator. scipy reads SCIPY_ARRAY_API once, when
    imported, and without it scikit-learn skips this check: it runs in one process of its own
    with the variable set."""
    code = """if True:
        import json, pickle, sys
        from sklearn.utils.estimator_checks import check_array_api_input
        estimators, keywords = pickle.load(sys.stdin.buffer)
        outcomes = {}
        for est in estimators:
            try:
                check_array_api_input(type(est).__name__, est, **keywords)
                outcomes[repr(est)] = "passed"
            except Exception as err:
                outcomes[repr(est)] = repr(err)
        print(json.dumps(outcomes))
    """
    env = {**os.environ, "SCIPY_ARRAY_API": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], input=pickle.dumps((CHECKED, dict(keywords))),
        capture_output=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return json.loads(done.stdout)


def _people(n: int = 150, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A raw table: a text category, blank cells in a number column and in the text column."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "height": rng.normal(170, 10, n),
            "colour": rng.choice(["red", "green", "blue"], n),
            "age": rng.normal(40, 12, n),
        }
    )
    y = np.where((df["colour"] == "red") | (df["height"] > 175), "yes", "no")
    df.loc[::7, "age"] = np.nan
    df.loc[::11, "colour"] = None
    return df, y


def test_a_raw_dataframe_with_text_and_blanks_is_learned():
    df, y = _people()
    est = NeuroflowClassifier(epochs=60, random_state=0).fit(df, y)
    assert list(est.feature_names_in_) == ["height", "colour", "age"]
    assert est.n_features_in_ == 3
    assert list(est.classes_) == ["no", "yes"]
    assert est.score(df, y) > 0.9
    # one-hot categories and missing-value indicators, as neuroflow's own table preparation makes
    assert est.model_.config["input"]["feature_names"] == [
        "height", "colour=blue", "colour=green", "colour=red", "colour is missing", "age",
        "age is missing",
    ]  # fmt: skip
    unseen = df.head(2).assign(colour=["purple", "purple"])
    assert set(est.predict(unseen)) <= {"no", "yes"}
    assert est.predict_proba(unseen).sum(axis=1) == pytest.approx([1.0, 1.0])


def test_cross_val_score_on_a_raw_dataframe():
    df, y = _people()
    scores = cross_val_score(NeuroflowClassifier(epochs=60, random_state=0), df, y, cv=3)
    assert scores.shape == (3,)
    assert scores.min() > 0.8


def test_inside_a_pipeline_after_scikit_learns_transformers():
    x, y = load_wine(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), NeuroflowClassifier(epochs=40, random_state=0))
    assert pipe.fit(x, y).score(x, y) > 0.95
    assert pipe[-1].n_features_in_ == 13


@pytest.mark.slow
def test_grid_search_in_two_worker_processes():
    x, y = load_wine(return_X_y=True)
    grid = GridSearchCV(
        NeuroflowClassifier(epochs=20, random_state=0),
        {"hidden": [(4,), (32,)], "lr": [0.01]},
        cv=3,
        n_jobs=2,
    ).fit(x, y)
    assert grid.best_params_["hidden"] in [(4,), (32,)]
    assert grid.cv_results_["mean_test_score"].shape == (2,)
    assert grid.best_score_ > 0.9
    assert grid.best_estimator_.score(x, y) > 0.9


def test_calibrated_classifier_cv():
    x, y = load_wine(return_X_y=True)
    calibrated = CalibratedClassifierCV(NeuroflowClassifier(epochs=30, random_state=0), cv=3)
    p = calibrated.fit(x, y).predict_proba(x)
    assert p.shape == (len(x), 3)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert calibrated.score(x, y) > 0.9


def test_a_regressor_learns_diabetes():
    x, y = load_diabetes(return_X_y=True)
    est = NeuroflowRegressor(epochs=60, random_state=0).fit(x, y)
    assert est.score(x, y) > 0.45
    assert not hasattr(est, "predict_proba")


def test_early_stopping_holds_rows_out_and_calibrates_on_them():
    df, y = _people()
    est = NeuroflowClassifier(epochs=200, early_stopping=5, random_state=0).fit(df, y)
    assert est.n_iter_ < 200  # stopped: 5 epochs without a lower validation loss
    assert "calibration" in est.model_.config and est.model_.unknown_check is not None
    assert "calibration" not in NeuroflowClassifier(epochs=2).fit(df, y).model_.config


def test_the_same_random_state_gives_the_same_network():
    x, y = load_wine(return_X_y=True)
    a = NeuroflowClassifier(epochs=5, random_state=3).fit(x, y).predict_proba(x)
    b = NeuroflowClassifier(epochs=5, random_state=3).fit(x, y).predict_proba(x)
    c = NeuroflowClassifier(epochs=5, random_state=4).fit(x, y).predict_proba(x)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_warm_start_continues_from_the_fitted_weights():
    x, y = load_wine(return_X_y=True)
    x = StandardScaler().fit_transform(x)
    est = NeuroflowClassifier(epochs=3, lr=0.001, warm_start=True, random_state=0).fit(x, y)
    first = est.predict_proba(x)
    est.fit(x, y)
    assert est.model_.config["lineage"]["tensors_copied"] == 4  # two Dense layers' weights, biases
    cold = NeuroflowClassifier(epochs=3, lr=0.001, random_state=0).fit(x, y)
    assert np.array_equal(cold.predict_proba(x), first)
    assert not np.allclose(est.predict_proba(x), first)
    with pytest.raises(ValueError, match="warm_start continues training on the classes"):
        est.fit(x, y % 2)


def test_save_and_from_folder_and_the_command_line_agree(tmp_path, cli):
    df, y = _people()
    est = NeuroflowClassifier(epochs=40, early_stopping=True, random_state=0).fit(df, y)
    folder = est.save(tmp_path / "model")
    assert (folder / "config.json").exists() and (folder / "README.md").exists()
    back = NeuroflowClassifier.from_folder(folder)
    assert np.array_equal(back.predict_proba(df), est.predict_proba(df))
    assert list(back.classes_) == ["no", "yes"] and back.n_features_in_ == 3
    df.head(8).to_csv(tmp_path / "rows.csv", index=False)
    result = cli("predict", folder, tmp_path / "rows.csv", "--format", "csv")
    assert result.code == 0, result.output
    rows = pd.read_csv(pd.io.common.StringIO(result.out))
    assert list(rows["prediction"]) == list(est.predict(df.head(8)))
    assert np.allclose(rows["yes"], est.predict_proba(df.head(8))[:, 1], atol=1e-6)
    with pytest.raises(Exception, match="does not hold a table regression model"):
        NeuroflowRegressor.from_folder(folder)


def test_an_array_model_reads_rows_named_x0_x1_on_the_command_line(tmp_path, cli):
    x, y = load_diabetes(return_X_y=True)
    est = NeuroflowRegressor(epochs=5, random_state=0).fit(x, y)
    assert not hasattr(est, "feature_names_in_")
    est.save(tmp_path / "model")
    pd.DataFrame(x[:4], columns=[f"x{i}" for i in range(10)]).to_csv(
        tmp_path / "r.csv", index=False
    )
    result = cli("predict", tmp_path / "model", tmp_path / "r.csv", "--format", "csv")
    assert result.code == 0, result.output
    rows = pd.read_csv(pd.io.common.StringIO(result.out))
    assert np.allclose(rows["prediction"], est.predict(x[:4]), rtol=1e-5)
    back = NeuroflowRegressor.from_folder(tmp_path / "model")
    assert not hasattr(back, "feature_names_in_")
    assert np.array_equal(back.predict(x), est.predict(x))


def test_pickle_keeps_the_predictions():
    x, y = load_wine(return_X_y=True)
    est = NeuroflowClassifier(epochs=3, random_state=0).fit(x, y)
    again = pickle.loads(pickle.dumps(est))
    assert np.array_equal(again.predict_proba(x), est.predict_proba(x))


def test_bad_input_raises_scikit_learns_error_types():
    x, y = load_wine(return_X_y=True)
    with pytest.raises(NotFittedError):
        NeuroflowClassifier().predict(x)
    est = NeuroflowClassifier(epochs=2, random_state=0).fit(x, y)
    with pytest.raises(ValueError, match="X has 12 features, but NeuroflowClassifier is expecting"):
        est.predict(x[:, :12])
    bad = x.copy()
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        est.predict(bad)
    blank = x.copy()
    blank[0, 0] = np.nan  # a blank cell: filled as training's preparation says
    assert est.predict(blank).shape == (len(x),)
    with pytest.raises(ValueError, match="unknown recipe 'nope'"):
        NeuroflowClassifier(recipe="nope").fit(x, y)
    df, labels = _people()
    with pytest.raises(ValueError, match="column 'height' has an infinite value"):
        est = NeuroflowClassifier(epochs=2).fit(df.assign(height=np.inf), labels)


def test_neuroflow_serve_opens_a_saved_estimator(tmp_path):
    with warnings.catch_warnings():  # starlette asks for httpx2; httpx still works
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from neuroflow.web.app import create_app

    df, y = _people()
    est = NeuroflowClassifier(epochs=20, random_state=0).fit(df, y)
    folder = est.save(tmp_path / "people")
    row = {"height": 181.0, "colour": "blue", "age": ""}
    with TestClient(create_app([folder], tmp_path / "work", warm=False)) as client:
        (model,) = client.get("/api/models").json()
        answer = client.post(f"/api/models/{model['id']}/predict/row", json={"values": row})
    expected = est.predict(pd.DataFrame([{**row, "age": np.nan}]))[0]
    assert answer.status_code == 200, answer.text
    assert answer.json()["prediction"]["class"] == expected


def test_a_spec_dict_and_hidden_sizes_build_the_network():
    x, y = load_wine(return_X_y=True)
    spec = {"layers": [{"type": "Dense", "units": 8, "activation": "tanh"}, "Dense(units='auto')"]}
    est = NeuroflowClassifier(recipe=spec, epochs=2, random_state=0).fit(x, y)
    assert est.model_.network.count_params() == 13 * 8 + 8 + 8 * 3 + 3
    est = NeuroflowClassifier(hidden=(5, 4), epochs=2, random_state=0).fit(x, y)
    assert est.model_.network.count_params() == 13 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3
    with pytest.raises(ValueError, match="Dense"):
        NeuroflowClassifier(recipe={"layers": [{"type": "Dense"}]}, epochs=2).fit(x, y)
