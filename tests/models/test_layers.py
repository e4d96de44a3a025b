import pytest
import torch

from neuroflow.errors import SpecError
from neuroflow.models.layer_args import check_activation, pair
from neuroflow.models.spec import build_network, read_spec


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
    with pytest.raises(SpecError, match="unknown layer 'Dense3'. Choose one of: ") as err:
        read_spec({"layers": [{"type": "Dense3", "units": 3}]})
    assert all(name in str(err.value) for name in ("Conv2D", "Dense", "MaxPool2D", "Dropout"))


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


def test_argument_checks_name_the_layer_and_argument():
    assert pair(3, "Conv2D", "kernel_size") == (3, 3) and pair([2, 4], "Conv2D", "k") == (2, 4)
    with pytest.raises(SpecError, match="Conv2D: kernel_size=0 is not valid"):
        pair(0, "Conv2D", "kernel_size")
    assert check_activation("ReLU") == "relu" and check_activation(None) is None
    with pytest.raises(SpecError, match="Known activations: linear, relu"):
        check_activation("wiggle")
