"""Starting from a shared model: copy its weights where shapes match, optionally a new head,
freezing.

`--freeze features` freezes every layer before the first Dense; `all-but-head` all but the last
layer. A frozen layer changes in no way: its weights get no gradient and its BatchNormalization
statistics stay as the parent left them.
"""

from __future__ import annotations

import copy

from torch.nn.modules.batchnorm import _BatchNorm

from neuroflow.errors import UsageError


def parent_spec(parent) -> dict:
    """The parent's spec with its output layer sized by the new data, so --new-head can fit other
    classes."""
    spec = copy.deepcopy(parent.spec)
    spec["layers"][-1].update(units="auto", activation="auto")
    return spec


def starting_weights(network, parent, new_head: bool, class_names, base: dict | None,
                     loud: bool) -> dict:  # fmt: skip
    """Where `network`'s weights start, put in place: a parent model's (fine-tuning), a published
    network's (`base`: {"network", "weights"}), or none; the lineage the model records."""
    if base is not None:
        from neuroflow.models.pretrained.layer import load_published

        return {"pretrained": load_published(network, base.get("weights"), progress=loud)}
    return apply_parent(network, parent, new_head, class_names) if parent else {}


def apply_parent(network, parent, new_head: bool, class_names: list[str] | None = None) -> dict:
    """Copy the parent's weights into `network` layer by layer; the last layer is new with
    --new-head.

    The output layer is kept only for the parent's own classes in its order: each of its rows scores
    one class, so for other names it would score the wrong ones (refused, naming both lists).
    """
    _check_fits(network, parent, new_head, class_names)
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
                f"the parent's output layer has shape {tuple(value.shape)} but this data needs "
                f"{tuple(own[key].shape)}",
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


def _check_fits(network, parent, new_head: bool, class_names: list[str] | None) -> None:
    if tuple(network.input_shape) != tuple(parent.network.input_shape):
        raise UsageError(
            f"this data gives inputs of shape {tuple(network.input_shape)} but "
            f"{parent.config.get('name')} takes {tuple(parent.network.input_shape)}",
            "fine-tune on data with the parent's input columns (or picture size and colour)",
        )
    theirs_names = parent.config.get("class_names")
    if not new_head and class_names and theirs_names and list(class_names) != list(theirs_names):
        raise UsageError(
            f"this data's classes are {', '.join(class_names)} but {parent.config.get('name')}'s "
            f"output layer scores {', '.join(theirs_names)}, so its rows would score the wrong "
            "classes",
            "add --new-head to start the output layer afresh",
        )


def freeze_layers(network, mode: str) -> int:
    """Freeze part of the network; returns how many parameters are frozen.

    BatchNormalization layers among them stay in evaluation mode even while the network trains, so
    their running mean and variance stay the parent's.
    """
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
        for m in network.layers[i].modules():
            if isinstance(m, _BatchNorm):
                m.eval()
                m.register_forward_pre_hook(_keep_in_eval_mode)
    return count


def _keep_in_eval_mode(module, inputs) -> None:
    # network.train() sets every module training (the trainer calls it, and so does validation when
    # it hands back); this runs before each forward pass, so a frozen BatchNormalization uses and
    # keeps the parent's statistics instead of updating them from the new data's batches.
    module.training = False
