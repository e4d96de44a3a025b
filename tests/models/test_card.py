import re

import pytest
import yaml

import neuroflow as nf
from neuroflow.models.card import card_text, model_card
from tests.bars import TINY_CNN, bars_dataset

SECTIONS = [
    "## What the model is",
    "## Training data and preprocessing",
    "## Training procedure",
    "## Evaluation results",
    "## Intended use and limitations",
    "## How to use",
    "## License",
]


def _front_matter(card: str) -> dict:
    match = re.match(r"---\n(.*?)\n---\n", card, re.S)
    assert match, card[:200]
    return yaml.safe_load(match.group(1))


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    folder = tmp_path_factory.mktemp("card") / "iris"
    model = nf.train(
        "iris", model="iris-mlp", epochs=8, progress="quiet", license="cc-by-4.0", out=folder
    )
    nf.evaluate(model)  # refreshes README.md with the figures
    return model, folder


def test_front_matter_has_what_model_hubs_read(iris):
    model, folder = iris
    meta = _front_matter((folder / "README.md").read_text())
    assert meta["library_name"] == "neuroflow" and meta["license"] == "cc-by-4.0"
    assert meta["pipeline_tag"] == "tabular-classification" and {
        "neuroflow",
        "table",
        "classification",
    } <= set(meta["tags"])
    assert meta["datasets"] == ["iris"] and "metrics" not in meta
    [index] = meta["model-index"]
    [result] = index["results"]
    assert index["name"] == model.config["name"] == "iris-mlp"
    assert result["task"] == {"type": "tabular-classification", "name": "Tabular classification"}
    assert result["dataset"] == {"name": "iris", "type": "iris", "split": "test"}
    assert {m["type"]: m["value"] for m in result["metrics"]} == {
        {"brier": "brier_score"}.get(k, k): round(v, 4) for k, v in model.config["metrics"].items()
    }
    assert {m["name"] for m in result["metrics"]} >= {"Accuracy", "Brier score"}


def test_card_sections_in_order_with_figures_from_config(iris):
    model, folder = iris
    card = (folder / "README.md").read_text()
    positions = [card.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    assert "| dense_1 | Dense | 10 | 50 |" in card and "Parameters: 193." in card
    assert model.config["weights"]["sha256"] in card
    assert (
        f"| seed | {model.config['training']['seed']} |" in card
        and f"| wall time (s) | {model.config['training']['wall_time_s']} |" in card
    )
    assert "| epochs run | 8 |" in card and "| learning rate | 0.01 |" in card and "machine" in card
    assert (
        f"| accuracy | {model.config['metrics']['accuracy']:.4f} |" in card
        and "![confusion matrix](confusion_matrix.png)" in card
    )
    assert (folder / "confusion_matrix.png").exists() and (folder / "loss_curve.png").exists()
    assert f"(x − {model.preprocessing['columns'][0]['mean']:.4g})" in card
    assert "Not trained on: rows without the columns sepal_length" in card
    assert "cc-by-4.0 (set by the author with `--license`)" in card


def test_unevaluated_card_without_license_says_so():
    model = nf.train("iris", model="iris-mlp", epochs=1, progress="quiet", post_fit=False)
    card = model_card(model)
    meta = _front_matter(card)
    assert meta["license"] == "other" and "metrics" not in meta and "model-index" not in meta
    assert (
        "Not evaluated yet: run `neuroflow evaluate`" in card and "Not stated by the author" in card
    )


def test_image_card_and_fine_tuned_lineage():
    parent = nf.train(bars_dataset(60), model=TINY_CNN, epochs=1, progress="quiet", post_fit=False)
    parent.config["weights"] = {"file": "model.safetensors", "sha256": "ab" * 32}
    child = nf.train(
        bars_dataset(60, classes=("cross", "diagonal"), seed=1, name="crosses"),
        parent=parent,
        freeze="features",
        new_head=True,
        epochs=1,
        progress="quiet",
        post_fit=False,
    )
    card = model_card(child)
    meta = _front_matter(card)
    assert (
        meta["pipeline_tag"] == "image-classification"
        and meta["base_model"] == parent.config["name"]
    )
    assert (
        "## Fine-tuned from" in card
        and f"**{parent.config['name']}** (weights sha256 `{'ab' * 32}`)" in card
    )
    assert (
        "with a new output layer" in card
        and f"{child.config['training']['frozen_parameters']:,} parameters stayed frozen" in card
    )
    assert (
        "anything but 28×28 pictures of cross and diagonal" in card
        and "28×28×1 uint8 pixels" in card
    )


def test_card_works_from_config_alone(iris):
    model, _ = iris
    config = dict(model.config)
    assert card_text(config, model.history) == model_card(model)
    del config["summary"]
    assert "| dense_1 | Dense | 10 | 50 |" in card_text(config, network=model.network)
