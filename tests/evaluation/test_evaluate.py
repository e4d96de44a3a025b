import json

import pytest

import neuroflow as nf
from neuroflow.errors import DataError
from neuroflow.evaluation.evaluate import evaluate
from neuroflow.evaluation.report import format_report


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evaluate") / "iris"
    return nf.train("iris", model="iris-mlp", epochs=20, progress="quiet", out=folder)


def test_evaluate_reports_figures_and_records_them_in_the_folder(iris):
    report = evaluate(iris)
    assert report["data"] == "iris test split (30 examples)" and 0 <= report["accuracy"] <= 1
    config = json.loads((iris.path / "config.json").read_text())
    assert config["metrics"]["accuracy"] == round(report["accuracy"], 6)
    assert (iris.path / "confusion_matrix.png").is_file()
    text = format_report(report, iris)
    assert text.startswith("Model iris-mlp on iris test split (30 examples)\naccuracy ")
    assert f"wrote {iris.path / 'confusion_matrix.png'}" in text


def test_figures_elsewhere_leave_the_card_alone(iris, tmp_path):
    before = (iris.path / "README.md").read_text()
    evaluate(iris, out=tmp_path)
    assert (tmp_path / "confusion_matrix.png").is_file()
    assert (iris.path / "README.md").read_text() == before


def test_data_without_rows_is_a_data_error(iris, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("sepal_length,sepal_width,petal_length,petal_width,species\n")
    with pytest.raises(DataError, match="has a header but no rows"):
        evaluate(iris, str(empty))
