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
