import pytest
import torch

from neuroflow.errors import SpecError
from neuroflow.models.recipes import resolve_model
from neuroflow.models.spec import build_network, read_spec, summary


def test_lesson_cnn_has_keras_parameter_counts():
    spec, net = build_network(
        resolve_model("mnist-cnn", "image", "mnist"), (28, 28, 1), 10, "classification"
    )
    assert [b.params for b in net.built] == [416, 0, 12832, 0, 0, 200832, 0, 1290]
    assert [b.output_shape for b in net.built][:5] == [
        (28, 28, 16),
        (14, 14, 16),
        (14, 14, 32),
        (7, 7, 32),
        (1568,),
    ]
    x = torch.rand(3, 1, 28, 28).contiguous(memory_format=torch.channels_last)
    assert net(x).shape == (3, 10)
    text = summary(net)
    assert "Total params: 215,370" in text and "conv2d_1 (Conv2D)" in text


def test_iris_recipe_is_the_lessons_network():
    spec, net = build_network(resolve_model("iris-mlp", "table", "iris"), (4,), 3, "classification")
    assert [(b.kind, b.output_shape) for b in net.built] == [
        ("Dense", (10,)),
        ("Dense", (10,)),
        ("Dense", (3,)),
    ]
    assert spec["layers"][-1]["activation"] == "softmax" and spec["optimizer"] == "adam"


def test_keras_like_strings_and_yaml(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(
        "layers:\n  - Conv2D(8, 3, padding='same', activation='relu')\n  - MaxPooling2D\n"
        "  - Flatten()\n  - Dense: {units: 4, activation: softmax}\nepochs: 2\n"
    )
    spec = read_spec(path)
    assert spec["layers"][0] == {
        "type": "Conv2D",
        "filters": 8,
        "kernel_size": 3,
        "padding": "same",
        "activation": "relu",
    }
    assert spec["layers"][1] == {"type": "MaxPool2D"}
    _, net = build_network(spec, (8, 8, 1), 4, "classification")
    assert net.output_shape == (4,)


def test_same_padding_matches_keras_for_even_kernels_and_strides():
    spec = {
        "layers": [
            {"type": "Conv2D", "filters": 2, "kernel_size": 4, "strides": 2, "padding": "same"},
            {"type": "Flatten"},
            {"type": "Dense", "units": 2},
        ]
    }
    _, net = build_network(spec, (9, 9, 1), 2, "classification")
    assert net.built[0].output_shape == (5, 5, 2)
    assert net(torch.rand(1, 1, 9, 9)).shape == (1, 2)


def test_unknown_layer_lists_known_ones():
    with pytest.raises(SpecError, match="unknown layer 'Dense3'.*Conv2D.*Dense"):
        read_spec({"layers": [{"type": "Dense3", "units": 3}]})


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        ([{"type": "Dense", "units": 0}], "units=0"),
        ([{"type": "Dense", "units": 3, "activation": "wiggle"}], "unknown activation"),
        ([{"type": "Dense", "units": 3, "colour": "red"}], "unknown argument"),
        ([{"type": "Dropout", "rate": 1.5}, {"type": "Dense", "units": 3}], "rate=1.5"),
        ([{"type": "Dense", "units": 5}], "needs 3 classes"),
        ([{"type": "Conv2D", "filters": 2, "kernel_size": 3}], "needs image inputs"),
    ],
)
def test_bad_specs(layers, message):
    with pytest.raises(SpecError, match=message):
        build_network(read_spec({"layers": layers}), (4,), 3, "classification")


def test_unknown_recipe_lists_recipes():
    with pytest.raises(SpecError, match="Known recipes: iris-mlp"):
        resolve_model("resnet9000", "table", "x")
