"""neuroflow.data.pictures.sklearn_digits: scikit-learn's 8×8 digits as pictures, split alike at
any size, with the preparation that makes a user's digit like them."""

import numpy as np

from neuroflow.data import load_dataset
from neuroflow.data.pictures.sklearn_digits import load_sklearn_digits


def test_sklearn_digits():
    ds = load_sklearn_digits(seed=0, fractions=(0.2, 0.2))
    assert (
        ds.x_train.shape[1:] == (8, 8, 1)
        and ds.x_train.dtype == np.uint8
        and ds.x_train.max() == 255
    )
    assert len(ds.y_train) + len(ds.y_val) + len(ds.y_test) == 1797 and ds.class_names[3] == "3"
    assert ds.preprocessing["prepare"] == "digit-counts"
    big = load_dataset("digits", image_size=(28, 28))
    assert big.x_train.shape[1:] == (28, 28, 1) and big.preprocessing["prepare"] == "digit"
    assert np.array_equal(big.y_test, ds.y_test)  # the same split whatever the size
