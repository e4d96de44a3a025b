"""The lesson notebooks run top to bottom in a fresh folder, and every exercise's solution passes
its check.

Each lesson is read from its jupytext percent file and executed by nbclient in an ipykernel kernel
that runs this interpreter (no Jupyter server); fast mode (NEUROFLOW_LESSON_FAST=1) keeps the set
short.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import jupytext
import nbclient
import pytest

import neuroflow

REPO = Path(__file__).resolve().parents[2]
LESSONS = REPO / "lessons"
SHARED_MNIST = REPO.parent / "shared" / "data" / "mnist"
NOTEBOOKS = sorted(LESSONS.glob("[0-9][0-9]_*.py"))
KERNEL = "neuroflow-lessons"
NEEDS_MNIST = ("03_", "04_", "05_")


@pytest.fixture
def lesson_env(tmp_path, monkeypatch):
    """A kernel spec for this interpreter, and the environment the kernel inherits."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "neuroflow lessons",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    # The kernel imports this checkout's neuroflow and lesson_tools, whatever folder it runs in.
    source = Path(neuroflow.__file__).resolve().parents[1]
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(LESSONS), str(source), os.environ.get("PYTHONPATH", "")])
    )
    monkeypatch.setenv("NEUROFLOW_DATA", str(SHARED_MNIST))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # plots go inline, as in Jupyter
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    work = tmp_path / "work"
    work.mkdir()
    return work


def execute(path: Path, work: Path, fast: bool, monkeypatch) -> list:
    """Run the notebook in `work`; returns its cells with their outputs. Any error fails the
    test."""
    if fast:
        monkeypatch.setenv("NEUROFLOW_LESSON_FAST", "1")
    else:
        monkeypatch.delenv("NEUROFLOW_LESSON_FAST", raising=False)
    if (
        path.name.startswith(NEEDS_MNIST)
        and not (SHARED_MNIST / "train-images-idx3-ubyte.gz").exists()
    ):
        pytest.skip(f"the shared MNIST files are not at {SHARED_MNIST}")
    nb = jupytext.read(path)
    client = nbclient.NotebookClient(
        nb, kernel_name=KERNEL, timeout=900, resources={"metadata": {"path": str(work)}}
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as err:
        pytest.fail(f"{path.name}: {err}", pytrace=False)
    finally:
        import nbformat

        nbformat.write(
            nb, work / path.with_suffix(".ipynb").name
        )  # the executed notebook, for a look after a failure
    return nb.cells


def text_of(cell) -> str:
    return "".join(
        o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream"
    )


def check_exercises(name: str, cells: list) -> None:
    solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
    assert solutions, f"{name} has no exercises"
    for cell in solutions:
        out = text_of(cell)
        assert "✓ right" in out and "✗ not yet" not in out, (
            f"{name}: an exercise's solution fails its check:\n{cell.source}\n{out}"
        )
        assert cell.metadata.get("jupyter", {}).get("source_hidden"), (
            f"{name}: a solution cell is not collapsed"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_lesson_runs_in_fast_mode(path, lesson_env, monkeypatch):
    cells = execute(path, lesson_env, fast=True, monkeypatch=monkeypatch)
    check_exercises(path.name, cells)
    # Each placeholder answer is caught by its check, so a learner who runs everything sees what is
    # left to do.
    placeholders = [
        c for c in cells if c.cell_type == "code" and "✗ not yet: replace the ..." in text_of(c)
    ]
    assert len(placeholders) == sum("solution" in c.metadata.get("tags", []) for c in cells)


def test_lessons_are_all_there():
    assert [p.name[:3] for p in NOTEBOOKS] == ["01_", "02_", "03_", "04_", "05_"]


@pytest.mark.slow
def test_lesson_04_at_full_size_reaches_99_percent(lesson_env, monkeypatch):
    path = next(p for p in NOTEBOOKS if p.name.startswith("04_"))
    execute(path, lesson_env, fast=False, monkeypatch=monkeypatch)
    results = json.loads((lesson_env / "lesson04-files" / "results.json").read_text())
    assert results["epochs"] == 3
    assert results["test_accuracy"] >= 0.99, results
