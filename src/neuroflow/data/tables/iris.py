"""The lesson's Iris table: 150 flowers, four measurements and the species as text, as a user's
own CSV would have it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from neuroflow.data.dataset import Dataset
from neuroflow.data.tables.prepare import table_dataset


def iris_frame() -> pd.DataFrame:
    """Iris as a table with the species as text, as a user's own CSV would have it.

    Read from the CSV that scikit-learn ships, without importing scikit-learn (a second of
    start-up).
    """
    import importlib.util

    columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    spec = importlib.util.find_spec("sklearn")
    csv = (
        Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / "iris.csv"
        if spec
        else None
    )
    if csv is not None and csv.is_file():
        with open(csv, encoding="utf-8") as fh:
            names = fh.readline().strip().split(",")[2:]
            df = pd.read_csv(fh, header=None, names=[*columns, "species"])
        df["species"] = np.asarray(names)[df["species"].to_numpy()]
        return df
    from sklearn.datasets import load_iris as sk_iris

    bunch = sk_iris()
    df = pd.DataFrame(bunch.data, columns=columns)
    df["species"] = bunch.target_names[bunch.target]
    return df


def load_iris(seed: int = 0, fractions=(0.2, 0.2)) -> Dataset:
    return table_dataset(
        iris_frame(),
        "species",
        name="iris",
        task="classification",
        seed=seed,
        fractions=fractions,
        source={"name": "iris"},
    )
