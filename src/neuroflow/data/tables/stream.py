"""CSV tables larger than memory: held in memory when the table read whole fits in a share of RAM,
streamed from its prepared cache on disk otherwise (data.tables.cache); the split, preprocessing and
features are the same either way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from neuroflow.data.memory import check_data_in, memory_or_stream, readable_size
from neuroflow.data.tables.csv_read import check_csv_file, csv_errors, csv_options
from neuroflow.errors import DataError

SAMPLE_ROWS = 1000  # rows read to estimate a table's size in memory before choosing


def load_table(
    path: Path,
    *,
    target: str | None,
    task: str | None = None,
    seed: int = 0,
    fractions: tuple[float, float] = (0.2, 0.2),
    data_in: str | None = None,
    note: Callable[[str], None] | None = None,
):
    """A CSV held in memory or streamed from disk, as `data_in` or RAM decides."""
    from neuroflow.data.tables.cache import load_streamed_csv
    from neuroflow.data.tables.prepare import load_csv

    note = note or (lambda text: None)
    check_data_in(data_in)
    if data_in is None:
        data_in = "memory"
        try:
            data_in, reason = choose_table_data_in(path)
            note(reason)
        except DataError:
            pass  # not a readable table: reading it whole says what is wrong, in one line
    elif data_in == "stream":
        note(f"Streaming {path.name} from disk (--data-in stream)")
    options = dict(target=target, task=task, seed=seed, fractions=fractions)
    if data_in == "memory":
        return load_csv(path, **options)
    return load_streamed_csv(path, note=note, **options)


def choose_table_data_in(path: Path, ram: int | None = None) -> tuple[str, str]:
    """('memory' or 'stream', the one line that says why) from the table's size against RAM."""
    rows, nbytes = table_estimate(path)
    # rows are estimated from a sample, so the count is said as an estimate
    what = f"{path.name} (about {rows:,} rows) takes about {readable_size(nbytes)} read whole"
    return memory_or_stream(path.name, what, nbytes, ram)


def table_estimate(path: Path) -> tuple[int, int]:
    """(rows, bytes in memory) estimated from the file's size and its first SAMPLE_ROWS rows."""
    check_csv_file(path)
    with csv_errors(path):
        sample = pd.read_csv(path, nrows=SAMPLE_ROWS, **csv_options(path))
    with open(path, "rb") as fh:
        lines = [len(fh.readline()) for _ in range(len(sample) + 1)]
    body = sum(lines[1:])
    if not len(sample) or not body:
        raise DataError(f"{path} has a header but no rows", "add rows of data below the header")
    if len(sample) < SAMPLE_ROWS:
        rows = len(sample)
    else:
        rows = round(len(sample) * (path.stat().st_size - lines[0]) / body)
    # the table as pandas holds it, and its float32 features (about one per column)
    per_row = sample.memory_usage(deep=True, index=False).sum() / len(sample)
    return rows, int(rows * (per_row + 4 * len(sample.columns)))
