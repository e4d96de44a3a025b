import numpy as np
import pandas as pd
import pytest

import neuroflow as nf
from neuroflow.errors import UsageError
from neuroflow.models.logits import softmax


@pytest.fixture(scope="module")
def iris():
    ds = nf.load_dataset("iris")
    return nf.train(ds, model="iris-mlp", epochs=20, progress="quiet"), ds


def test_logits_are_numpy_for_every_row(iris):
    model, ds = iris
    logits = model.logits(ds.x_test)
    assert isinstance(logits, np.ndarray) and logits.shape == (len(ds.x_test), 3)
    assert np.allclose(model.logits(ds.x_test, batch_size=7), logits, atol=1e-6)


def test_probabilities_are_calibrated_with_the_temperature(iris):
    model, ds = iris
    model.config["calibration"] = {"temperature": 2.0}
    try:
        logits = model.logits(ds.x_test)
        assert np.array_equal(model.probabilities(ds.x_test), softmax(logits, 2.0))
        assert np.array_equal(model.probabilities(logits=logits), softmax(logits, 2.0))
    finally:
        del model.config["calibration"]


def test_unknown_scores_rise_far_from_the_training_data(iris):
    model, ds = iris
    assert model.unknown_check["method"] == "mahalanobis"
    near, far = model.unknown_scores(ds.x_test), model.unknown_scores(ds.x_test * 50)
    assert far.min() > near.max()
    assert not model.known(far).any() and model.known(near).mean() > 0.8
    given = model.unknown_scores(ds.x_test, model.logits(ds.x_test))
    assert np.array_equal(given, near)  # Mahalanobis measures features, whatever logits say


def test_a_model_without_a_check_says_so(iris):
    model, ds = iris
    check = model.config.pop("ood")
    try:
        assert model.unknown_check is None
        with pytest.raises(UsageError, match="this model has no unknown-input check"):
            model.unknown_scores(ds.x_test)
    finally:
        model.config["ood"] = check


def test_regression_values_are_in_the_target_units(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=60)})
    df["price"] = 3 * df["a"] + 50
    path = tmp_path / "prices.csv"
    df.to_csv(path, index=False)
    model = nf.train(str(path), target="price", model="iris-mlp", epochs=1, progress="quiet")
    x = np.zeros((2, 1), dtype=np.float32)
    prep = model.preprocessing
    expected = model.logits(x)[:, 0] * prep["target_std"] + prep["target_mean"]
    assert np.array_equal(model.values(x), expected)
