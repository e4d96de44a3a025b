"""Reading a CSV, whole or in parts, with clear errors for the usual ways a file is not a usable
table. Both ways parse every value alike, so a table read in parts holds the same values."""

from __future__ import annotations

import contextlib
import csv
import itertools
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from neuroflow.errors import DataError


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV with clear errors for the usual ways a file is not a usable table."""
    path = Path(path)
    check_csv_file(path)
    with csv_errors(path):
        df = _read_whole(path)
        header = header_names(path)
    if df.empty:
        raise DataError(f"{path} has a header but no rows", "add rows of data below the header")
    check_fields(path)
    check_header(path, header)
    df.columns = [str(c) for c in df.columns]
    return df


def _read_whole(path: Path) -> pd.DataFrame:
    """The table, every column of one kind: pandas reads a long file in parts and can give a column
    numbers from one part and text from another; such a column is read again as the file's text."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.DtypeWarning)
        df = pd.read_csv(path, **csv_options(path))
    if not any(issubclass(w.category, pd.errors.DtypeWarning) for w in caught):
        return df
    mixed = {c: str for c in df.columns if df[c].dtype == object and is_mixed(df[c])}
    return pd.read_csv(path, dtype=mixed, **csv_options(path)) if mixed else df


def is_mixed(col: pd.Series) -> bool:
    return len(value_kinds(col)) > 1


def value_kinds(col: pd.Series) -> set[str]:
    """The kinds of a column's values: 'number', 'bool' and 'text' (blanks left out)."""
    return {
        "bool" if isinstance(v, bool | np.bool_) else "text" if isinstance(v, str) else "number"
        for v in col.dropna()
    }


def check_csv_file(path: Path) -> None:
    """Refuse a path that is missing, a folder, empty or a picture."""
    if not path.exists():
        raise DataError(f"file {path} not found", "check the path")
    if path.is_dir():
        raise DataError(f"{path} is a folder, not a CSV file", "give the CSV file itself")
    if path.stat().st_size == 0:
        raise DataError(
            f"{path} is empty", "give a CSV with a header row and at least a few rows of data"
        )
    from neuroflow.data.pictures.images import IMAGE_EXTENSIONS

    if path.suffix.lower() in IMAGE_EXTENSIONS:
        raise DataError(
            f"{path} is a picture, but a table (CSV rows) is needed here",
            "give a .csv file with the table's columns; pictures go to image models",
        )


def csv_options(path: Path) -> dict:
    """pandas.read_csv's options for this file: UTF-8, and a sniffed separator for .tsv."""
    tsv = {"sep": None, "engine": "python"} if path.suffix.lower() == ".tsv" else {}
    return {"encoding": "utf-8", **tsv}


def csv_chunks(path: Path, rows: int, **options) -> Iterator[pd.DataFrame]:
    """The table `rows` rows at a time, parsed as read_csv parses it, with its errors."""
    with csv_errors(path):
        check_fields(path)
    with csv_errors(path), pd.read_csv(path, chunksize=rows, **csv_options(path), **options) as it:
        while True:
            with warnings.catch_warnings():  # a part of mixed kinds is read as text after all
                warnings.simplefilter("ignore", pd.errors.DtypeWarning)
                chunk = next(it, None)
            if chunk is None:
                return
            chunk.columns = [str(c) for c in chunk.columns]
            yield chunk


def header_names(path: Path) -> list[str]:
    """The header read as a plain row (pandas renames a repeated name to "a.1"; this shows it)."""
    row = pd.read_csv(path, header=None, nrows=1, dtype=str, **csv_options(path)).iloc[0]
    return [str(c) for c in row if isinstance(c, str)]


def check_fields(path: Path) -> None:
    """pandas reads rows with one field more than the header as an index plus the columns, every
    value shifted one column to the right: refuse that instead of reading the wrong columns. It
    decides from the first row, so the header and the first row are compared."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        sample = fh.read(1 << 16)
        fh.seek(0)
        dialect = "excel"
        if path.suffix.lower() == ".tsv":
            with contextlib.suppress(csv.Error):
                dialect = csv.Sniffer().sniff(sample, "\t,;")
        first = list(itertools.islice(csv.reader(fh, dialect), 2))
    if len(first) < 2:
        return
    header, row = len(first[0]), len(first[1])
    if row > header:
        raise DataError(
            f"{path}: the rows have {row} fields but the header names {header} "
            "(every value would land in the wrong column)",
            "give every row as many fields as the header names (look for a trailing comma)",
        )


def check_header(path: Path, header: list[str]) -> None:
    dup = next((name for i, name in enumerate(header) if name in header[:i]), None)
    if dup is not None:
        raise DataError(
            f"{path} has the column name {dup!r} twice", "give every column a unique name"
        )


@contextlib.contextmanager
def csv_errors(path: Path) -> Iterator[None]:
    """pandas' reading errors as one line that says what is wrong with the file."""
    try:
        yield
    except UnicodeDecodeError:
        raise DataError(
            f"{path} is not UTF-8 text",
            "save it as UTF-8 (e.g. 'CSV UTF-8' in a spreadsheet program)",
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path} has no columns", "give a CSV with a header row") from None
    except (pd.errors.ParserError, ValueError) as err:
        raise DataError(
            f"{path} cannot be read as CSV ({' '.join(str(err).split())[:120]})",
            "check that every row has the same number of fields",
        ) from None
