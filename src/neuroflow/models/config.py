"""The one builder of a model's config.json: what training records, and what saving adds to it.

Training calls `build_config`; saving and ONNX export complete it with `saved_config` and
`exported_config`, so format, versions, layer summary and checksums are written in one place.
"""

from __future__ import annotations

import platform

from neuroflow._version import __version__

FORMAT = "neuroflow-model"
FORMAT_VERSION = 1
WEIGHTS = "model.safetensors"
DETECTOR = "detector.safetensors"


def model_name(data: str, recipe: str | None) -> str:
    """DATA-RECIPE without saying a word twice where they meet: iris + iris-mlp -> iris-mlp,
    fashion-mnist + mnist-cnn -> fashion-mnist-cnn, digits + image-cnn -> digits-image-cnn.

    The one name of a trained model, its default folder (models/NAME) and its tuning study.
    """
    data = str(data).removesuffix(".csv")
    recipe = str(recipe or "default")
    head, tail = data.split("-"), recipe.split("-")
    for n in range(min(len(head), len(tail)), 0, -1):
        if [w.lower() for w in head[-n:]] == [w.lower() for w in tail[:n]]:
            return "-".join(head + tail[n:])
    return f"{data}-{recipe}"


def build_config(
    dataset, spec: dict, training: dict, lineage: dict, name: str | None = None
) -> dict:
    """config.json as training leaves it: data, preprocessing, resolved spec, settings, lineage.

    `training` is the finished "training" object (see `training_record`); `spec` the resolved
    spec that `build_network` returns.
    """
    return {
        "name": name or model_name(dataset.name, spec.get("name", "custom")),
        "kind": dataset.kind,
        "task": dataset.task,
        "class_names": dataset.class_names,
        "input": {
            "shape": list(dataset.input_shape),
            "dtype": "uint8" if dataset.kind == "image" else "float32",
            "feature_names": dataset.feature_names,
        },
        "preprocessing": dataset.preprocessing,
        "spec": spec,
        "dataset": {
            "name": dataset.name,
            "description": dataset.describe(),
            "source": dataset.source,
        },
        "training": training,
        "lineage": lineage,
    }


def training_record(
    settings: dict,
    *,
    epochs_run: int,
    wall_time_s: float,
    threads: int,
    frozen_parameters: int,
    first_step_s: float | None,
) -> dict:
    """The "training" object: the resolved settings (unset ones left out) and how the run went."""
    import torch

    return {
        **{k: v for k, v in settings.items() if v is not None},
        "epochs_run": epochs_run,
        "wall_time_s": round(wall_time_s, 2),
        "threads": threads,
        "machine": f"{platform.machine()}, {platform.system()}, torch {torch.__version__}",
        "frozen_parameters": frozen_parameters,
        "time_to_first_batch_s": None if first_step_s is None else round(first_step_s, 4),
    }


def summary_rows(network) -> list[dict]:
    """Each layer's name, type, output shape and parameter count, as config["summary"] has them."""
    return [
        {"name": b.name, "type": b.kind, "output_shape": list(b.output_shape), "params": b.params}
        for b in network.built
    ]


def saved_config(config: dict, network, weights_sha256: str) -> dict:
    """A copy of `config` stamped for the model folder: format, this neuroflow, weights, summary."""
    config = dict(config)
    config.update(format=FORMAT, format_version=FORMAT_VERSION, neuroflow_version=__version__)
    config["weights"] = {"file": WEIGHTS, "sha256": weights_sha256}
    config["summary"] = summary_rows(network)  # so `neuroflow info` can show it without torch
    return config


def exported_config(config: dict, network) -> dict:
    """A copy of `config` for an ONNX file: what a save adds, keeping what a save already wrote."""
    config = dict(config)
    config.setdefault("format", FORMAT)
    config.setdefault("format_version", FORMAT_VERSION)
    config.setdefault("neuroflow_version", __version__)
    config.setdefault("summary", summary_rows(network))
    return config
