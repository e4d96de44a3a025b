from dataclasses import asdict
from types import SimpleNamespace

import pytest

import neuroflow as nf
from neuroflow._version import __version__
from neuroflow.models.config import (
    FORMAT,
    FORMAT_VERSION,
    build_config,
    exported_config,
    saved_config,
    summary_rows,
    training_record,
)
from neuroflow.models.recipes import resolve_model
from neuroflow.training import TrainSettings


@pytest.fixture(scope="module")
def trained():
    ds = nf.load_dataset("iris")
    model = nf.train(ds, model="iris-mlp", epochs=3, progress="quiet", post_fit=False)
    return ds, model


def test_build_config_gives_the_config_training_builds(trained):
    ds, model = trained
    config = model.config
    built = build_config(ds, config["spec"], config["training"], config["lineage"], None)
    assert built == config
    assert list(built) == list(config)  # the same key order, so config.json reads the same
    assert build_config(ds, config["spec"], {}, {}, "mine")["name"] == "mine"
    assert built["name"] == "iris-mlp"  # not iris-iris-mlp


@pytest.mark.parametrize(
    ("data", "recipe", "name"),
    [
        ("iris", "iris-mlp", "iris-mlp"),
        ("mnist", "mnist-cnn", "mnist-cnn"),
        ("digits", "image-cnn", "digits-image-cnn"),
        ("fashion-mnist", "mnist-cnn", "fashion-mnist-cnn"),
        ("data.csv", "table-mlp", "data-table-mlp"),
        ("iris", None, "iris-default"),
        ("Iris", "iris-mlp", "Iris-mlp"),
        ("irises", "iris-mlp", "irises-iris-mlp"),  # words, not letters
    ],
)
def test_model_name_joins_data_and_recipe_without_repeating_words(data, recipe, name):
    from neuroflow.models.config import model_name
    from neuroflow.training.run import default_out

    assert model_name(data, recipe) == name
    if recipe is not None:
        dataset = SimpleNamespace(name=data, kind="table")
        assert str(default_out(dataset, recipe)) == f"models/{name}"


@pytest.mark.parametrize(
    ("data", "kind", "folder"),
    [("iris", "table", "iris-mlp"), ("mnist", "image", "mnist-cnn"), ("data.csv", "table",
     "data-table-mlp"), ("digits", "image", "digits-image-cnn")],
)  # fmt: skip
def test_the_default_folder_is_the_name_the_model_gives_itself(data, kind, folder):
    """README and --help say models/DATA-MODEL: with no --model, MODEL is the recipe chosen for the
    data, which config.json's name says too (not 'default')."""
    from neuroflow.training.run import default_out

    assert str(default_out(SimpleNamespace(name=data, kind=kind), None)) == f"models/{folder}"


def test_a_trained_model_is_named_by_data_and_recipe():
    ds = nf.load_dataset("iris")
    model = nf.train(ds, model="table-mlp", epochs=1, progress="quiet", post_fit=False)
    assert model.config["name"] == "iris-table-mlp"


def test_training_record_gives_the_training_object_of_a_run(trained):
    _, model = trained
    recorded = model.config["training"]
    settings = TrainSettings(epochs=3).resolved(resolve_model("iris-mlp", "table", "iris"))
    again = training_record(
        asdict(settings),
        epochs_run=len(model.history),
        wall_time_s=recorded["wall_time_s"],
        threads=recorded["threads"],
        frozen_parameters=0,
        first_step_s=recorded["time_to_first_batch_s"],
    )
    assert again == recorded and list(again) == list(recorded)


def test_saving_stamps_format_versions_weights_and_summary(trained):
    _, model = trained
    saved = saved_config(model.config, model.network, "ab" * 32)
    stamped = ["format", "format_version", "neuroflow_version", "weights", "summary"]
    assert list(saved)[-5:] == stamped
    assert saved["weights"] == {"file": "model.safetensors", "sha256": "ab" * 32}
    assert saved["summary"] == summary_rows(model.network)
    first = {"name": "dense_1", "type": "Dense", "output_shape": [10], "params": 50}
    assert saved["summary"][0] == first
    assert "format" not in model.config  # the model's own config is left alone


def test_export_keeps_what_a_save_wrote(trained):
    _, model = trained
    config = {"format": FORMAT, "format_version": FORMAT_VERSION, "neuroflow_version": "0.0.1"}
    out = exported_config({**config, "summary": []}, model.network)
    assert out["neuroflow_version"] == "0.0.1" and out["summary"] == []
    fresh = exported_config({}, model.network)
    assert fresh["format"] == FORMAT and fresh["neuroflow_version"] == __version__
    assert fresh["summary"] == summary_rows(model.network)
