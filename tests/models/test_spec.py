import torch

from neuroflow.models.recipes import resolve_model
from neuroflow.models.spec import build_network, read_spec
from neuroflow.models.summary import summary


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
