import json

import pytest

from tests.conftest import run_process
from tests.tables import diabetes_table, survey_table


@pytest.fixture(scope="module")
def iris_dir(tmp_path_factory):
    from neuroflow.cli.main import run_app

    out = tmp_path_factory.mktemp("cli") / "iris"
    assert run_app(["train", "iris", "--model", "iris-mlp", "--out", str(out), "--quiet"]) == 0
    return out


def test_train_prints_progress_accuracy_and_saves(cli, tmp_path):
    out = tmp_path / "m"
    res = cli("train", "iris", "--model", "iris-mlp", "--epochs", "3", "--out", out)
    assert res.code == 0, res.err
    assert "Epoch 3/3" in res.out and "val_accuracy" in res.out
    assert "test accuracy" in res.out and f"Model saved to {out}" in res.out
    assert (out / "loss_curve.png").stat().st_size > 1000


def without_times(text: str) -> str:
    """A card's or history's text less the lines that hold wall-clock times."""
    return "\n".join(line for line in text.splitlines() if "time" not in line)


@pytest.mark.slow  # two trainings and their test evaluations
def test_quiet_prints_nothing_and_writes_the_same_folder(cli, tmp_path):
    quiet = cli("train", "iris", "--epochs", "2", "--out", tmp_path / "q", "--quiet")
    loud = cli("train", "iris", "--epochs", "2", "--out", tmp_path / "l")
    assert (
        quiet.code == loud.code == 0
        and quiet.out == quiet.err == ""
        and "test accuracy" in loud.out
    )
    q, l = tmp_path / "q", tmp_path / "l"  # noqa: E741
    assert sorted(p.name for p in q.iterdir()) == sorted(p.name for p in l.iterdir())
    assert {"confusion_matrix.png", "loss_curve.png"} <= {p.name for p in q.iterdir()}
    for name in [p.name for p in q.iterdir() if p.suffix in (".png", ".safetensors")]:
        assert (q / name).read_bytes() == (l / name).read_bytes(), name
    for name in ("README.md", "history.json", "config.json"):
        assert without_times((q / name).read_text()) == without_times((l / name).read_text())
    card = (q / "README.md").read_text()
    assert "model-index" in card and "Not evaluated yet" not in card


def test_evaluate_reports_figures_and_pictures(cli, iris_dir):
    res = cli("evaluate", iris_dir)
    assert res.code == 0
    assert "accuracy" in res.out and "confusion matrix" in res.out and "precision" in res.out
    assert (iris_dir / "confusion_matrix.png").exists()
    report = json.loads(cli("evaluate", iris_dir, "--json").out)
    assert report["accuracy"] >= 0.93
    assert len(report["confusion_matrix"]) == 3
    card = (iris_dir / "README.md").read_text()
    assert card.startswith("---\nlibrary_name: neuroflow") and "accuracy" in card


def test_predict_lesson_style_with_truth(cli, iris_dir, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.3,1.7,0.5,setosa\n6.9,3.1,5.4,2.1,virginica\n"
    )
    res = cli("predict", iris_dir, rows)
    assert res.code == 0
    assert "✓ row 1: Prediction is 'setosa'" in res.out and "expected 'virginica'" in res.out
    data = json.loads(cli("predict", iris_dir, rows, "--format", "json").out)
    assert data[0]["prediction"] == "setosa" and 0.5 < data[0]["probability"] <= 1
    assert (
        cli("predict", iris_dir, rows, "--format", "csv")
        .out.splitlines()[0]
        .startswith("input,prediction,probability")
    )


def test_survey_table_with_text_and_blanks_reaches_95(cli, tmp_path):
    path = tmp_path / "survey.csv"
    survey_table().to_csv(path, index=False)
    res = cli("evaluate", _train(cli, path, "species", tmp_path / "s"), "--json")
    assert json.loads(res.out)["accuracy"] >= 0.95
    raw = tmp_path / "raw.csv"
    survey_table(5, seed=9).drop(columns=["species"]).assign(
        island=["Atlantis", "Dream", None, "Biscoe", "Dream"]
    ).to_csv(raw, index=False)
    res = cli("predict", tmp_path / "s", raw)
    assert res.code == 0 and res.out.count("Prediction is") == 5


@pytest.mark.slow
def test_regression_table_reports_r2(cli, tmp_path):
    path = tmp_path / "diabetes.csv"
    diabetes_table().to_csv(path, index=False)
    report = json.loads(
        cli("evaluate", _train(cli, path, "progression", tmp_path / "d"), "--json").out
    )
    assert report["task"] == "regression" and report["r2"] >= 0.4
    assert (tmp_path / "d" / "predicted_vs_true.png").exists()


def _train(cli, path, target, out):
    res = cli("train", path, "--target", target, "--out", out, "--quiet")
    assert res.code == 0, res.err
    return out


def test_models_and_inspect(cli):
    assert "mnist-cnn" in cli("models").out
    res = cli("inspect", "iris")
    assert "species" in res.out and "standardise" in res.out and "setosa" in res.out


def test_help_and_neuron_do_not_import_torch():
    code = (
        "import sys; from neuroflow.cli.main import run_app; run_app({!r}); "
        "print('torch' in sys.modules)"
    )
    import subprocess
    import sys

    for argv in (["--help"], ["neuron", "--inputs", "1", "--weights", "2"]):
        out = subprocess.run(
            [sys.executable, "-c", code.format(argv)], capture_output=True, text=True
        ).stdout
        assert out.strip().endswith("False"), out


def test_resume_after_interrupt_from_cli(cli, tmp_path):
    res = cli("train", "iris", "--epochs", "2", "--out", tmp_path / "r", "--quiet")
    assert res.code == 0
    res = cli("train", "--resume", tmp_path / "r")
    assert res.code == 2 and "no checkpoint" in res.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "missing.csv", "--target", "y"], "no dataset called 'missing.csv'"),
        (["train", "iris", "--epochs", "0"], "--epochs must be at least 1"),
        (["train", "iris", "--epochs", "-3"], "--epochs must be at least 1"),
        (["train", "iris", "--model", "nonsense"], "unknown recipe"),
        (["train", "iris", "--lr", "-1"], "learning rate"),
        (["train", "iris", "--optimizer", "magic"], "unknown optimizer"),
        (["evaluate", "no-such-model"], "not found"),
        (["predict", "no-such-model", "x.csv"], "not found"),
        (["inspect", "nope"], "no dataset called"),
        (["train"], "train needs DATA"),
    ],
)
def test_bad_input_one_line_exit_2(cli, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    res = cli(*args)
    assert res.code == 2, res.output
    assert message in res.err
    assert len(res.err.strip().splitlines()) == 1
    assert "Traceback" not in res.output
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"a,b,y\n", "no rows"),
        (b"a,y\n1,x\n2,x\n3,x\n4,x\n5,x\n6,x\n7,x\n8,x\n9,x\n10,x\n11,x\n", "single class"),
        (b"a,b,y\n1,,p\n2,,q\n", "blank in every row"),
        ("a,y\ncaf\u00e9,p\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_bad_csv_leaves_no_folder(cli, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    res = cli("train", path, "--target", "y", "--out", tmp_path / "out")
    assert res.code == 2 and message in res.err and "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_unknown_layer_in_spec_lists_known(cli, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("layers:\n  - Dense(10, activation='relu')\n  - Densse(3)\n")
    res = cli("train", "iris", "--model", spec, "--out", tmp_path / "o")
    assert res.code == 2 and "unknown layer 'Densse'" in res.err and "Dense" in res.err
    assert not (tmp_path / "o").exists()


def test_python_module_entry_point():
    res = run_process(
        "neuron", "--inputs", "0", "0.5", "1", "--weights", "-1", "-0.5", "0.5", "--bias", "1"
    )
    assert res.code == 0 and "Neuron output = 1.25" in res.out


def test_help_gives_defaults_and_what_each_option_takes(cli):
    train = " ".join(cli("train", "--help").out.split())
    for said in (
        "(default: the recipe's, else 10)",
        "(default: the recipe's, else 32)",
        "(default: the recipe's, else 0.001)",
        "(default: 0)",
        "stop or continue (default: stop)",
        "a model folder or a bundle .zip",
        "an image folder or a CSV table",
        "the model's own name",
    ):
        assert said in train, said
    assert "Required: run until the study holds" in " ".join(cli("tune", "--help").out.split())


def test_the_default_folder_has_the_model_s_own_name(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli("train", "iris", "--epochs", "1", "--quiet").code == 0
    config = json.loads((tmp_path / "models" / "iris-mlp" / "config.json").read_text())
    assert config["name"] == "iris-mlp" and sorted(
        p.name for p in (tmp_path / "models").iterdir()
    ) == ["iris-mlp"]
