"""neuroflow.cli.app: every failure ends in one line and its exit status; several-value flags."""

from __future__ import annotations

import pytest

import neuroflow.cli.main  # noqa: F401  (registers the commands)
from neuroflow.cli import app as cli_app
from neuroflow.cli.app import _join_multi_values, app, run_app
from neuroflow.errors import CheckFailed, DataError


@pytest.fixture
def failing(monkeypatch):
    """A command `boom` that raises what the test puts in `raised[0]`."""
    raised: list[BaseException] = []

    @app.command("boom", hidden=True)
    def boom() -> None:
        raise raised[0]

    yield raised
    app.registered_commands[:] = [c for c in app.registered_commands if c.name != "boom"]


def status(capsys, error: BaseException) -> tuple[int, str]:
    try:
        code = run_app(["boom"])
    except SystemExit as exit_:
        code = exit_.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    "error, code, line",
    [
        (DataError("no rows", "add rows"), 2, "error: no rows. Add rows.\n"),
        (CheckFailed("accuracy 0.5 is below 0.9"), 1, "error: accuracy 0.5 is below 0.9.\n"),
        (KeyboardInterrupt(), 130, "error: interrupted\n"),
        (MemoryError(), 1, "error: ran out of memory; try a smaller --batch-size or a smaller"),
        (
            FileNotFoundError(2, "No such file or directory", "x.csv"),
            2,
            "error: No such file or directory: x.csv; check the path",
        ),
        (ZeroDivisionError("boom"), 1, "error: internal error (ZeroDivisionError: boom); rerun"),
    ],
)
def test_each_failure_is_one_line_and_its_exit_status(failing, capsys, error, code, line):
    failing.append(error)
    got, err = status(capsys, error)
    assert got == code and err.startswith(line) and err.count("\n") == 1


def test_debug_keeps_the_traceback_of_bad_input_and_bugs(failing, monkeypatch):
    monkeypatch.setenv("NEUROFLOW_DEBUG", "1")
    failing.append(ZeroDivisionError("boom"))
    with pytest.raises(ZeroDivisionError):
        run_app(["boom"])


def test_usage_errors_point_to_help_and_no_arguments_prints_help(capsys):
    with pytest.raises(SystemExit) as exit_:
        run_app(["no-such-command"])
    assert exit_.value.code == 2
    assert "(see 'neuroflow --help')" in capsys.readouterr().err
    assert run_app([]) == 0 and "Usage: neuroflow" in capsys.readouterr().out


def test_several_values_after_a_flag_become_one_argument():
    argv = ["neuron", "--inputs", "0", "-0.5", "1", "--bias", "1", "--weights", "-1", "2"]
    assert _join_multi_values(argv) == [
        "neuron", "--inputs", "0 -0.5 1", "--bias", "1", "--weights", "-1 2",
    ]  # fmt: skip
    assert {"--inputs", "--weights"} == cli_app.MULTI_VALUE_FLAGS
