"""The published networks: parameter counts as published, weight files read with their keys and
shapes checked, the hub cache's hash check, and one line when nothing downloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from neuroflow.errors import ModelFileError
from neuroflow.models.pretrained import NETWORKS, published
from neuroflow.models.pretrained.layer import load_published
from neuroflow.models.pretrained.weights import find_weights, read_weights
from neuroflow.models.spec import build_network
from tests.conftest import run_process


def weight_file(tmp_path, name: str = "mobilenet_v3_small", seed: int = 0):
    """A file keyed exactly as the published one, random values (BatchNorm statistics too)."""
    torch.manual_seed(seed)
    state = published(name).build(1000).state_dict()
    for key, value in state.items():
        if value.is_floating_point():
            value.copy_(
                torch.rand_like(value) + 0.5
                if "running_var" in key
                else torch.randn_like(value) * 0.1
            )  # noqa: E501
    file = tmp_path / f"{name}-random.pth"
    torch.save(state, file)
    return file, state


def measured_weight_file(tmp_path, name: str = "mobilenet_v3_small", size: int = 32, seed: int = 0):
    """A file keyed as the published one: the network's own initial weights, its BatchNorm
    statistics measured on random pictures, so that (unlike weight_file's) its features differ
    from picture to picture and a model trained on them answers each picture differently."""
    torch.manual_seed(seed)
    net = published(name).build(1000)
    for layer in net.modules():
        if isinstance(layer, torch.nn.modules.batchnorm._BatchNorm):
            layer.momentum = None  # the plain mean over the batches below
    net.train()
    with torch.no_grad():
        net.forward_features(torch.randn(16, 3, size, size))
    file = tmp_path / f"{name}-measured.pth"
    torch.save(net.state_dict(), file)
    return file


def test_each_network_has_its_publishers_parameter_count():
    for net in NETWORKS.values():
        with torch.device("meta"):
            count = sum(p.numel() for p in net.build(1000).parameters())
        assert count == net.params, net.name


def test_a_weight_file_fills_the_backbone_and_leaves_out_the_classifier(tmp_path):
    file, state = weight_file(tmp_path)
    spec = {"layers": [{"type": "Pretrained", "network": "mobilenet_v3_small"},
                       {"type": "Dense", "units": "auto", "activation": "auto"}]}  # fmt: skip
    _, network = build_network(spec, (224, 224, 3), 2, "classification")
    record = load_published(network, file, progress=False)
    own = network.layers[0].net.state_dict()
    assert set(own) == {k for k in state if not k.startswith("classifier.")}
    assert all(torch.equal(own[k], state[k]) for k in own)
    assert record["network"] == "mobilenet_v3_small" and record["weights"]["url"] is None
    assert network(torch.rand(1, 3, 224, 224)).shape == (1, 2)


def test_another_networks_file_names_the_first_missing_key(tmp_path):
    file, _ = weight_file(tmp_path, "resnet18")
    with pytest.raises(ModelFileError, match=r"lacks 'features\.0\.0\.weight'"):
        read_weights(published("mobilenet_v3_small"), file)


def test_a_wrong_shape_is_named_with_both_shapes(tmp_path):
    file, state = weight_file(tmp_path)
    state["features.1.block.0.0.weight"] = torch.zeros(16, 1, 5, 5)
    torch.save(state, file)
    with pytest.raises(ModelFileError) as err:
        read_weights(published("mobilenet_v3_small"), file)
    assert "'features.1.block.0.0.weight' of shape (16, 1, 5, 5)" in str(err.value)
    assert "needs (16, 1, 3, 3)" in str(err.value)


def test_a_truncated_file_is_one_clear_line(tmp_path):
    file, _ = weight_file(tmp_path)
    file.write_bytes(file.read_bytes()[:5000])
    with pytest.raises(ModelFileError, match="is not a readable weight file") as err:
        read_weights(published("mobilenet_v3_small"), file)
    assert "\n" not in str(err.value)


def test_a_pickled_object_is_refused_without_running_it(tmp_path):
    file = tmp_path / "evil.pth"
    torch.save({"features.0.0.weight": object()}, file)  # weights_only refuses arbitrary objects
    with pytest.raises(ModelFileError, match="is not a readable weight file"):
        read_weights(published("mobilenet_v3_small"), file)


def test_a_cached_file_that_does_not_match_its_names_hash_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    net = published("resnet18")
    folder = tmp_path / "torch" / "hub" / "checkpoints"
    folder.mkdir(parents=True)
    (folder / net.file_name).write_bytes(b"not the published weights")
    with pytest.raises(ModelFileError) as err:
        find_weights(net, progress=False)
    assert str(folder / net.file_name) in str(err.value) and net.url in str(err.value)


def test_offline_the_command_names_the_url_the_file_and_the_folder(tmp_path):
    from tests.images import shapes_folder

    folder = shapes_folder(tmp_path / "shapes", n=6, classes=("circle", "square"), sizes=(24, 32))
    # a proxy on a closed local port: the download is refused at once and nothing leaves this host
    closed = "http://127.0.0.1:9"
    env = {"TORCH_HOME": str(tmp_path / "torch"), "https_proxy": closed, "HTTPS_PROXY": closed,
           "http_proxy": closed, "HTTP_PROXY": closed, "no_proxy": "", "NO_PROXY": ""}  # fmt: skip
    out = tmp_path / "m"
    result = run_process("train", folder, "--from", "mobilenet_v3_small", "--out", out, env=env)
    assert result.code == 2, result.output
    line = result.err.strip().splitlines()[-1]
    net = published("mobilenet_v3_small")
    assert net.url in line and net.file_name in line
    assert str(tmp_path / "torch" / "hub" / "checkpoints") in line
    assert "Traceback" not in result.output and not out.exists()


def test_models_pretrained_lists_size_accuracy_and_licence(cli):
    result = cli("models", "--pretrained")
    assert result.code == 0
    for net in NETWORKS.values():
        row = next(r for r in result.out.splitlines() if r.startswith(net.name + " "))
        assert f"{net.params:,}" in row and f"{net.top1:.1f}%" in row and net.licence[:12] in row


def test_an_unknown_network_lists_the_known_ones(cli, tmp_path):
    from neuroflow.errors import UsageError

    with pytest.raises(UsageError, match="efficientnet_lite0"):
        published("alexnet")


def test_state_dicts_are_keyed_and_shaped_as_torchvisions():
    # The fixture was made from torchvision's own model code (tools/torchvision_keys.py), which
    # also checks layer settings and that outputs are equal with the same weights loaded
    fixture = json.loads((Path(__file__).parent / "torchvision_keys.json").read_text())
    names = [name for name in fixture if name != "note"]
    assert names == ["resnet18", "mobilenet_v3_small", "mobilenet_v3_large", "efficientnet_b0"]
    for name in names:
        with torch.device("meta"):
            state = published(name).build(1000).state_dict()
        ours = sorted([key, list(value.shape)] for key, value in state.items())
        assert ours == fixture[name], name


def test_efficientnet_b0_drops_whole_examples_at_torchvisions_rates_only_while_training():
    from neuroflow.models.pretrained.blocks import StochasticDepth

    with torch.device("meta"):
        net = published("efficientnet_b0").build(1000)
    rates = [m.p for m in net.modules() if isinstance(m, StochasticDepth)]
    assert rates == pytest.approx([0.2 * i / 16 for i in range(16)])
    drop, x = StochasticDepth(0.5), torch.ones(64, 3, 2, 2)
    assert torch.equal(drop.eval()(x), x)
    torch.manual_seed(0)
    out = drop.train()(x)
    per_example = out.flatten(1)
    assert set(per_example.unique().tolist()) == {0.0, 2.0}  # dropped, or kept and scaled by 2
    assert torch.equal(per_example.min(1).values, per_example.max(1).values)
