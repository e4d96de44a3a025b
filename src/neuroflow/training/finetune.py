"""Starting from a shared model: copy its weights where shapes match, optionally a new head, freezing.

`--freeze features` freezes every layer before the first Dense; `all-but-head` all but the last layer.
"""

from __future__ import annotations

import copy

from neuroflow.errors import UsageError


def parent_spec(parent) -> dict:
    """The parent's spec with its output layer sized by the new data, so --new-head can fit other classes."""
    spec = copy.deepcopy(parent.spec)
    spec["layers"][-1].update(units="auto", activation="auto")
    return spec


def apply_parent(network, parent, new_head: bool) -> dict:
    """Copy the parent's weights into `network` layer by layer; the last layer is new with --new-head."""
    if tuple(network.input_shape) != tuple(parent.network.input_shape):
        raise UsageError(
            f"this data gives inputs of shape {tuple(network.input_shape)} but {parent.config.get('name')} takes {tuple(parent.network.input_shape)}",
            "fine-tune on data with the parent's input columns (or picture size and colour)",
        )
    own, theirs = network.state_dict(), parent.network.state_dict()
    head = f"layers.{network.head_index()}."
    copied = 0
    for key, value in theirs.items():
        if new_head and key.startswith(head):
            continue
        if key in own and own[key].shape == value.shape:
            own[key].copy_(value)
            copied += 1
        elif key.startswith(head):
            raise UsageError(
                f"the parent's output layer has shape {tuple(value.shape)} but this data needs {tuple(own[key].shape)}",
                "add --new-head to start the output layer afresh",
            )
        else:
            raise UsageError(
                f"the parent's layer {key} does not fit this network",
                "fine-tune with the parent's own spec (leave out --model)",
            )
    network.load_state_dict(own)
    weights = parent.config.get("weights", {})
    return {
        "parent": {
            "name": parent.config.get("name"),
            "sha256": weights.get("sha256"),
            "path": str(parent.path) if parent.path else None,
        },
        "new_head": new_head,
        "tensors_copied": copied,
    }


def freeze_layers(network, mode: str) -> int:
    """Freeze part of the network; returns how many parameters are frozen."""
    if mode not in ("features", "all-but-head"):
        raise UsageError(
            f"--freeze {mode!r} is not understood", "use --freeze features or --freeze all-but-head"
        )
    if mode == "all-but-head":
        frozen_layers = range(network.head_index())
    else:
        first_dense = next(
            (i for i, b in enumerate(network.built) if b.kind == "Dense"), network.head_index()
        )
        frozen_layers = range(first_dense)
    count = 0
    for i in frozen_layers:
        for p in network.layers[i].parameters():
            p.requires_grad_(False)
            count += p.numel()
    return count
