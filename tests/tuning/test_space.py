import pytest

from neuroflow.errors import UsageError
from neuroflow.models.recipes import resolve_model
from neuroflow.tuning.space import Param, apply, build_space, default_space
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


def test_user_space_pins_narrows_and_lists_choices():
    space = read_space(
        {
            "lr": {"low": "1e-4", "high": 0.01, "log": True},
            "batch_size": [16, 32.0],
            "epochs": 5,
            "optimizer": ["Adam", "sgd"],
        }
    )
    assert space["lr"] == Param(
        "lr", low=0.0001, high=0.01, log=True
    )  # PyYAML reads 1e-4 as text; it still counts
    assert space["batch_size"].choices == (16, 32)
    assert space["epochs"].pinned and space["epochs"].value == 5
    assert space["optimizer"].choices == ("adam", "sgd")
    full = build_space(spec("iris-mlp"), space)
    assert full["units"] == default_space(spec("iris-mlp"))["units"] and full["epochs"].value == 5


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"learning_rate": 0.1}, "unknown parameter 'learning_rate'"),
        ({"lr": {"low": 0.1, "high": 0.001}}, "low 0.1 above high 0.001"),
        ({"batch_size": 8.5}, "must be a whole number"),
        ({"lr": "fast"}, "must be a number, not 'fast'"),
        ({"lr": {"low": 0, "high": 0.1, "log": True}}, "out of range"),
        ({"units": {"low": 0, "high": 8, "log": True}}, "out of range"),
        ({"epochs": {"low": 1, "high": 8, "max": 9}}, "unknown key(s) max"),
        ({"epochs": {"low": 1}}, "needs both low and high"),
        ({"dropout": 1.0}, "out of range"),
        ({"optimizer": ["adam", "lbfgs"]}, "'lbfgs' is not an optimizer"),
        ({"optimizer": {"low": 1, "high": 2}}, "cannot be a range"),
        ({"batch_size": []}, "empty list"),
        ({"lr": {"low": 0.1, "high": 1, "log": "yes"}}, "log must be true or false"),
        ([1, 2], "a space is a mapping"),
    ],
)
def test_bad_spaces_say_what_is_wrong(entry, words):
    with pytest.raises(UsageError) as err:
        read_space(entry)
    assert words in str(err.value)
    assert "\n" not in str(err.value)


def test_a_parameter_the_model_has_no_layer_for_is_refused():
    with pytest.raises(
        UsageError, match="'dropout' would change nothing: the model has no Dropout layer"
    ):
        build_space(spec("iris-mlp"), read_space({"dropout": 0.2}))


def test_space_file_errors_name_the_file(tmp_path):
    path = tmp_path / "space.yaml"
    path.write_text("lr: {low: 0.1, high: 0.01}\n")
    with pytest.raises(UsageError, match="^space.yaml: lr has low"):
        read_space(path)
    path.write_text("lr: [0.1\n")
    with pytest.raises(UsageError, match="cannot read space file"):
        read_space(path)
    with pytest.raises(UsageError, match="not found"):
        read_space(tmp_path / "missing.yaml")
