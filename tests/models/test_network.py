import torch

from neuroflow.models.spec import build_network


def test_the_network_keeps_each_layers_name_shape_and_parameters():
    spec = {
        "layers": [
            {"type": "Dense", "units": 5, "activation": "relu"},
            {"type": "Dense", "units": "auto"},
        ]
    }
    _, net = build_network(spec, (3,), 2, "classification")
    assert [(b.name, b.output_shape, b.params) for b in net.built] == [
        ("dense_1", (5,), 20),
        ("dense_2", (2,), 12),
    ]
    assert net.count_params() == 32 and net(torch.zeros(4, 3)).shape == (4, 2)
