from types import SimpleNamespace

from neuroflow.inference.predict import Prediction
from neuroflow.inference.tables import format_predictions

TABLE = SimpleNamespace(task="classification", kind="table", class_names=["a", "b"])
IMAGE = SimpleNamespace(task="classification", kind="image", class_names=["a", "b"])


def test_table_lines_say_the_class_probability_and_truth(capsys):
    results = [Prediction("row 1", "a", 0.9, {"a": 0.9, "b": 0.1}, truth="b")]
    text = format_predictions(results, TABLE)
    assert text == "✗ row 1: Prediction is 'a' (90.0%), expected 'b'"
    assert capsys.readouterr().out == ""  # the CLI prints, not the library


def test_image_table_and_unknown_verdicts():
    results = [
        Prediction("x.png", "b", 0.6, {"a": 0.4, "b": 0.6}, score=9.0, known=False),
        Prediction("y.png", "a", 0.7, {"a": 0.7, "b": 0.3}, score=1.0, known=True),
    ]
    text = format_predictions(results, IMAGE, reject=True)
    assert text.splitlines()[0].startswith("x.png: unknown (60.0%)")
    assert text.splitlines()[-1] == "y.png   70%  30%   known"


def test_csv_has_a_column_per_class():
    results = [Prediction("row 1", "a", 0.9, {"a": 0.9, "b": 0.1})]
    assert format_predictions(results, TABLE, "csv").splitlines() == [
        "input,prediction,probability,truth,unknown_score,verdict,a,b",
        "row 1,a,0.900000,,,,0.900000,0.100000",
    ]
