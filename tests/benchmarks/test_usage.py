"""Every benchmark answers --help with what it does instead of starting a run."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

MAINS = sorted(
    p.stem
    for p in (REPO / "benchmarks").glob("*.py")
    if p.stem not in ("__main__", "unknown_input")  # unknown_input's --help comes with argparse
    and 'if __name__ == "__main__":' in p.read_text()
)


@pytest.mark.parametrize("name", MAINS)
def test_help_prints_the_docstring_and_runs_nothing(name, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)  # anything a run wrote would show here
    monkeypatch.setattr(sys, "argv", [f"benchmarks/{name}.py", "--help"])
    with pytest.raises(SystemExit) as ended:
        runpy.run_module(f"benchmarks.{name}", run_name="__main__")
    assert ended.value.code in (0, None)
    out = capsys.readouterr().out
    first = (REPO / "benchmarks" / f"{name}.py").read_text().split('"""')[1].split()[0]
    assert first in out and list(Path(tmp_path).iterdir()) == []
