"""neuroflow.data.registry: one DATA argument for built-in names, CSV files and image folders."""

import pytest

from neuroflow.data.registry import BUILTIN_DATASETS, load_dataset
from neuroflow.errors import DataError, UsageError


def test_built_in_names_resolve_loosely_and_load():
    assert BUILTIN_DATASETS.names() == ["iris", "digits", "mnist", "fashion-mnist"]
    assert "Fashion_MNIST" in BUILTIN_DATASETS
    ds = load_dataset(" Iris ", seed=1)
    assert ds.name == "iris" and len(ds.x_train) + len(ds.x_val) + len(ds.x_test) == 150


def test_an_unknown_name_lists_the_built_in_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError) as err:
        load_dataset("irises")
    assert str(err.value) == (
        "no dataset called 'irises' and no such file or folder. Use a built-in name (iris, digits, "
        "mnist, fashion-mnist), a CSV file or an image folder."
    )
    with pytest.raises(UsageError, match="no DATA was given"):
        load_dataset("  ")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"target": "petal_width"}, "iris predicts 'species', not 'petal_width'"),
        ({"task": "regression"}, "iris is classification data"),
        ({"task": "clustering"}, "unknown task 'clustering'"),
        ({"seed": -1}, "--seed -1 is out of range"),
    ],
)
def test_options_that_do_not_fit_built_in_data_are_refused(kwargs, message):
    with pytest.raises(UsageError, match=message):
        load_dataset("iris", **kwargs)


def _idx_file(path, arr) -> None:
    import struct

    import numpy as np

    dims = b"".join(struct.pack(">I", d) for d in arr.shape)
    path.write_bytes(struct.pack(">I", 0x0800 | arr.ndim) + dims + arr.astype(np.uint8).tobytes())


def test_a_built_in_name_wins_over_a_folder_of_that_name(tmp_path, monkeypatch, cli):
    """`serve` trains inside --workdir beside model folders called iris, and `data download mnist
    --data-dir .` makes ./mnist: the bare name still means the built-in data; ./iris the folder."""
    import numpy as np

    monkeypatch.chdir(tmp_path)
    (tmp_path / "iris").mkdir()
    (tmp_path / "iris" / "config.json").write_text("{}")
    (tmp_path / "iris" / "loss_curve.png").write_bytes(b"\x89PNG")
    notes = []
    ds = load_dataset("iris", note=notes.append)
    assert ds.name == "iris" and len(ds.x_train) + len(ds.x_val) + len(ds.x_test) == 150
    assert notes == [
        "iris is the built-in dataset; for the folder or file of that name give ./iris"
    ]
    with pytest.raises(DataError, match="iris is a model folder, not training data"):
        load_dataset("./iris")
    assert cli("inspect", "iris").out.startswith("iris: 150 rows")
    (tmp_path / "mnist").mkdir()
    for split, n in (("train", 60), ("t10k", 20)):
        _idx_file(tmp_path / "mnist" / f"{split}-images-idx3-ubyte", np.zeros((n, 28, 28)))
        _idx_file(tmp_path / "mnist" / f"{split}-labels-idx1-ubyte", np.arange(n) % 10)
    res = cli("inspect", "mnist", "--data-dir", ".")  # read as the built-in's IDX files
    assert "mnist/train-images-idx3-ubyte holds only 60 training images" in res.err, res.output


def test_a_data_folder_that_does_not_exist_is_named(tmp_path):
    with pytest.raises(DataError, match=f"the data folder {tmp_path / 'nope'} does not exist"):
        load_dataset("mnist", data_dir=str(tmp_path / "nope"))
