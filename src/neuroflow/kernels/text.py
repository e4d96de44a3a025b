"""Kernels as text: reading the numbers a person types or saves (JSON, CSV, "1 2 1; 2 4 2"), and
printing them back the way a person writes them (1/16 x, no float noise).
"""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np

from neuroflow.errors import DataError, UsageError


def read_matrix_file(path: Path) -> np.ndarray:
    """A kernel saved as JSON (a list of rows, or {"kernel": rows}) or as CSV / text rows."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except PermissionError:
        raise  # not a bad kernel: the command line's one line names the path and the permissions
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(
            f"cannot read kernel file {path} ({err})", "give a CSV or JSON file of numbers"
        ) from None
    what = f"kernel file {path}"
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(
                content, parse_constant=lambda c: c
            )  # NaN/Infinity stay text and fail below
        except ValueError as err:
            raise DataError(
                f"{what} is not valid JSON ({err})",
                "write a list of rows, e.g. [[0,-1,0],[-1,5,-1],[0,-1,0]]",
            ) from None
        return check_rows(data.get("kernel") if isinstance(data, dict) else data, what)
    lines = [line.split("#")[0] for line in content.splitlines()]
    return read_matrix(";".join(line for line in lines if line.strip()), what)


def read_matrix(text: str, what: str = "the kernel") -> np.ndarray:
    """Numbers in brackets (JSON-like) or rows split by ';', numbers by commas or spaces."""
    text = text.strip()
    if text.startswith("["):
        tokens = re.findall(r"\[|\]|,|[^\s\[\],]+", text)
        rows, pos = _nested(tokens, 0, what)
        if pos != len(tokens):
            raise UsageError(
                f"{what} has text after the closing bracket",
                "write it like [[0,-1,0],[-1,5,-1],[0,-1,0]]",
            )
        rows = (
            rows if rows and all(isinstance(r, list) for r in rows) else [rows]
        )  # "[1,2,1]" is one row
        return check_rows(rows, what)
    return check_rows(
        [re.split(r"[\s,]+", row.strip()) for row in text.split(";") if row.strip()], what
    )


def _nested(tokens: list[str], pos: int, what: str, depth: int = 0) -> tuple[list, int]:
    if depth > 1:
        raise UsageError(f"{what} is nested too deep", "a kernel is a list of rows: [[1,2],[3,4]]")
    items: list = []
    pos += 1  # past "["
    while pos < len(tokens) and tokens[pos] != "]":
        if tokens[pos] == "[":
            item, pos = _nested(tokens, pos, what, depth + 1)
            items.append(item)
        elif tokens[pos] != ",":
            items.append(tokens[pos])
            pos += 1
        else:
            pos += 1
    if pos >= len(tokens):
        raise UsageError(
            f"{what} has an unclosed '['", "write it like [[0,-1,0],[-1,5,-1],[0,-1,0]]"
        )
    return items, pos + 1


def _number(value: object, what: str) -> float:
    try:
        number = (
            float(value)
            if isinstance(value, int | float) and not isinstance(value, bool)
            else float(Fraction(str(value)))
        )
    except (ValueError, ZeroDivisionError, TypeError):
        raise UsageError(
            f"{what} has {value!r}, which is not a number", "use numbers such as 1, -0.5 or 1/16"
        ) from None
    except OverflowError:  # Fraction("1e400") is exact, but too big for a float
        raise UsageError(
            f"{what} has {value!r}, which is too large", "use ordinary numbers"
        ) from None
    if not math.isfinite(number):
        raise UsageError(f"{what} has {value!r}, which is not finite", "use ordinary numbers")
    return number


def check_rows(rows: object, what: str) -> np.ndarray:
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise UsageError(
            f"{what} is not a list of rows of numbers",
            "write it like [[0,-1,0],[-1,5,-1],[0,-1,0]]",
        )
    if any(not r for r in rows):
        raise UsageError(
            f"{what} is empty or has an empty row", "give at least one number in every row"
        )
    if len({len(r) for r in rows}) > 1:
        raise UsageError(
            f"{what} is ragged: its rows have {', '.join(str(len(r)) for r in rows)} numbers",
            "give every row the same number of values",
        )
    return np.array([[_number(v, what) for v in r] for r in rows], dtype=float)


def fmt(value: float) -> str:
    """Numbers as a person writes them: 1.25, 0, -0.5 (no float noise)."""
    text = f"{value:.6g}"
    return "0" if text in ("-0", "0") else text


def format_matrix(weights: np.ndarray) -> list[str]:
    """A kernel's rows as text, with a common fraction pulled out (1/16 x) when there is one."""
    for d in range(1, 4097):
        if np.allclose(weights * d, np.round(weights * d), atol=1e-9, rtol=0):
            prefix = "" if d == 1 else f"1/{d} x "
            cells = [[fmt(v) for v in row] for row in np.round(weights * d)]
            break
    else:
        prefix, cells = "", [[f"{v:.4g}" for v in row] for row in weights]
    width = max(len(c) for row in cells for c in row)
    lines = [" ".join(c.rjust(width) for c in row) for row in cells]
    return [(prefix if i == 0 else " " * len(prefix)) + line for i, line in enumerate(lines)]
