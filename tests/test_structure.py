"""The shape of src/neuroflow: no module over 300 lines, no function over 50.

A function counts from its def line to its last line; a typer command's option declarations aside
(it counts from the end of its signature).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "neuroflow"
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 50


def _is_typer_command(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Declared for typer: a parameter defaults to typer.Option(...) or typer.Argument(...)."""
    defaults = node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
    return any(
        isinstance(d, ast.Call)
        and isinstance(d.func, ast.Attribute)
        and d.func.attr in ("Option", "Argument")
        for d in defaults
    )


def function_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    start = node.body[0].lineno if _is_typer_command(node) else node.lineno
    return node.end_lineno - start + 1


def offenders(root: Path = SRC) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(root.parent)
        if len(text.splitlines()) > MAX_MODULE_LINES:
            found.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            long = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
                function_lines(node) > MAX_FUNCTION_LINES
            )
            if long:
                found.append(f"{name}:{node.lineno} {node.name}: {function_lines(node)} lines")
    return found


def test_the_counter_sees_long_functions_and_skips_typer_signatures(tmp_path):
    options = "".join(f"    a{i}: int = typer.Option(0),\n" for i in range(60))
    (tmp_path / "cmd.py").write_text(f"def cmd(\n{options}):\n    return 1\n")
    body = "".join(f"    x{i} = {i}\n" for i in range(50))
    (tmp_path / "long.py").write_text(f"def long():\n{body}    return 1\n")
    assert offenders(tmp_path) == [
        "tmp_path/long.py:1 long: 52 lines".replace("tmp_path", tmp_path.name)
    ]


def test_no_module_over_300_lines_and_no_function_over_50():
    found = offenders()
    print("\n".join(found))
    assert not found, "too long:\n" + "\n".join(found)
