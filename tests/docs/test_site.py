"""The documentation site: its generated references cover the code, and `mkdocs build --strict`
passes with the lessons executed in fast mode (no broken link, no page outside the navigation)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import neuroflow
from tests.docs.blocks import REPO

# the lessons' MNIST: the shared copy beside the checkout, or $NEUROFLOW_DATA as the test run began
# (the suite's own fixture clears it for each test)
MNIST = Path(os.environ.get("NEUROFLOW_DATA") or REPO.parent / "shared" / "data" / "mnist")


def need(module: str):
    """Import `module` or skip with the reason, except in CI, where the docs extra is installed."""
    if os.environ.get("CI") == "true":
        return __import__(module)
    return pytest.importorskip(
        module, reason=f"{module} is not installed: pip install -e '.[docs]'"
    )


def all_commands():
    import typer

    from neuroflow.cli.main import app

    def walk(command, path):
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    return list(walk(typer.main.get_command(app), ["neuroflow"]))


def test_command_reference_names_every_command_and_option():
    need("mkdocs")
    from tools.docs_site import command_reference

    page = command_reference()
    for path, command in all_commands()[1:]:
        assert f"## {' '.join(path)}\n" in page, path
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("-"):
                    assert f"`{opt}`" in page, (path, opt)
    assert "`--version`" in page


def test_api_reference_covers_neuroflow_all():
    need("mkdocs")
    from tools.docs_site import api_reference

    page = api_reference()
    names = [n for n in neuroflow.__all__ if not n.startswith("__")]
    assert names
    for name in names:
        assert re.search(rf"^::: neuroflow(\.[\w.]+)?\.{name}$", page, re.M), name


def test_every_page_is_in_the_navigation():
    yaml = need("yaml")
    text = (REPO / "mkdocs.yml").read_text()
    nav = yaml.safe_load(text[text.index("\nnav:") :])["nav"]

    def leaves(items):
        for item in items:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            yield from leaves(value) if isinstance(value, list) else [value]

    listed = set(leaves(nav))
    pages = {str(p.relative_to(REPO / "docs")) for p in (REPO / "docs").rglob("*.md")}
    assert pages <= listed, f"pages outside the navigation: {sorted(pages - listed)}"
    lessons = {f"lessons/{p.name}" for p in (REPO / "lessons").glob("[0-9][0-9]_*.py")}
    assert lessons <= listed and len(lessons) == 5


@pytest.mark.slow
def test_the_site_builds_strictly_with_the_lessons_run(tmp_path):
    need("mkdocs")
    need("mkdocs_jupyter")
    if not (MNIST / "train-images-idx3-ubyte.gz").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"lessons 3-5 need MNIST: the shared files are not at {MNIST}")
        pytest.skip(f"lessons 3-5 need MNIST: the shared files are not at {MNIST}")
    site = tmp_path / "site"
    source = Path(neuroflow.__file__).resolve().parents[1]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NEUROFLOW_DATA": str(MNIST)}
    env["PYTHONPATH"] = os.pathsep.join([str(source), str(REPO), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-6000:]
    assert not re.search(r"^WARNING\s+-", done.stderr, re.M), done.stderr[-6000:]  # mkdocs' own
    # the lessons' outputs are on their pages: lesson 1's neuron gives 1.25, every exercise passes
    first = (site / "lessons" / "01_what_deep_learning_is" / "index.html").read_text()
    assert "1.25" in first and "✓ right" in first
    for lesson in (REPO / "lessons").glob("[0-9][0-9]_*.py"):
        html = (site / "lessons" / lesson.stem / "index.html").read_text()
        assert "jp-OutputArea-output" in html and "✗ not yet: replace" in html, lesson.name
    commands = (site / "reference" / "commands" / "index.html").read_text()
    assert all(f"neuroflow {name}" in commands for name in ("train", "predict", "serve"))
    api = (site / "reference" / "api" / "index.html").read_text()
    assert 'id="neuroflow.api.train"' in api or "neuroflow.api.train" in api
    assert (site / "serve.png").exists() and 'src="serve.png"' in (site / "index.html").read_text()
    assert not list(REPO.glob("lesson0*-files")), "the lessons wrote into the checkout"
