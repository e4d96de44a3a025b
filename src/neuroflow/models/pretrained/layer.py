"""`Pretrained(network=NAME)` as a spec layer: a published network without its classifier, turning
a picture (pixels 0..1) into its feature vector, the ImageNet mean and spread applied inside.

Putting the preparation inside the network means predict, serve, the ONNX export and the page all
feed it alike. Building it loads no weights: training copies the published ones in
(`load_published`), and a saved model folder holds them all.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn as nn

from neuroflow.errors import SpecError
from neuroflow.models.layer_args import count_params, no_more_args
from neuroflow.models.layers import BuiltLayer, register
from neuroflow.models.pretrained import NETWORKS, published


class Backbone(nn.Module):
    def __init__(self, name: str):
        super().__init__()
        spec = published(name)
        self.name = spec.name
        self.net = spec.build(num_classes=None)
        # not saved with the weights: they follow from the network's name
        self.register_buffer("mean", torch.tensor(spec.mean).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(spec.std).view(1, 3, 1, 1), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net.forward_features((x - self.mean) / self.std)


@register("Pretrained")
def _pretrained(args, shape, name):
    network = args.pop("network", None)
    if network not in NETWORKS:
        raise SpecError(
            f"Pretrained: network={network!r} is not one neuroflow has",
            f"choose one of {', '.join(NETWORKS)}",
        )
    no_more_args(args, "Pretrained")
    if len(shape) != 3 or shape[2] != 3:
        raise SpecError(
            f"Pretrained({network}) takes colour pictures (H, W, 3), not inputs of shape {shape}",
            "train on a folder of pictures in colour (leave out --grayscale)",
        )
    module = Backbone(network)
    return BuiltLayer(
        name, "Pretrained", module, (module.net.feature_size,), count_params(module), None
    )


def backbone_index(network) -> int | None:
    """Where the network's pretrained backbone is (the first layer when there is one)."""
    built = getattr(network, "built", [])
    return 0 if built and built[0].kind == "Pretrained" else None


def load_published(network, weights: str | Path | None = None, progress: bool = True) -> dict:
    """Copy the published weights into the network's backbone; the record says where they came
    from (config.json's `pretrained`)."""
    from neuroflow.models.pretrained.weights import file_sha256, find_weights, read_weights

    backbone = network.layers[backbone_index(network)]
    spec = published(backbone.name)
    file = find_weights(spec, weights, progress)
    state = read_weights(spec, file)
    own = backbone.net.state_dict()
    backbone.net.load_state_dict({k: v for k, v in state.items() if k in own})
    return {
        "network": spec.name,
        "weights": {
            "file": file.name,
            "url": spec.url if weights is None else None,
            "sha256": file_sha256(file),
            "licence": spec.licence,
        },
        "paper": spec.paper,
        "imagenet_top1": spec.top1,
    }
