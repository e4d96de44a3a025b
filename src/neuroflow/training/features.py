"""A frozen pretrained backbone runs once per picture, not once per epoch: its features of every
training picture (and of each augmented view) and of the validation pictures are computed up
front, and the epochs train only the layers after it on those rows.

The backbone is frozen and its BatchNorm layers stay in evaluation mode, so a picture's features
would be the same at every epoch anyway: the result is the same training, in seconds.
"""

from __future__ import annotations

import torch

from neuroflow.training.batches import ArrayData

# Augmented views of each training picture beside the picture itself: the head sees as many
# different versions as it would in that many epochs of augmenting per batch.
AUGMENTED_VIEWS = 4
FEATURE_BATCH = 64


def frozen_backbone(network) -> bool:
    """True when the network starts with a pretrained backbone none of whose weights train."""
    from neuroflow.models.pretrained.layer import backbone_index

    i = backbone_index(network)
    return i is not None and not any(p.requires_grad for p in network.layers[i].parameters())


@torch.inference_mode()
def _features(backbone, data: ArrayData, augmenter=None, generator=None) -> torch.Tensor:
    out = []
    for start in range(0, len(data), FEATURE_BATCH):
        xb = data.inputs(slice(start, start + FEATURE_BATCH))
        if augmenter is not None:
            xb = augmenter(xb, generator)
        out.append(backbone(xb))
    return torch.cat(out) if out else torch.zeros(0)


def cache_features(train_data, network, generators: dict, note=None) -> int:
    """Replace `train_data`'s pictures by the backbone's features and start the network after the
    backbone; returns how many training rows there are now."""
    backbone = network.layers[0]
    backbone.eval()
    train, val = train_data.train, train_data.val
    views = 1 + (AUGMENTED_VIEWS if train_data.augmenter is not None else 0)
    if note is not None:
        what = f" and {AUGMENTED_VIEWS} augmented views of each" if views > 1 else ""
        note(
            f"Computing the pretrained features of {len(train):,} training pictures{what} and "
            f"{len(val):,} validation pictures once"
        )
    parts = [_features(backbone, train)]
    parts += [_features(backbone, train, train_data.augmenter, generators["augment"])
              for _ in range(views - 1)]  # fmt: skip
    train_data.train = ArrayData(torch.cat(parts).numpy(), train.y.repeat(views).numpy(), None)
    train_data.val = ArrayData(_features(backbone, val).numpy(), val.y.numpy(), None)
    train_data.augmenter = None  # the views are drawn already
    train_data.streamed = False
    train_data.non_examples = 0  # made-up non-examples are pictures, and the rows are features now
    network.start = 1
    return len(train_data.train)
