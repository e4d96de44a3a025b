import pytest
import torch

import neuroflow as nf
from neuroflow.errors import UsageError
from tests.bars import TINY_CNN, bars_dataset


@pytest.fixture(scope="module")
def parent(tmp_path_factory):
    folder = tmp_path_factory.mktemp("finetune") / "bars"
    return nf.train(
        bars_dataset(90), model=TINY_CNN, epochs=2, progress="quiet", post_fit=False, out=folder
    )


def _params(model) -> dict:
    return {k: v.detach().clone() for k, v in model.network.named_parameters()}


def test_new_head_on_other_classes_keeps_frozen_features(parent):
    data = bars_dataset(90, classes=("cross", "diagonal"), seed=1, name="crosses")
    child = nf.train(
        data,
        parent=parent.path,
        freeze="features",
        new_head=True,
        epochs=2,
        progress="quiet",
        post_fit=False,
    )
    before, after = _params(parent), _params(child)
    features = [k for k in before if int(k.split(".")[1]) < 6]  # layers before the first Dense
    assert features and all(torch.equal(before[k], after[k]) for k in features)
    assert not torch.equal(before["layers.6.0.weight"], after["layers.6.0.weight"])
    assert after["layers.8.weight"].shape == (2, 16)
    assert child.config["training"]["frozen_parameters"] == sum(before[k].numel() for k in features)
    lineage = child.config["lineage"]
    assert (
        lineage["parent"]["sha256"] == parent.config["weights"]["sha256"]
        and lineage["new_head"] is True
    )
    assert (
        lineage["tensors_copied"] == len(parent.network.state_dict()) - 2
    )  # all but the head's weight and bias


def test_all_but_head_trains_only_the_last_layer(parent):
    child = nf.train(
        bars_dataset(90, seed=2),
        parent=parent,
        freeze="all-but-head",
        epochs=1,
        progress="quiet",
        post_fit=False,
    )
    before, after = _params(parent), _params(child)
    changed = {k.split(".")[1] for k in before if not torch.equal(before[k], after[k])}
    assert changed == {"8"}


def test_other_classes_without_new_head_name_the_flag(parent):
    with pytest.raises(UsageError, match="Add --new-head"):
        nf.train(
            bars_dataset(60, classes=("cross", "diagonal")),
            parent=parent,
            epochs=1,
            progress="quiet",
            post_fit=False,
        )


def test_data_of_another_shape_is_named(parent):
    with pytest.raises(
        UsageError, match=r"inputs of shape \(20, 20, 1\) but bars-custom takes \(28, 28, 1\)"
    ):
        nf.train(
            bars_dataset(60, size=20), parent=parent, epochs=1, progress="quiet", post_fit=False
        )
