import pytest

from neuroflow.errors import UsageError
from neuroflow.models.recipes import resolve_model
from neuroflow.tuning.space import apply, build_space, default_space
from neuroflow.tuning.space_file import read_space


def spec(name):
    return resolve_model(name, "table", "x")


def test_default_space_follows_the_recipes_own_settings():
    iris = default_space(spec("iris-mlp"))
    assert list(iris) == [
        "lr",
        "batch_size",
        "units",
        "epochs",
    ]  # no Dropout or Conv2D layer to vary
    assert (iris["lr"].low, iris["lr"].high, iris["lr"].log) == (0.001, 0.1, True)
    assert iris["batch_size"].choices == (8, 16, 32)
    assert (iris["units"].low, iris["units"].high) == (4, 40)
    assert (iris["epochs"].low, iris["epochs"].high) == (30, 120)
    cnn = default_space(spec("mnist-cnn"))
    first = next(la for la in spec("mnist-cnn")["layers"] if la["type"] == "Conv2D")["filters"]
    assert {"dropout", "filters", "kernel_size", "units"} <= set(cnn)
    assert (cnn["filters"].low, cnn["filters"].high) == (first // 2, first * 2) and {3, 5} <= set(
        cnn["kernel_size"].choices
    )


def test_apply_substitutes_each_value_where_it_belongs():
    out = apply(
        spec("mnist-cnn"),
        {
            "dropout": 0.25,
            "units": 64,
            "filters": 8,
            "kernel_size": 3,
            "lr": 0.01,
            "batch_size": 64,
            "epochs": 2,
            "optimizer": "sgd",
        },
    )
    convs = [la for la in out["layers"] if la["type"] == "Conv2D"]
    dense = [la for la in out["layers"] if la["type"] == "Dense"]
    assert [c["filters"] for c in convs] == [8, 16] and {c["kernel_size"] for c in convs} == {3}
    assert (
        dense[0]["units"] == 64 and dense[-1]["units"] == "auto"
    )  # the output layer keeps one unit per class
    assert [la["rate"] for la in out["layers"] if la["type"] == "Dropout"] == [0.25]
    assert (out["lr"], out["batch_size"], out["epochs"], out["optimizer"]) == (0.01, 64, 2, "sgd")
    assert spec("mnist-cnn")["layers"][0]["filters"] == 16  # the recipe itself is untouched


def test_a_parameter_the_model_has_no_layer_for_is_refused():
    with pytest.raises(
        UsageError, match="'dropout' would change nothing: the model has no Dropout layer"
    ):
        build_space(spec("iris-mlp"), read_space({"dropout": 0.2}))
