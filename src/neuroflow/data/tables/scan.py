"""The first reading of a streamed CSV: its columns, each column's kind over the whole file, the
target column, and every check `table_dataset` makes, with the same one-line errors.

pandas decides a column's type from all of its values; read in parts, each part decides its own (a
column can be numbers in one part and text in the next). The kinds found here are those pandas gives
the whole file, so a streamed table holds the same values as one read whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from neuroflow.data.tables.csv_read import (
    check_csv_file,
    check_header,
    csv_chunks,
    csv_errors,
    header_names,
    value_kinds,
)
from neuroflow.data.tables.prepare import (
    blank_column,
    check_columns,
    check_target_given,
    infinite_value,
)
from neuroflow.errors import DataError

CHUNK_ROWS = 50_000  # rows of a streamed CSV read at a time


@dataclass
class TableScan:
    """What one reading of the whole file found."""

    columns: list[str] = field(default_factory=list)
    seen: dict[str, set] = field(default_factory=dict)  # the kinds each part gave each column
    filled: dict[str, bool] = field(default_factory=dict)  # a column has a value in some row
    first_inf: dict[str, int] = field(default_factory=dict)  # row number of a column's first inf
    targets: list[pd.Series] = field(default_factory=list)
    rows: int = 0

    def kind(self, column: str) -> str:
        """'numeric', 'bool' or 'text': the kind pandas gives the whole column."""
        seen = self.seen[column] - {"blank"}
        if seen <= {"numeric"}:
            return "numeric"
        return "bool" if seen <= {"bool"} else "text"

    def text_columns(self) -> dict:
        """read_csv's dtype option that reads the text columns as the text in the file."""
        return {c: str for c in self.columns if self.kind(c) == "text"}


def scan_csv(path: Path, target: str | None, chunk_rows: int = CHUNK_ROWS):
    """(the scan, the whole target column as pandas reads the whole file), after the checks."""
    name = path.name
    check_csv_file(path)
    with csv_errors(path):
        header = header_names(path)
    check_target_given(header, target, name)
    scan = TableScan()
    for chunk in csv_chunks(path, chunk_rows):
        _add(scan, chunk, target)
    if scan.rows == 0:
        raise DataError(f"{path} has a header but no rows", "add rows of data below the header")
    check_header(path, header)
    check_columns(scan.columns, target, name)
    blank = [c for c in scan.columns if not scan.filled[c]]
    if blank:
        raise blank_column(blank[0])
    for c in scan.columns:
        if scan.kind(c) == "numeric" and c in scan.first_inf:
            raise infinite_value(c, f"{name}, row {scan.first_inf[c]}")
    return scan, _target(path, scan, target, chunk_rows)


def _add(scan: TableScan, chunk: pd.DataFrame, target: str | None) -> None:
    if not scan.columns:
        scan.columns = list(chunk.columns)
        scan.seen = {c: set() for c in scan.columns}
        scan.filled = dict.fromkeys(scan.columns, False)
    for c in scan.columns:
        col = chunk[c]
        kind = _part_kind(col)
        scan.seen[c].add(kind)
        scan.filled[c] |= kind != "blank"
        if kind == "numeric" and c not in scan.first_inf:
            inf = np.isinf(col.to_numpy(dtype=float))
            if inf.any():
                scan.first_inf[c] = scan.rows + int(np.argmax(inf)) + 1
    if target in chunk.columns:
        scan.targets.append(chunk[target])
    scan.rows += len(chunk)


def _part_kind(col: pd.Series) -> str:
    """The kind one part's values have: 'blank', 'numeric', 'bool', 'text' or 'mixed'."""
    if pd.api.types.is_bool_dtype(col):
        return "bool"
    if pd.api.types.is_numeric_dtype(col):
        return "blank" if col.isna().all() else "numeric"
    if col.dtype != object:
        return "text"
    kinds = value_kinds(col)  # a long part pandas read in parts itself, or yes/no with blanks
    if not kinds:
        return "blank"
    return kinds.pop() if kinds in ({"bool"}, {"text"}) else "mixed"


def _target(path: Path, scan: TableScan, target: str, chunk_rows: int) -> pd.Series:
    """The target column of every row, as read_csv gives it for the whole file."""
    if scan.kind(target) == "text" and scan.seen[target] != {"text"}:
        parts = csv_chunks(path, chunk_rows, usecols=[target], dtype={target: str})
        scan.targets = [part[target] for part in parts]
    return pd.concat(scan.targets, ignore_index=True)
