"""Streaming a CSV from its prepared cache: the same split, preprocessing and features as in memory,
read a few rows at a time, a one-line choice between the two, and the same one-line errors."""

from __future__ import annotations

import errno

import numpy as np
import pandas as pd
import pytest

from neuroflow.data import load_dataset
from neuroflow.data.stream_rows import StreamRows
from neuroflow.data.tables.cache import table_cache_path
from neuroflow.data.tables.fit import Moments
from neuroflow.data.tables.stream import choose_table_data_in
from neuroflow.errors import DataError, NeuroflowError
from tests.tables import survey_table

CHUNK = 37  # rows read at a time: every table here is read in several parts


@pytest.fixture(autouse=True)
def _small_parts(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROFLOW_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr("neuroflow.data.tables.scan.CHUNK_ROWS", CHUNK)


def survey_csv(path, n=330, seed=0):
    """The survey table with what parts of a file read alone see differently: a column of numbers
    in the first rows and text further down, yes/no columns, whole numbers with blanks."""
    df = survey_table(n, seed)
    rng = np.random.default_rng(seed)
    tag = rng.choice(["1", "2.50", "3"], size=n).astype(object)
    tag[n // 2 :: 7] = "x"  # text only after the first parts
    df["tag"] = tag
    df["ringed"] = rng.random(n) < 0.5
    df["seen"] = np.where(rng.random(n) < 0.5, "True", "False")
    df.loc[rng.random(n) < 0.3, "seen"] = np.nan  # yes/no with blanks: text "True"/"False"
    df["count"] = rng.integers(0, 9, size=n).astype(float)
    df.loc[: CHUNK - 1, "count"] = rng.integers(0, 9, size=CHUNK)  # no blanks in the first part
    df.loc[CHUNK::5, "count"] = np.nan
    df.loc[rng.random(n) < 0.04, "species"] = np.nan  # rows without a target are left out
    df.to_csv(path, index=False)
    return path


def regression_csv(path, n=300, seed=1):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "size": rng.normal(50, 10, n),
            "colour": rng.choice(["red", "green", "blue", "grey"], n),
            "age": rng.integers(1, 30, n).astype(float),
        }
    )
    df.loc[rng.random(n) < 0.1, "age"] = np.nan
    df.loc[rng.random(n) < 0.1, "colour"] = np.nan
    df["price"] = 3 * df["size"] + rng.normal(0, 5, n)
    df.to_csv(path, index=False)
    return path


def _both(path, target, **kw):
    memory = load_dataset(str(path), target=target, data_in="memory", **kw)
    notes = []
    stream = load_dataset(str(path), target=target, data_in="stream", note=notes.append, **kw)
    return memory, stream, notes


def _same_dataset(memory, stream):
    assert isinstance(stream.x_train, StreamRows) and stream.x_train.dtype == np.float32
    for split in ("train", "val", "test"):
        (xm, ym), (xs, ys) = memory.split(split), stream.split(split)
        assert xs.shape == xm.shape and np.array_equal(np.asarray(xs), xm)
        assert ys.dtype == ym.dtype and np.array_equal(ys, ym)
    assert stream.preprocessing == memory.preprocessing
    assert stream.source == memory.source and stream.task == memory.task
    assert stream.class_names == memory.class_names
    assert stream.feature_names == memory.feature_names
    assert stream.describe() == memory.describe()


@pytest.mark.parametrize("seed", [0, 3])
def test_streamed_classification_table_is_the_in_memory_dataset(tmp_path, seed):
    path = survey_csv(tmp_path / "survey.csv", seed=seed)
    memory, stream, notes = _both(path, "species", seed=seed)
    _same_dataset(memory, stream)
    kinds = {c["name"]: c["kind"] for c in memory.preprocessing["columns"]}
    assert kinds["tag"] == kinds["ringed"] == kinds["seen"] == kinds["island"] == "category"
    assert kinds["count"] == "numeric"
    tag = next(c for c in memory.preprocessing["columns"] if c["name"] == "tag")
    assert "2.50" in tag["categories"]  # the text in the file, as pandas reads the whole column
    assert notes[0] == "Streaming survey.csv from disk (--data-in stream)"
    assert notes[1].startswith(f"{len(memory.y_train) + len(memory.y_val) + len(memory.y_test)} ")


def test_streamed_regression_table_is_the_in_memory_dataset(tmp_path):
    path = regression_csv(tmp_path / "prices.csv")
    memory, stream, _ = _both(path, "price", seed=2)
    _same_dataset(memory, stream)
    assert memory.task == "regression" and "target_mean" in memory.preprocessing


def test_a_target_of_numbers_then_text_is_read_as_the_whole_file_reads_it(tmp_path):
    rng = np.random.default_rng(0)
    label = rng.choice(["1", "2"], 200).astype(object)
    label[150:] = rng.choice(["2", "3.0", "many"], 50)
    pd.DataFrame({"x": rng.normal(size=200), "label": label}).to_csv(
        tmp_path / "t.csv", index=False
    )
    memory, stream, _ = _both(tmp_path / "t.csv", "label")
    _same_dataset(memory, stream)
    assert memory.class_names == ["1", "2", "3.0", "many"]


def test_category_ties_at_the_limit_keep_the_first_seen(tmp_path, monkeypatch):
    """Of categories with equal counts around MAX_CATEGORIES, both keep those seen first."""
    monkeypatch.setattr("neuroflow.data.tables.fit.MAX_CATEGORIES", 3)
    rng = np.random.default_rng(4)
    names = [f"k{i:02d}" for i in range(12)]
    # every name as often as the others, the rows in an order that crosses the parts
    kind = np.array(names * 25)[rng.permutation(300)]
    df = pd.DataFrame({"kind": kind, "x": rng.normal(size=300), "y": rng.choice(["a", "b"], 300)})
    df.to_csv(tmp_path / "ties.csv", index=False)
    memory, stream, _ = _both(tmp_path / "ties.csv", "y")
    _same_dataset(memory, stream)
    train = df.loc[df.index.isin(_train_rows(memory, df))]
    counts = train["kind"].value_counts()  # stable: ties in the order first seen
    assert memory.preprocessing["columns"][0]["categories"] == sorted(counts.index[:3])


def _train_rows(ds, df):
    from neuroflow.data.dataset import stratified_split

    return stratified_split(df["y"].to_numpy(), (0.2, 0.2), ds.source["seed"], True)[0]


def test_moments_in_any_parts_are_the_whole_bit_for_bit(monkeypatch):
    monkeypatch.setattr(Moments, "BLOCK", 16)
    rng = np.random.default_rng(0)
    values = rng.normal(1e6, 3.0, 500)
    values[rng.random(500) < 0.1] = np.nan
    whole = Moments()
    whole.add(values)
    for cuts in ([], [1, 2, 3], [15, 16, 17, 100], list(range(0, 500, 7))):
        parts = Moments()
        for part in np.split(values, cuts):
            parts.add(part)
        assert parts.result() == whole.result()
    mean, std = whole.result()
    assert mean == pytest.approx(np.nanmean(values), rel=1e-15)
    assert std == pytest.approx(np.nanstd(values), rel=1e-9)


def test_choice_says_which_and_why_in_one_line(tmp_path, monkeypatch):
    path = survey_csv(tmp_path / "survey.csv")
    where, line = choose_table_data_in(path, ram=10**9)
    assert where == "memory" and "\n" not in line
    assert line.startswith("Holding survey.csv in memory: survey.csv (about 330 rows) takes about ")
    assert line.endswith("(--data-in stream reads from disk instead)")
    where, line = choose_table_data_in(path, ram=50_000)
    assert where == "stream" and "more than 25% of this machine's 50.0 KB of RAM" in line
    monkeypatch.setattr("neuroflow.data.memory.ram_bytes", lambda: 50_000)
    notes = []
    ds = load_dataset(str(path), target="species", note=notes.append)
    assert isinstance(ds.x_train, StreamRows) and notes[0].startswith("Streaming survey.csv")


def test_cache_is_made_once_and_made_again_when_the_file_changes(tmp_path):
    path = survey_csv(tmp_path / "survey.csv")
    _, first, notes = _both(path, "species")
    cache = table_cache_path(path, dict(target="species", task=None, seed=0, fractions=[0.2, 0.2]))
    assert f"prepared into {cache}" in notes[1]
    _, second, notes = _both(path, "species")
    assert f"read from {cache}" in notes[1]
    assert np.array_equal(np.asarray(first.x_train), np.asarray(second.x_train))
    survey_csv(path, n=200, seed=5)
    memory, third, notes = _both(path, "species")
    assert notes[1] == f"{path} changed since its rows were prepared: reading it again"
    _same_dataset(memory, third)
    _, _, notes = _both(path, "species", seed=1)  # another split is another cache
    assert "prepared into" in notes[1]


def test_a_full_disk_leaves_no_half_written_cache(tmp_path, monkeypatch):
    path = survey_csv(tmp_path / "survey.csv")
    calls = []

    def write(fh, data):
        calls.append(1)
        if len(calls) > 1:  # the first rows are written, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return fh.write(data)

    monkeypatch.setattr("neuroflow.data.tables.cache._write", write)
    with pytest.raises(DataError, match="the disk holding .* is full") as err:
        load_dataset(str(path), target="species", data_in="stream")
    assert "nothing half-written is left" in str(err.value) and "\n" not in str(err.value)
    left = [p.name for p in (tmp_path / "cache" / "tables").iterdir()]
    assert [name for name in left if not name.endswith(".lock")] == []
    monkeypatch.undo()
    monkeypatch.setenv("NEUROFLOW_CACHE", str(tmp_path / "cache"))
    _same_dataset(*_both(path, "species")[:2])


def _rows(n, start=0):
    return "".join(f"{i % 7},{i % 3},{'ab'[i % 2]}\n" for i in range(start, start + n))


BAD = {
    "no such target": ("x,z,y\n" + _rows(100), "label"),
    "no target given": ("x,z,y\n" + _rows(100), None),
    "blank column": ("x,z,y,empty\n" + _rows(100).replace("\n", ",\n"), "y"),
    "infinity far down": ("x,z,y\n" + _rows(100) + "inf,1,a\n" + _rows(20), "y"),
    "header only": ("x,z,y\n", "y"),
    "repeated name": ("x,x,y\n" + _rows(100), "y"),
    "ragged row far down": ("x,z,y\n" + _rows(100) + "1,2,a,4\n" + _rows(20), "y"),
    "one class": ("x,z,y\n" + _rows(100).replace("b\n", "a\n"), "y"),
    "too few rows": ("x,z,y\n" + _rows(6), "y"),
    "only the target": ("y\n" + "a\nb\n" * 50, "y"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_tables_are_refused_with_the_same_line_streamed(tmp_path, case):
    text, target = BAD[case]
    path = tmp_path / "bad.csv"
    path.write_text(text)
    errors = []
    for data_in in ("memory", "stream"):
        with pytest.raises(NeuroflowError) as err:
            load_dataset(str(path), target=target, data_in=data_in)
        errors.append((type(err.value), str(err.value)))
    assert errors[0] == errors[1] and "\n" not in errors[0][1]


def test_text_regressed_and_bytes_not_utf8_are_refused_alike(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("x,z,y\n" + _rows(100))
    path.write_bytes(path.read_bytes() + b"1,2,\xff\xfe\n" + _rows(5).encode())
    cases = [(path, "y", None), (tmp_path / "text.csv", "y", "regression")]
    (tmp_path / "text.csv").write_text("x,z,y\n" + _rows(100))
    for file, target, task in cases:
        errors = []
        for data_in in ("memory", "stream"):
            with pytest.raises(NeuroflowError) as err:
                load_dataset(str(file), target=target, task=task, data_in=data_in)
            errors.append(str(err.value))
        assert errors[0] == errors[1]


def test_cli_refuses_a_bad_streamed_table_in_one_line_with_exit_2(cli, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD["infinity far down"][0])
    lines = []
    for data_in in ("memory", "stream"):
        res = cli("train", path, "--target", "y", "--data-in", data_in, "--out", tmp_path / "m")
        assert res.code == 2 and "Traceback" not in res.output, res.output
        assert len(res.err.strip().splitlines()) == 1 and not (tmp_path / "m").exists()
        lines.append(res.err)
    assert lines[0] == lines[1] and "has an infinite value (bad.csv, row 101)" in lines[0]


def test_a_long_column_of_numbers_then_text_is_text_held_or_streamed(tmp_path, monkeypatch):
    """pandas reads a long, wide file in parts itself and would give such a column the number 1.5
    for the text "1.50"; both ways give the text in the file."""
    monkeypatch.setattr("neuroflow.data.tables.scan.CHUNK_ROWS", 10_000)
    n, rng = 9000, np.random.default_rng(0)
    df = pd.DataFrame(rng.integers(0, 3, (n, 128)), columns=[f"c{i}" for i in range(128)])
    df["tag"] = np.where(np.arange(n) < n - 50, "1.50", "x")
    df["y"] = rng.choice(["1.50", "2"], n)
    df.loc[n - 20 :, "y"] = "z"
    df.to_csv(tmp_path / "wide.csv", index=False)
    memory, stream, _ = _both(tmp_path / "wide.csv", "y")
    _same_dataset(memory, stream)
    tag = next(c for c in memory.preprocessing["columns"] if c["name"] == "tag")
    assert tag["categories"] == ["1.50", "x"] and memory.class_names == ["1.50", "2", "z"]
