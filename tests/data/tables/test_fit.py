"""neuroflow.data.tables.fit: the task, column kinds and fitted numbers come from the training
rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from neuroflow.data.tables.fit import feature_names, fit_preprocessing, infer_task
from neuroflow.errors import DataError


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (["a", "b"], "classification"),
        ([0, 1, 2, 1], "classification"),
        ([0.5, 1.25, 3.7, 8.1], "regression"),
        (list(range(100)), "regression"),
    ],
)
def test_infer_task(values, task):
    assert infer_task(pd.Series(values)) == task


def test_numbers_are_standardised_and_categories_listed_from_the_rows_given():
    df = pd.DataFrame(
        {"age": [20.0, 30.0, None, 50.0], "colour": ["red", "blue", "red", None], "y": [0, 1, 0, 1]}
    )
    prep = fit_preprocessing(df, "y", "classification")
    age, colour = prep["columns"]
    assert age == {
        "name": "age",
        "kind": "numeric",
        "mean": pytest.approx(100 / 3),
        "std": pytest.approx(np.std([20, 30, 50])),
        "missing_indicator": True,
    }
    assert colour["categories"] == ["blue", "red"] and colour["missing_indicator"]
    assert feature_names(prep) == [
        "age",
        "age is missing",
        "colour=blue",
        "colour=red",
        "colour is missing",
    ]


def test_a_constant_column_keeps_a_spread_of_one_and_huge_numbers_are_refused():
    prep = fit_preprocessing(
        pd.DataFrame({"x": [3.0, 3.0, 3.0], "y": [1, 2, 3]}), "y", "regression"
    )
    assert prep["columns"][0]["std"] == 1.0 and prep["target_mean"] == 2.0
    with pytest.raises(DataError, match="too large to standardise"):
        fit_preprocessing(pd.DataFrame({"x": [1e308, -1e308], "y": [0, 1]}), "y", "classification")
