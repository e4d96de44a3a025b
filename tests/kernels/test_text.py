"""neuroflow.kernels.text: kernels printed the way a person writes them."""

from __future__ import annotations

import numpy as np

from neuroflow import kernels as nk
from neuroflow.kernels.text import format_matrix


def test_format_matrix_pulls_out_a_common_fraction():
    assert format_matrix(nk.get_kernel("gaussian-blur").parts[0]) == [
        "1/16 x 1 2 1",
        "       2 4 2",
        "       1 2 1",
    ]
    assert format_matrix(np.array([[0.3, -1.0]])) == ["1/10 x   3 -10"]
    assert format_matrix(np.array([[np.pi]])) == ["3.142"]
