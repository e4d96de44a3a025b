"""neuroflow.kernels.catalogue: named kernels with their numbers and sizes, kernels typed or saved
by a user, and the errors that name the fix."""

from __future__ import annotations

import json

import numpy as np
import pytest

from neuroflow import kernels as nk
from neuroflow.errors import DataError, UsageError


def test_catalogue_numbers():
    assert nk.get_kernel("sharpen").parts[0].tolist() == [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
    sharpen = nk.get_kernel("identity").parts[0] + nk.get_kernel("laplacian").parts[0]
    assert np.array_equal(sharpen, nk.get_kernel("sharpen").parts[0])
    assert nk.get_kernel("sobel-y").parts[0].tolist() == [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]
    assert np.array_equal(
        nk.get_kernel("gaussian").parts[0] * 16, [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    )
    assert np.allclose(nk.get_kernel("gaussian-blur", size=5).parts[0][2] * 256, [6, 24, 36, 24, 6])
    assert np.allclose(nk.get_kernel("Box_Blur", size=5).parts[0], 1 / 25)
    sampled = nk.get_kernel("gaussian-blur", sigma=1.0).parts[0]
    assert sampled.shape == (7, 7) and np.isclose(sampled.sum(), 1)
    assert np.isclose(sampled[3, 4] / sampled[3, 3], np.exp(-0.5))
    for name in nk.KERNELS:
        total = nk.get_kernel(name).parts[0].sum()
        assert np.isclose(
            total, 1 if "blur" in name or name in ("identity", "sharpen", "emboss") else 0
        ), name


def test_catalogue_refuses_sizes_where_they_mean_nothing():
    with pytest.raises(UsageError, match="do not apply to sharpen"):
        nk.get_kernel("sharpen", size=5)
    with pytest.raises(UsageError, match="--size 0 is out of range"):
        nk.get_kernel("box-blur", size=0)
    with pytest.raises(UsageError, match="--sigma -1"):
        nk.get_kernel("gaussian-blur", sigma=-1)
    with pytest.raises(UsageError, match="--sigma does not apply to box-blur"):
        nk.get_kernel("box-blur", sigma=2)


def test_unknown_name_lists_the_catalogue():
    with pytest.raises(UsageError) as err:
        nk.parse_kernel("sharpn")
    assert "unknown kernel 'sharpn'" in str(err.value)
    assert all(name in str(err.value) for name in nk.KERNELS)


@pytest.mark.parametrize(
    "text, rows",
    [
        ("[[0,-1,0],[-1,5,-1],[0,-1,0]]", [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
        ("[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]", [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
        ("1 2 1; 2 4 2; 1 2 1", [[1, 2, 1], [2, 4, 2], [1, 2, 1]]),
        ("[[1/4, .5], [-1e1, 2]]", [[0.25, 0.5], [-10, 2]]),
        ("[1, 0, -1]", [[1, 0, -1]]),
        ("[[7]]", [[7]]),
        ("-1,2", [[-1, 2]]),
    ],
)
def test_parse_typed_kernels(text, rows):
    kernel = nk.parse_kernel(text)
    assert kernel.name == "custom"
    assert kernel.parts[0].tolist() == rows


@pytest.mark.parametrize(
    "text, message",
    [
        ("[[1,2],[3]]", "ragged: its rows have 2, 1 numbers"),
        ("[[1,x],[3,4]]", "'x', which is not a number"),
        ("[[]]", "empty"),
        ("[]", "empty"),
        ("{}", "unknown kernel"),
        ("   ", "the kernel is empty"),
        ("[[1,2],[3,4]", "unclosed"),
        ("[[[1]]]", "nested too deep"),
        ("[[1,2]] 3", "text after the closing bracket"),
        ("[[1/0]]", "'1/0', which is not a number"),
        ("1 2; 3", "ragged"),
    ],
)
def test_parse_refuses_bad_kernels_with_the_fix(text, message):
    with pytest.raises(UsageError, match=message) as err:
        nk.parse_kernel(text)
    assert err.value.hint


def test_parse_kernel_files(tmp_path):
    csv = tmp_path / "k.csv"
    csv.write_text("# my edge kernel\n-1,-1,-1\n-1,8,-1\n\n-1,-1,-1\n")
    assert nk.parse_kernel(str(csv)).parts[0].tolist() == [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]
    js = tmp_path / "k.json"
    js.write_text(json.dumps({"kernel": [[1, 2], [3, 4]]}))
    assert nk.parse_kernel(js).parts[0].tolist() == [[1, 2], [3, 4]]
    js.write_text("[[1, NaN]]")
    with pytest.raises(UsageError, match="'NaN', which is not a number"):
        nk.parse_kernel(js)
    js.write_text("[[1, 2]")
    with pytest.raises(DataError, match="not valid JSON"):
        nk.parse_kernel(js)
    with pytest.raises(DataError, match="does not exist"):
        nk.parse_kernel(str(tmp_path / "missing.csv"))
    with pytest.raises(UsageError, match="--size and --sigma apply only"):
        nk.parse_kernel(str(csv), size=5)
