import json

import pytest
import yaml

from neuroflow.tuning.space_file import read_space


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    monkeypatch.setenv("NEUROFLOW_THREADS", "1")


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "space.yaml"
    path.write_text("epochs: {low: 2, high: 4}\nbatch_size: [16, 32]\n")
    return path


def test_tune_prints_trials_table_best_and_writes_results(cli, tmp_path, tiny):
    out = tmp_path / "run"
    res = cli("tune", "iris", "--trials", 3, "--space", tiny, "--out", out)
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    assert lines[0].startswith("Study iris-default in sqlite:///") or lines[0].startswith(
        "Study iris-mlp in sqlite:///"
    )
    header = next(line for line in lines if line.lstrip().startswith("trial ") and "state" in line)
    assert header.split() == [
        "trial",
        "state",
        "val_accuracy",
        "val_accuracy_sd",
        "lr",
        "batch_size",
        "units",
        "epochs",
        "epochs_run",
        "time_s",
    ]
    assert "3 completed, 0 pruned, 0 failed trials" in res.out
    assert "Each trial is scored on stratified 5-fold cross-validation" in lines[0]
    assert " ± " in res.out and "on stratified 5-fold cross-validation on the training" in res.out
    assert f"Best model saved to {out / 'best-model'} (test accuracy" in res.out
    assert {p.name for p in out.iterdir()} >= {
        "study.db",
        "trials.csv",
        "summary.json",
        "optimization_history.png",
        "best-model",
        "best-spec.yaml",
    }


def test_same_command_again_continues_and_json_reports_it(cli, tmp_path, tiny):
    out = tmp_path / "run"
    assert cli("tune", "iris", "--trials", 2, "--space", tiny, "--out", out, "-q").code == 0
    res = cli("tune", "iris", "--trials", 4, "--space", tiny, "--out", out, "--json")
    summary = json.loads(res.out)
    assert (
        summary["ran_here"] == [2, 3]
        and len(summary["trials"]) == 4
        and summary["stopped"] == "done"
    )
    assert summary["files"]["best_model"].endswith("best-model")


def test_show_space_prints_yaml_that_reads_back(cli):
    iris = cli("tune", "iris", "--show-space")
    assert iris.code == 0
    space = read_space(yaml.safe_load(iris.out))
    assert list(space) == ["lr", "batch_size", "units", "epochs"] and space[
        "batch_size"
    ].choices == (8, 16, 32)
    assert "# the width of every hidden Dense layer" in iris.out
    images = cli(
        "tune", "digits", "--show-space"
    )  # a CNN recipe: filters, kernel size and dropout too
    assert images.code == 0
    assert {"dropout", "filters", "kernel_size"} <= set(read_space(yaml.safe_load(images.out)))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "learning_rate: 0.1\n",
            "space.yaml: unknown parameter 'learning_rate'. Known parameters: lr, batch_size",
        ),
        ("lr: {low: 0.1, high: 0.001}\n", "space.yaml: lr has low 0.1 above high 0.001. Swap them"),
        ("batch_size: [16, big]\n", "space.yaml: batch_size must be a number, not 'big'"),
        ("epochs: {low: 2.5, high: 8}\n", "space.yaml: epochs low must be a whole number, not 2.5"),
        (
            "dropout: 0.3\n",
            "space.yaml: 'dropout' would change nothing: the model has no Dropout layer",
        ),
    ],
)
def test_bad_space_is_one_line_and_exit_2(cli, tmp_path, text, words):
    path = tmp_path / "space.yaml"
    path.write_text(text)
    res = cli("tune", "iris", "--trials", 2, "--space", path, "--out", tmp_path / "o")
    assert res.code == 2
    assert (
        res.err.startswith(f"error: {words}")
        and res.err.count("\n") == 1
        and "Traceback" not in res.err
    )
    assert not (tmp_path / "o").exists()  # refused before anything was written


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([], "tune needs --trials N"),
        (["--trials", 0], "--trials must be a whole number of at least 1"),
        (["--trials", 2, "--metric", "val_mae"], "--metric val_mae does not fit classification"),
        (["--trials", 2, "--pruner", "sometimes"], "unknown pruner 'sometimes'"),
        (["--trials", 2, "--model", "no-such-recipe"], "unknown recipe 'no-such-recipe'"),
    ],
)
def test_bad_flags_are_one_line_and_exit_2(cli, tmp_path, args, words):
    res = cli("tune", "iris", *args, "--out", tmp_path / "o")
    assert res.code == 2 and res.err.startswith(f"error: {words}") and res.err.count("\n") == 1


def test_a_folder_of_something_else_is_not_used_for_results(cli, tmp_path, tiny):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    res = cli("tune", "iris", "--trials", 2, "--space", tiny, "--out", busy)
    assert res.code == 2 and "busy exists and holds no tuning results" in res.err
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]


def test_the_same_command_with_every_flag_continues_and_a_changed_flag_is_named(
    cli, tmp_path, tiny
):
    out = tmp_path / "run"
    flags = ["--space", tiny, "--out", out, "--model", "iris-mlp", "--metric", "val_accuracy"]
    flags += ["--pruner", "median", "--seed", 0, "--task", "classification", "--folds", 2, "-q"]
    assert cli("tune", "iris", "--trials", 1, *flags).code == 0
    again = cli("tune", "iris", "--trials", 2, *flags, "--json")
    assert again.code == 0, again.err
    assert json.loads(again.out)["ran_here"] == [1]
    changed = [f if f != 0 else 3 for f in flags]  # --seed 3
    res = cli("tune", "iris", "--trials", 3, *changed[:-1], "--folds", 4, "--pruner", "none")
    assert res.code == 2 and res.err.count("\n") == 1 and "Traceback" not in res.err
    assert res.err.startswith(
        "error: study 'iris-mlp' goes on with the settings it was begun with, and "
        "--pruner was 'median' there, not 'none'; --seed was 0 there, not 3; --folds was 2 there, "
        "not 4."
    )


def test_bad_folds_is_one_line_and_exit_2(cli, tmp_path):
    res = cli("tune", "iris", "--trials", 2, "--folds", 60, "--out", tmp_path / "o")
    assert res.code == 2 and res.err.count("\n") == 1
    assert res.err.startswith("error: --folds 60 needs at least 60 rows of every class")
    assert not (tmp_path / "o").exists()
