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
def test_the_sharing_block_runs_as_written(cli, tmp_path, monkeypatch):
    """README "Sharing a model": export's default file is the one the next line predicts with."""
    import neuroflow as nf
    from tests.images import shapes_folder

    pytest.importorskip("onnxruntime")
    monkeypatch.chdir(tmp_path)
    pictures = shapes_folder(tmp_path / "shapes", n=4, classes=("circle", "square"))
    nf.train(str(pictures), epochs=1, progress="quiet", out="models/mnist")
    (tmp_path / "digit.png").write_bytes(next(pictures.rglob("*.png")).read_bytes())
    lines = block_after(REPO / "README.md", "## Sharing a model")
    for line in lines:
        if line.startswith(("neuroflow export", "neuroflow predict", "neuroflow info")):
            res = cli(*shlex.split(line)[1:])
            assert res.code == 0, f"{line}: {res.output}"
    assert (tmp_path / "models" / "mnist.onnx").is_file()


@pytest.mark.slow
def test_the_tour_prints_what_the_readme_quotes_and_writes_what_it_lists(
    cli, tmp_path, monkeypatch
):
    """README "A short tour": train and predict run as written and print the line quoted beside
    them; "What training writes" names every file of the folder after train and evaluate."""
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
    table = text[text.index("## What training writes") :].split("\n\n")[2]
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
