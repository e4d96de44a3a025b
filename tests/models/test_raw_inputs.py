import numpy as np
import pytest

import neuroflow as nf
from neuroflow.errors import DataError
from neuroflow.models.raw_inputs import prepare_inputs, table_inputs


@pytest.fixture(scope="module")
def iris():
    return nf.train("iris", model="iris-mlp", epochs=1, progress="quiet", post_fit=False)


def test_rows_as_lists_dicts_or_a_csv_give_the_same_features(iris, tmp_path):
    names = [c["name"] for c in iris.preprocessing["columns"]]
    row = [5.1, 3.5, 1.4, 0.2]
    from_list, labels, truths = table_inputs(iris, [row])
    from_dict, _, _ = table_inputs(iris, [dict(zip(names, row, strict=True))])
    csv = tmp_path / "rows.csv"
    csv.write_text(",".join([*names, "species"]) + "\n" + ",".join(map(str, row)) + ",setosa\n")
    from_csv, _, csv_truths = prepare_inputs(iris, csv)
    assert np.array_equal(from_list, from_dict) and np.array_equal(from_list, from_csv)
    assert labels == ["row 1"] and truths is None and csv_truths == ["setosa"]


def test_a_row_of_the_wrong_length_names_the_columns(iris):
    with pytest.raises(DataError, match="each row needs 4 values"):
        table_inputs(iris, [[1.0, 2.0]])
