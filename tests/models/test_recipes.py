import pytest

from neuroflow.errors import SpecError
from neuroflow.models.recipes import resolve_model
from neuroflow.models.spec import build_network


def test_iris_recipe_is_the_lessons_network():
    spec, net = build_network(resolve_model("iris-mlp", "table", "iris"), (4,), 3, "classification")
    assert [(b.kind, b.output_shape) for b in net.built] == [
        ("Dense", (10,)),
        ("Dense", (10,)),
        ("Dense", (3,)),
    ]
    assert spec["layers"][-1]["activation"] == "softmax" and spec["optimizer"] == "adam"


def test_unknown_recipe_lists_recipes():
    with pytest.raises(SpecError, match="Known recipes: iris-mlp"):
        resolve_model("resnet9000", "table", "x")
