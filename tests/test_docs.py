"""The README's and docs' commands, run as written, and the figures they quote, read from a run."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import REPO


def block_after(path: Path, heading: str) -> list[str]:
    """The command lines of the first code block after `heading`, comments removed."""
    text = path.read_text(encoding="utf-8")
    rest = text[text.index(heading) :]
    block = re.search(r"```[a-z]*\n(.*?)```", rest, re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


@pytest.mark.slow
def test_the_onnx_block_runs_as_written(cli, tmp_path, monkeypatch):
    """docs/guides/sharing.md "ONNX": export's default file is the one the next line predicts
    with."""
    import shutil

    import neuroflow as nf

    pytest.importorskip("onnxruntime")
    monkeypatch.chdir(tmp_path)
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    nf.train("iris", epochs=1, progress="quiet", out="models/iris")
    lines = block_after(REPO / "docs" / "guides" / "sharing.md", "## ONNX")
    assert [line.split()[1] for line in lines] == ["export", "predict"]
    for line in lines:
        res = cli(*shlex.split(line)[1:])
        assert res.code == 0, f"{line}: {res.output}"
    assert (tmp_path / "models" / "iris.onnx").is_file()


@pytest.mark.slow
def test_the_tour_prints_what_the_readme_quotes_and_writes_what_it_lists(
    cli, tmp_path, monkeypatch
):
    """README "A short tour": train and predict run as written and print the line quoted beside
    them; docs/tour.md's "What training writes" names every file of the folder after train and
    evaluate."""
    import shutil

    monkeypatch.chdir(tmp_path)
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    lines = block_after(REPO / "README.md", "## A short tour")
    text = (REPO / "README.md").read_text(encoding="utf-8")
    for line in lines:
        if line.startswith(("neuroflow train iris", "neuroflow evaluate models/iris")):
            assert cli(*shlex.split(line)[1:]).code == 0, line
    predict = next(line for line in lines if line.startswith("neuroflow predict models/iris"))
    quoted = next(
        raw.split("# ", 1)[1] for raw in text.splitlines() if raw.startswith(predict + " ")
    )
    res = cli(*shlex.split(predict)[1:])
    assert res.code == 0 and res.out.splitlines()[0] == quoted, res.out
    tour = (REPO / "docs" / "tour.md").read_text(encoding="utf-8")
    table = tour[tour.index("## What training writes") :].split("\n\n")[2]
    listed = set(re.findall(r"`([\w.]+\.(?:json|safetensors|md|png))`", table))
    written = {p.name for p in (tmp_path / "models" / "iris").iterdir()}
    assert written <= listed, written - listed


def test_every_file_the_makefile_names_exists():
    """A path from the repository root, or a file name that some folder of the repository holds."""
    makefile = (REPO / "Makefile").read_text()
    named = set(re.findall(r"[\w./-]+\.(?:md|toml|py)\b", makefile))
    names = {p.name for d in ("benchmarks", "docs", "src", "tests") for p in (REPO / d).rglob("*")}
    missing = [n for n in named if not (REPO / n).exists() and Path(n).name not in names]
    assert missing == []
