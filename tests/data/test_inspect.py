"""neuroflow.data.inspect: what a table holds and what preprocessing will do with each column."""

import pandas as pd
import pytest

from neuroflow.data.inspect import describe_table, inspect_data
from neuroflow.errors import DataError


def test_each_column_gets_its_type_blanks_and_plan():
    df = pd.DataFrame(
        {"size": [1.0, None, 3.0], "colour": ["red", "blue", "red"], "empty": [None] * 3,
         "y": ["a", "b", "a"]}
    )  # fmt: skip
    rows = {r["column"]: r for r in describe_table(df, "y")}
    assert rows["size"]["plan"] == (
        "standardise (mean 0, std 1); blanks filled, plus a missing-indicator column"
    )
    assert rows["size"]["missing"] == 1 and rows["size"]["type"] == "numeric"
    assert rows["colour"]["plan"] == "one-hot, 2 categories"
    assert rows["empty"]["plan"] == "blank in every row: remove it"
    assert rows["y"]["plan"] == "target (classification)"


def test_inspecting_iris_reports_the_table():
    report = inspect_data("iris")
    assert report["kind"] == "table" and report["rows"] == 150
    assert [c["column"] for c in report["columns"]][-1] == "species"
    with pytest.raises(DataError, match="no column 'colour' in iris"):
        inspect_data("iris", target="colour")
