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
