"""The documentation site's generated parts (an MkDocs hook): the command reference walked from the
typer app, the API reference from neuroflow.__all__, and the lessons executed in fast mode.

Generated at build time so none of them can drift from the code; `make docs` builds the site.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

REPO = Path(__file__).resolve().parents[1]
LESSONS = REPO / "lessons"
KERNEL = "neuroflow-docs"
_work: Path | None = None


def lesson_paths() -> list[Path]:
    return sorted(LESSONS.glob("[0-9][0-9]_*.py"))


def command_reference() -> str:
    """Every command and group of `neuroflow`, with its usage, help and options."""
    import typer

    from neuroflow.cli.main import app

    root = typer.main.get_command(app)
    lines = [
        "# Command reference",
        "",
        "Every `neuroflow` command, generated from the command line itself when this site is "
        "built; `neuroflow COMMAND --help` prints the same. Exit status: 0 success, 1 a check "
        "that failed (doctor, an evaluation threshold), 2 bad input or usage.",
        "",
    ]
    _describe(root, ["neuroflow"], None, lines)
    return "\n".join(lines) + "\n"


def _describe(command, path: list[str], parent, lines: list[str]) -> None:
    ctx = command.context_class(command, info_name=path[-1], parent=parent)
    if len(path) > 1:
        lines += [f"## {' '.join(path)}", ""]
    lines += ["```", command.get_usage(ctx), "```", ""]
    if command.help and len(path) > 1:
        first, _, rest = _paragraphs(command.help).partition("\n\n")
        lines += [" ".join(first.split()), ""]
        if rest.strip():  # examples and tables laid out for a terminal, kept as they are
            lines += ["```text", rest.strip("\n"), "```", ""]
    rows = [_param_row(p) for p in command.params if not getattr(p, "hidden", False)]
    if rows:
        lines += ["| argument or option | what it does | default |", "|---|---|---|", *rows, ""]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if not sub.hidden:
            _describe(sub, [*path, name], ctx, lines)


def _paragraphs(text: str) -> str:
    # click's \b marks a paragraph not to rewrap; Markdown keeps the author's line breaks instead
    return "\n".join(line for line in text.splitlines() if line.strip() != "\b").strip()


def _param_row(param) -> str:
    if param.param_type_name == "argument":
        name = f"`{param.human_readable_name}`" + ("" if param.required else " (optional)")
    else:
        name = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
        if not getattr(param, "is_flag", False) and param.metavar is None:
            name += f" {param.type.name.upper()}"
    default = param.default
    shown = "" if default in (None, False, (), []) or callable(default) else f"`{default}`"
    text = " ".join((getattr(param, "help", None) or "").split())
    return f"| {name} | {_cell(text)} | {_cell(shown)} |"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;")


def api_reference() -> str:
    """A section per public name of `neuroflow` (its __all__), rendered by mkdocstrings."""
    import neuroflow

    lines = [
        "# Python API",
        "",
        "The public names of `neuroflow` (its `__all__`), from their docstrings. "
        "`import neuroflow as nf` loads each on first use, so the import itself is quick.",
        "",
        f"`nf.__version__` is this release's version: `{neuroflow.__version__}`.",
        "",
    ]
    for name in neuroflow.__all__:
        if name.startswith("__"):
            continue
        # a lazily loaded name is documented where it is defined; any other as neuroflow's own
        where = getattr(neuroflow, "_LAZY", {}).get(name, "neuroflow")
        lines += [f"::: {where}.{name}", ""]
    return "\n".join(lines)


def _kernel_spec(root: Path, work: Path) -> None:
    """A kernel that runs this interpreter in `work`, in fast mode, importing this checkout."""
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    start = (
        "import os, runpy, sys; os.chdir(sys.argv.pop(1)); "
        "runpy.run_module('ipykernel_launcher', run_name='__main__', alter_sys=True)"
    )
    paths = [str(LESSONS), str(REPO / "src"), os.environ.get("PYTHONPATH", "")]
    env = {"NEUROFLOW_LESSON_FAST": "1", "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    shared_mnist = REPO.parent / "shared" / "data" / "mnist"
    if "NEUROFLOW_DATA" not in os.environ and shared_mnist.is_dir():
        env["NEUROFLOW_DATA"] = str(shared_mnist)
    kernel = {
        "argv": [sys.executable, "-c", start, str(work), "-f", "{connection_file}"],
        "display_name": "neuroflow lessons (fast)",
        "language": "python",
        "env": env,
    }
    (spec / "kernel.json").write_text(json.dumps(kernel))


def on_config(config):
    global _work
    _work = Path(tempfile.mkdtemp(prefix="neuroflow-docs-"))
    (_work / "lessons").mkdir()
    _kernel_spec(_work / "jupyter", _work / "lessons")
    os.environ["JUPYTER_PATH"] = str(_work / "jupyter")
    os.environ.pop("MPLBACKEND", None)  # the lessons' figures go inline, as in Jupyter
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return config


@event_priority(100)  # before mkdocs-jupyter, which turns the lessons into pages
def on_files(files: Files, config) -> Files:
    for path in lesson_paths():
        files.append(
            File(
                f"lessons/{path.name}", str(REPO), config["site_dir"], config["use_directory_urls"]
            )
        )
    files.append(File.generated(config, "reference/commands.md", content=command_reference()))
    files.append(File.generated(config, "reference/api.md", content=api_reference()))
    return files


def on_post_build(config):
    global _work
    if _work is not None:
        shutil.rmtree(_work, ignore_errors=True)
        _work = None
