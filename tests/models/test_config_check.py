import json
from pathlib import Path

import pytest

from neuroflow.errors import ModelFileError
from neuroflow.models.config_check import check_config

GOOD = {
    "format": "neuroflow-model",
    "format_version": 1,
    "kind": "table",
    "task": "classification",
    "class_names": ["a", "b"],
    "input": {"shape": [1]},
    "preprocessing": {
        "type": "table",
        "columns": [
            {"name": "x", "kind": "numeric", "mean": 0, "std": 1, "missing_indicator": False}
        ],
    },
    "spec": {"layers": [{"type": "Dense"}]},
}


def _check(**change):
    return check_config(json.dumps({**GOOD, **change}), Path("m"), "m/config.json")


def test_a_good_config_passes():
    assert _check()["class_names"] == ["a", "b"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format_version": 9}, "uses model format version 9, newer than this neuroflow reads"),
        ({"format": "other"}, "is not a neuroflow model config"),
        ({"kind": "sound"}, "field 'kind' should be 'table' or 'image'"),
        ({"class_names": ["a"]}, "field 'class_names' should be a list of two or more"),
        ({"input": {"shape": [2]}}, "its preprocessing makes 1 features but input.shape says 2"),
        ({"ood": {"method": "energy"}}, "field 'ood' should be an object with a 'method'"),
        ({"calibration": {"temperature": 0}}, "field 'calibration.temperature' should be"),
    ],
)
def test_each_bad_field_is_named_in_one_line(change, message):
    with pytest.raises(ModelFileError, match=message) as err:
        _check(**change)
    assert "\n" not in str(err.value)
