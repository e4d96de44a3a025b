"""Built-in recipes: the lessons' networks and sensible defaults, each with its training settings.

`units: auto` in the last layer means one output per class (or one value for regression).
"""

from __future__ import annotations

import copy

from neuroflow.errors import SpecError

RECIPES: dict[str, dict] = {
    "iris-mlp": {
        "description": "The lesson's Iris network: Dense 10 relu, Dense 10 relu, Dense 3 softmax; "
        "Adam.",
        "layers": [
            {"type": "Dense", "units": 10, "activation": "relu"},
            {"type": "Dense", "units": 10, "activation": "relu"},
            {"type": "Dense", "units": "auto", "activation": "auto"},
        ],
        "optimizer": "adam",
        "lr": 0.01,
        "batch_size": 16,
        "epochs": 60,
    },
    "table-mlp": {
        "description": "Default for any table: Dense 64 relu, Dropout 0.5, output layer; AdamW, "
        "early stopping on val_loss.",
        "layers": [
            {"type": "Dense", "units": 64, "activation": "relu"},
            {"type": "Dropout", "rate": 0.5},
            {"type": "Dense", "units": "auto", "activation": "auto"},
        ],
        "optimizer": "adamw",
        "lr": 0.003,
        "weight_decay": 0.05,
        "batch_size": 32,
        "epochs": 300,
        "early_stopping": 30,
    },
    "mnist-cnn": {
        "description": "The lesson's CNN: Conv2D 16 5×5 → MaxPool → Conv2D 32 5×5 → MaxPool → "
        "Dense 128 → Dropout 0.4 → Dense 10; Adam, batch 128.",
        "layers": [
            {
                "type": "Conv2D",
                "filters": 16,
                "kernel_size": 5,
                "padding": "same",
                "activation": "relu",
            },
            {"type": "MaxPool2D", "pool_size": 2, "strides": 2, "padding": "same"},
            {
                "type": "Conv2D",
                "filters": 32,
                "kernel_size": 5,
                "padding": "same",
                "activation": "relu",
            },
            {"type": "MaxPool2D", "pool_size": 2, "strides": 2, "padding": "same"},
            {"type": "Flatten"},
            {"type": "Dense", "units": 128, "activation": "relu"},
            {"type": "Dropout", "rate": 0.4},
            {"type": "Dense", "units": "auto", "activation": "auto"},
        ],
        "optimizer": "adam",
        # the lesson's Adam and batch size; a one-cycle learning rate reaches 99% in 3 epochs
        "lr": 0.003,
        "schedule": "onecycle",
        "batch_size": 128,
        "epochs": 3,
        # synthetic unknown inputs in every batch teach the unknown-input score what they look like
        "outlier_exposure": 0.5,
    },
    "mnist-fast": {
        "description": "The fastest way to 99% on MNIST here: the lesson's CNN slimmed to 8 and 16 "
        "filters of 3×3, one-cycle Adam at batch 256, 2 epochs.",
        # 3×3 kernels do a third of the 5×5 ones' work, and the higher learning rate makes up for it
        "layers": [
            {
                "type": "Conv2D",
                "filters": 8,
                "kernel_size": 3,
                "padding": "same",
                "activation": "relu",
            },
            {"type": "MaxPool2D", "pool_size": 2},
            {
                "type": "Conv2D",
                "filters": 16,
                "kernel_size": 3,
                "padding": "same",
                "activation": "relu",
            },
            {"type": "MaxPool2D", "pool_size": 2},
            {"type": "Flatten"},
            {"type": "Dense", "units": 128, "activation": "relu"},
            {"type": "Dense", "units": "auto", "activation": "auto"},
        ],
        "optimizer": "adam",
        # as speed-run recipes do: fewer, larger steps at a higher peak rate (benchmarks/RESULTS.md,
        # "Recipes as shipped")
        "lr": 0.02,
        "schedule": "onecycle",
        "batch_size": 256,
        "epochs": 2,
    },
    "image-cnn": {
        "description": "Default for image folders: three Conv2D 3×3 blocks with pooling, global "
        "pooling, Dense 64; Adam, one-cycle, batch 16.",
        # three blocks, so the last sees most of a 28×28 picture before global pooling drops where
        # things are; global pooling keeps the network's size the same for large photos
        "layers": [
            {
                "type": "Conv2D",
                "filters": 32,
                "kernel_size": 3,
                "padding": "same",
                "activation": "relu",
            },
            {"type": "MaxPool2D", "pool_size": 2, "padding": "same"},
            {
                "type": "Conv2D",
                "filters": 64,
                "kernel_size": 3,
                "padding": "same",
                "activation": "relu",
            },
            {"type": "MaxPool2D", "pool_size": 2, "padding": "same"},
            {
                "type": "Conv2D",
                "filters": 128,
                "kernel_size": 3,
                "padding": "same",
                "activation": "relu",
            },
            {"type": "MaxPool2D", "pool_size": 2, "padding": "same"},
            {"type": "GlobalAveragePooling2D"},
            {"type": "Dense", "units": 64, "activation": "relu"},
            {"type": "Dropout", "rate": 0.3},
            {"type": "Dense", "units": "auto", "activation": "auto"},
        ],
        "optimizer": "adam",
        # folders of pictures are small, so an epoch is few steps: small batches and a one-cycle
        # learning rate that peaks high make enough of them
        "lr": 0.003,
        "schedule": "onecycle",
        "batch_size": 16,
        "epochs": 15,
    },
}


def recipe(name: str) -> dict:
    if name not in RECIPES:
        raise SpecError(
            f"unknown recipe {name!r}",
            f"known recipes: {', '.join(RECIPES)} (or give a .yaml/.json spec file)",
        )
    return copy.deepcopy(RECIPES[name]) | {"name": name}


def default_recipe(kind: str, dataset_name: str) -> str:
    if dataset_name == "iris":
        return "iris-mlp"
    if dataset_name in ("mnist", "fashion-mnist"):
        return "mnist-cnn"
    return "image-cnn" if kind == "image" else "table-mlp"


def resolve_model(model, kind: str, dataset_name: str) -> dict:
    """A spec from a recipe name, a spec file, a dict or a list; None picks the data's default."""
    from pathlib import Path

    from neuroflow.models.spec import normalise, read_spec

    if model is None:
        model = default_recipe(kind, dataset_name)
    if isinstance(model, str) and model in RECIPES:
        return normalise(recipe(model))
    if isinstance(model, str) and not Path(model).suffix:
        recipe(model)  # raises the unknown-recipe error with the list
    return read_spec(model)
