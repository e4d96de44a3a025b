"""Every import the page makes of neuroflow's internal modules, in one place.

The rest of `neuroflow.web` uses the public API (`import neuroflow as nf`) and this module only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def builtin_datasets() -> dict[str, str]:
    """Built-in dataset names → one-line descriptions."""
    from neuroflow.data.registry import BUILTIN_DATASETS

    return {name: entry.about for name, entry in BUILTIN_DATASETS.items()}


def model_name(data: str, recipe: str | None) -> str:
    """The name `neuroflow train` gives a model of DATA and RECIPE (no word said twice)."""
    from neuroflow.models.config import model_name as name

    return name(data, recipe)


def recipes() -> dict[str, str]:
    """Built-in recipe names → descriptions."""
    from neuroflow.models.recipes import RECIPES

    return {name: r.get("description", "") for name, r in RECIPES.items()}


def image_extensions() -> tuple[str, ...]:
    from neuroflow.data.pictures.images import IMAGE_EXTENSIONS

    return IMAGE_EXTENSIONS


def read_config(path: Path) -> dict:
    """A model folder's or bundle's config.json, checked, without loading torch or the weights."""
    from neuroflow.models.config_check import check_config
    from neuroflow.models.store import read_config
    from neuroflow.models.unbundle import is_zip, read_bundle_config

    if is_zip(path):
        return check_config(read_bundle_config(path), path, f"{path.name}:config.json")
    return read_config(path)


def model_files(path: Path) -> dict[str, bytes]:
    """The PNG figures and README.md of a model folder or bundle, read into memory (checked
    unpacking)."""
    from neuroflow.models.unbundle import extracted, is_zip

    def read(folder: Path) -> dict[str, bytes]:
        return {
            p.name: p.read_bytes()
            for p in sorted(folder.iterdir())
            if p.is_file() and not p.is_symlink() and p.suffix.lower() in (".png", ".md")
        }

    if is_zip(path):
        with extracted(path) as folder:
            return read(folder)
    return read(path)


def model_card(model) -> str:
    """The model card (Markdown with YAML front matter), made from the model as training
    writes it."""
    from neuroflow.models.card import model_card as card

    return card(model)


def prediction_json(results) -> list[dict]:
    """Predictions as `neuroflow predict --format json` prints them."""
    return [r.as_dict() for r in results]


def predict_picture(model, picture: Path) -> tuple[list, np.ndarray]:
    """`nf.predict(model, [picture])` in its two steps, so the page also gets the prepared input:
    the predictions and the picture as the network saw it (uint8 N×H×W×C)."""
    from neuroflow.inference.predict import predict_arrays
    from neuroflow.models.raw_inputs import image_inputs

    x, names, truths = image_inputs(model, [picture])
    return predict_arrays(model, x, names, truths), x


def first_feature_maps(model, x: np.ndarray) -> np.ndarray | None:
    """The first Conv2D layer's output (channels, H, W) for one prepared picture (uint8 H×W×C),
    or None for a network without one; the layers after it are not run."""
    import torch

    from neuroflow.models.logits import image_scale, to_input

    network = model.network
    if not any(b.kind == "Conv2D" for b in network.built):
        return None
    out = to_input(torch.from_numpy(np.array(x[None])), image_scale(model.preprocessing))
    network.eval()
    with torch.inference_mode():
        for built, layer in zip(network.built, network.layers, strict=True):
            out = layer(out)
            if built.kind == "Conv2D":
                return out[0].numpy()
    return None
