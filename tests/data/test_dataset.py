"""neuroflow.data.dataset: seeded, stratified splits, and what a Dataset says about itself."""

import numpy as np
import pytest

from neuroflow.data.dataset import Dataset, stratified_holdout, stratified_split
from neuroflow.errors import DataError


def test_a_split_is_disjoint_complete_stratified_and_seeded():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    train, val, test = stratified_split(y, (0.2, 0.2), seed=3, stratify=True)
    assert len(train) == 60 and len(val) == 20 and len(test) == 20
    assert sorted(np.concatenate([train, val, test]).tolist()) == list(range(100))
    assert np.bincount(y[test]).tolist() == [10, 6, 4]  # each class in proportion
    again = stratified_split(y, (0.2, 0.2), seed=3, stratify=True)
    assert all(np.array_equal(a, b) for a, b in zip((train, val, test), again, strict=True))
    other = stratified_split(y, (0.2, 0.2), seed=4, stratify=True)
    assert not np.array_equal(test, other[2])


def test_a_holdout_gives_rounding_losses_to_the_largest_remainders():
    rest, held = stratified_holdout(np.array([0] * 5 + [1] * 5 + [2] * 2), 5, seed=0)
    assert len(held) == 5 and len(rest) == 7 and np.all(np.diff(held) > 0)


def test_too_few_rows_for_every_class_in_every_split_is_refused():
    with pytest.raises(DataError, match="cannot split 6 rows") as err:
        stratified_split(np.array([0, 1, 2, 0, 1, 2]), (0.2, 0.2), seed=0, stratify=True)
    assert "at least about 15 for 3 classes" in str(err.value)


def test_a_dataset_describes_its_shape_classes_and_splits():
    x = np.zeros((4, 28, 28, 1), np.uint8)
    ds = Dataset("tiny", "image", "classification", x, np.zeros(4), x[:1], np.zeros(1), x[:2],
                 np.zeros(2), ["a", "b"], {})  # fmt: skip
    assert ds.input_shape == (28, 28, 1) and ds.n_outputs == 2
    assert (
        ds.describe() == "tiny: image, inputs 28×28×1, 2 classes, 4 train / 1 validation / 2 test"
    )


def test_split_gives_the_arrays_of_each_split_by_name():
    import pytest

    import neuroflow as nf

    ds = nf.load_dataset("iris")
    x, y = ds.split("val")
    assert x is ds.x_val and y is ds.y_val
    with pytest.raises(ValueError, match="unknown split 'dev'"):
        ds.split("dev")
