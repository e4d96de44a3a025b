"""neuroflow.cli.basics: `neuroflow neuron` prints the lesson's arithmetic, `neuroflow doctor` the
install; bad input is one line."""

from __future__ import annotations

import pytest


def test_cli_prints_the_arithmetic(cli):
    res = cli(
        "neuron",
        "--inputs",
        "0",
        "0.5",
        "1",
        "--weights",
        "-1",
        "-0.5",
        "0.5",
        "--bias",
        "1",
        "--activation",
        "relu",
    )
    assert res.code == 0
    assert "0.25 + 1 = 1.25" in res.out
    assert "max(1.25, 0) = 1.25" in res.out
    assert res.out.strip().endswith("Neuron output = 1.25")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--inputs", "0", "1", "--weights", "1"], "2 inputs but 1 weights"),
        (["--inputs", "x", "--weights", "1"], "not a number"),
        (["--inputs", "1", "--weights", "1", "--activation", "bogus"], "unknown activation"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(cli, args, message):
    res = cli("neuron", *args)
    assert res.code == 2
    assert message in res.err
    assert len(res.err.strip().splitlines()) == 1
    assert "Traceback" not in res.output


def test_doctor_reports_versions_and_is_healthy(cli):
    res = cli("doctor")
    assert res.code == 0
    for name in (
        "Python",
        "torch",
        "numpy",
        "pandas",
        "scikit-learn",
        "matplotlib",
        "AVX2",
        "AVX-512",
        "cache",
    ):
        assert name in res.out
