"""Training from a published network: the frozen phase changes none of its weights or BatchNorm
statistics, the model folder predicts the same after reloading and through ONNX, and fine-tuning
trains every layer afterwards. Random weights keyed as the published file run the real path."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import neuroflow as nf
from tests.images import shapes_folder
from tests.models.test_pretrained import weight_file

pytestmark = pytest.mark.slow  # each trains a whole published network (on 64×64 crops)


@pytest.fixture(scope="module")
def setting(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pretrained")
    folder = shapes_folder(tmp / "shapes", n=10, classes=("circle", "square"), sizes=(24, 40))
    file, state = weight_file(tmp)
    model = nf.train(
        folder, base="mobilenet_v3_small", weights=file, epochs=3, augment="flip,rotate=10",
        image_size=64, out=tmp / "model", progress="quiet",
    )  # fmt: skip
    return folder, file, state, model, tmp


def test_the_frozen_phase_changes_no_backbone_weight_or_batchnorm_statistic(setting):
    _, _, state, model, _ = setting
    own = model.network.layers[0].net.state_dict()
    assert any("running_mean" in k for k in own)
    for key, value in own.items():
        assert torch.equal(value, state[key]), key


def test_the_model_folder_records_the_network_and_its_preparation(setting):
    _, file, _, model, tmp = setting
    config = model.config
    assert config["lineage"]["pretrained"]["network"] == "mobilenet_v3_small"
    assert config["lineage"]["pretrained"]["weights"]["file"] == file.name
    prep = config["preprocessing"]
    # --image-size 64: a smaller crop than the network's 224, the shorter side resized in proportion
    assert (prep["prepare"], prep["height"], prep["width"], prep["resize"]) == ("crop", 64, 64, 73)
    assert prep["mean"] == pytest.approx([0.485, 0.456, 0.406])
    card = (tmp / "model" / "README.md").read_text()
    assert "base_model: mobilenet_v3_small" in card and "BSD-3-Clause" in card


def test_predictions_are_equal_after_reloading_and_through_onnx(setting):
    folder, _, _, model, tmp = setting
    from neuroflow.data.pictures.prepare import prepare_for_model
    from neuroflow.export.to_onnx import export_onnx

    files = sorted(folder.rglob("*.png"))[:4]
    x = np.stack([prepare_for_model(f, model.preprocessing) for f in files])
    again = nf.load(tmp / "model")
    assert np.array_equal(again.logits(x), model.logits(x))
    onnx = nf.load(export_onnx(again, tmp / "model.onnx"))
    assert np.allclose(onnx.logits(x), model.logits(x), atol=1e-4)
    labels = [p.label for p in nf.predict(again, files)]
    assert labels == [p.label for p in nf.predict(onnx, files)]


def test_fine_tuning_trains_every_layer_after_the_head(setting):
    folder, file, state, _, tmp = setting
    model = nf.train(
        folder, base="mobilenet_v3_small", weights=file, epochs=1, fine_tune_epochs=1,
        batch_size=8, image_size=64, progress="quiet",
    )  # fmt: skip
    own = model.network.layers[0].net.state_dict()
    assert not torch.equal(own["features.0.0.weight"], state["features.0.0.weight"])
    assert len(model.history) == 2 and model.config["lineage"]["fine_tuned_epochs"] == 1
    assert model.config["training"]["lr"] == pytest.approx(1e-4)


def test_bundle_and_filters_work_on_the_model_folder(setting, tmp_path):
    folder, _, _, model, tmp = setting
    from neuroflow.kernels.filters import write_filters
    from neuroflow.models.bundle import make_bundle

    picture = sorted(folder.rglob("*.png"))[0]
    bundled = nf.load(make_bundle(tmp / "model", tmp_path / "model.zip"))
    assert nf.predict(bundled, [picture])[0].label == nf.predict(model, [picture])[0].label
    report = write_filters(tmp / "model", tmp_path / "filters", picture)
    # the first convolution of the published network: 16 kernels of 3×3 over red, green and blue
    assert (tmp_path / "filters" / "kernels.png").is_file()
    stem = report["feature_maps"][0]
    assert stem["kind"] == "Conv2D" and stem["shape"] == [32, 32, 16]
