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


def test_other_classes_without_new_head_name_the_argument(parent):
    with pytest.raises(UsageError, match="Add new_head=True"):
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


def _norm_statistics(model) -> dict:
    return {
        k: v.clone()
        for k, v in model.network.state_dict().items()
        if "running" in k or "batches" in k
    }


def test_frozen_batch_normalization_keeps_the_parents_statistics(parent):
    before = _norm_statistics(parent)
    assert before and all(k.startswith("layers.2.") for k in before)  # the BatchNormalization layer
    frozen = nf.train(
        bars_dataset(90, seed=3), parent=parent, freeze="features", epochs=2,
        progress="quiet", post_fit=False,
    )  # fmt: skip
    assert all(torch.equal(before[k], v) for k, v in _norm_statistics(frozen).items())
    trained = nf.train(
        bars_dataset(90, seed=3), parent=parent, epochs=1, progress="quiet", post_fit=False
    )  # not frozen: the statistics follow the new data
    after = _norm_statistics(trained)
    assert not torch.equal(before["layers.2.running_mean"], after["layers.2.running_mean"])


def test_same_number_of_other_classes_without_new_head_names_both_lists(parent):
    data = bars_dataset(60, classes=("horizontal", "vertical", "cross"), seed=4)
    with pytest.raises(UsageError) as err:
        nf.train(data, parent=parent, epochs=1, progress="quiet", post_fit=False)
    assert str(err.value) == (
        "this data's classes are horizontal, vertical, cross but bars-custom's output layer scores "
        "horizontal, vertical, diagonal, so its rows would score the wrong classes. "
        "Add new_head=True to start the output layer afresh."
    )
    child = nf.train(data, parent=parent, new_head=True, epochs=1, progress="quiet", post_fit=False)
    assert child.class_names == ["horizontal", "vertical", "cross"]


def test_other_class_names_on_the_command_line_are_one_line_and_exit_2(cli, tmp_path):
    from tests.tables import survey_table

    table = survey_table(150)
    table.to_csv(tmp_path / "survey.csv", index=False)
    table.replace({"species": {"Chinstrap": "Emperor"}}).to_csv(tmp_path / "other.csv", index=False)
    args = ["--target", "species", "--epochs", 1, "--quiet"]
    assert cli("train", tmp_path / "survey.csv", *args, "--out", tmp_path / "parent").code == 0
    res = cli(
        "train", tmp_path / "other.csv", *args, "--from", tmp_path / "parent",
        "--out", tmp_path / "child",
    )  # fmt: skip
    assert res.code == 2 and res.err.count("\n") == 1 and "Traceback" not in res.err
    assert "classes are Adelie, Emperor, Gentoo but" in res.err
    assert "scores Adelie, Chinstrap, Gentoo" in res.err and "Add --new-head" in res.err
    assert not (tmp_path / "child").exists()


def test_summaries_and_cards_count_trained_and_frozen_parameters_apart(parent, tmp_path):
    child = nf.train(
        bars_dataset(90, seed=5), parent=parent, freeze="all-but-head", epochs=1,
        progress="quiet", post_fit=False, out=tmp_path / "child",
    )  # fmt: skip
    weights = sum(p.numel() for p in child.network.parameters())
    head = sum(p.numel() for p in child.network.layers[8].parameters())
    frozen, statistics = (
        weights - head,
        8,
    )  # BatchNormalization(4 channels): moving mean and variance
    assert child.config["training"]["frozen_parameters"] == frozen
    from neuroflow.models.describe import info_text

    loaded = nf.load(tmp_path / "child")
    for text in (child.summary(), loaded.summary(), info_text(loaded.config)):
        assert f"Total params: {weights + statistics:,}\nTrainable params: {head:,}\n" in text
        assert (
            f"Non-trainable params: {frozen + statistics:,} ({frozen:,} frozen during fine-tuning, "
            "8 BatchNormalization statistics)" in text
        )
    card = (tmp_path / "child" / "README.md").read_text()
    assert (
        f"Parameters: {weights + statistics:,} ({head:,} trained, {frozen:,} frozen during "
        "fine-tuning, 8 BatchNormalization statistics)." in card
    )
    assert (
        f"Trainable params: {weights:,}\nNon-trainable params: 8 (8 BatchNormalization statistics)"
        in parent.summary()
    )
