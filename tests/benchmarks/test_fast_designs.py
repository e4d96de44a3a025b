import torch
from benchmarks.fast_designs import designs

from neuroflow.models.recipes import recipe
from neuroflow.models.spec import build_network


def _pools_and_strides(spec: dict) -> tuple[int, list[int]]:
    _, net = build_network(spec, (28, 28, 1), 10, "classification")
    pools = sum(isinstance(m, torch.nn.MaxPool2d) for m in net.modules())
    strides = [m.stride[0] for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    return pools, strides


def test_the_designs_are_the_shipped_recipe_and_its_cheaper_variants():
    got = designs()
    assert got["mnist-fast as shipped"] == recipe("mnist-fast")
    assert _pools_and_strides(got["mnist-fast as shipped"]) == (2, [1, 1])
    assert _pools_and_strides(got["first convolution stride 2"]) == (1, [2, 1])
    assert _pools_and_strides(got["both convolutions stride 2, no pooling"]) == (0, [2, 2])
    assert got["as shipped, 1 epoch"]["epochs"] == 1
    for spec in got.values():  # every design trains with the shipped settings otherwise
        assert (spec["lr"], spec["batch_size"]) == (0.02, 256)
