import pytest

import neuroflow as nf
from neuroflow.models.describe import classes, describe_input, info_text, one_line


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    folder = tmp_path_factory.mktemp("describe") / "iris"
    model = nf.train(
        "iris", model="iris-mlp", epochs=4, progress="quiet", license="cc-by-4.0", out=folder
    )
    nf.evaluate(model)
    return model


def test_info_works_from_config_alone(iris):
    config = dict(iris.config)
    text = info_text(config)
    assert "Total params: 193" in text and "license        cc-by-4.0" in text and "accuracy" in text
    del config["summary"]
    assert "layers: Dense, Dense, Dense" in info_text(config)


def test_phrases_name_classes_and_columns(iris):
    assert classes(iris.config) == "setosa, versicolor and virginica"
    assert describe_input(iris.config).startswith("one table row of 4 columns (sepal_length,")
    assert one_line(iris.config).startswith("A table classifier that tells setosa, versicolor")


def test_many_classes_are_shortened():
    config = {"class_names": [str(i) for i in range(20)]}
    assert classes(config) == "20 classes (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, …)"


def test_sentences_read_as_english_for_one_and_for_many():
    from neuroflow.models.card import card_text
    from neuroflow.models.describe import counted, describe_output

    assert [counted(1, "column"), counted(4, "column")] == ["1 column", "4 columns"]
    assert counted(1, "category", "categories") == "1 category"
    image = {
        "kind": "image",
        "task": "classification",
        "class_names": ["cat", "dog"],
        "dataset": {"name": "pets"},
        "preprocessing": {"type": "image", "height": 8, "width": 8, "channels": 1},
        "training": {"epochs_run": 1},
    }
    assert one_line(image) == (
        "An image classifier that tells cat and dog apart, trained on pets with neuroflow."
    )
    assert one_line(image | {"neuroflow_version": "1.2"}).endswith("with neuroflow 1.2.")
    assert describe_input(image).endswith("with 1 channel")
    assert describe_output(image) == "a probability for each of 2 classes (cat and dog)"
    assert "\ntraining  1 epoch (" in info_text(image)
    lineage = {"parent": {"name": "p", "sha256": "ab"}, "tensors_copied": 1}
    card = card_text(image | {"lineage": lineage})
    assert "copying 1 weight tensor, " in card and "A image" not in card
    table = {
        "kind": "table",
        "task": "regression",
        "dataset": {"name": "prices"},
        "preprocessing": {
            "type": "table",
            "target": "price",
            "columns": [{"name": "town", "kind": "category", "categories": ["Oslo"]}],
        },
    }
    assert one_line(table).startswith("A table regression model that predicts price")
    assert describe_input(table).startswith("one table row of 1 column (town)")
