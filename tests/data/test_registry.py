"""neuroflow.data.registry: one DATA argument for built-in names, CSV files and image folders."""

import pytest

from neuroflow.data.registry import BUILTIN_DATASETS, load_dataset
from neuroflow.errors import DataError, UsageError


def test_built_in_names_resolve_loosely_and_load():
    assert BUILTIN_DATASETS.names() == ["iris", "digits", "mnist", "fashion-mnist"]
    assert "Fashion_MNIST" in BUILTIN_DATASETS
    ds = load_dataset(" Iris ", seed=1)
    assert ds.name == "iris" and len(ds.x_train) + len(ds.x_val) + len(ds.x_test) == 150


def test_an_unknown_name_lists_the_built_in_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError) as err:
        load_dataset("irises")
    assert str(err.value) == (
        "no dataset called 'irises' and no such file or folder. Use a built-in name (iris, digits, "
        "mnist, fashion-mnist), a CSV file or an image folder."
    )
    with pytest.raises(UsageError, match="no DATA was given"):
        load_dataset("  ")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"target": "petal_width"}, "iris predicts 'species', not 'petal_width'"),
        ({"task": "regression"}, "iris is classification data"),
        ({"task": "clustering"}, "unknown task 'clustering'"),
        ({"seed": -1}, "--seed -1 is out of range"),
    ],
)
def test_options_that_do_not_fit_built_in_data_are_refused(kwargs, message):
    with pytest.raises(UsageError, match=message):
        load_dataset("iris", **kwargs)
