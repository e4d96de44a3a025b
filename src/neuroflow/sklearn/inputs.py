"""What the scikit-learn estimators take in: arrays and DataFrames checked as scikit-learn checks
them, then turned into a neuroflow table by neuroflow's own preparation (blanks, text, unseen text).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils.validation import validate_data

from neuroflow.api import Dataset
from neuroflow.data.tables.fit import feature_names, fit_preprocessing
from neuroflow.data.tables.prepare import infinite_value, transform
from neuroflow.errors import DataError, NeuroflowError


class InputError(DataError, ValueError):
    """Bad input to an estimator: a neuroflow DataError that scikit-learn's code catches as the
    ValueError it expects."""


def as_value_error(err: NeuroflowError) -> InputError:
    return InputError(err.message, err.hint)


def checked_frame(estimator, X, *, reset: bool, names: list[str] | None = None) -> pd.DataFrame:
    """X as a DataFrame whose columns carry the names training used (`names`; x0, x1, ... for
    arrays), after scikit-learn's checks of its shape, feature names and values."""
    if isinstance(X, pd.DataFrame):
        validate_data(estimator, X, reset=reset, skip_check_array=True)  # names and column count
        _check_frame(X)
        frame = X.copy(deep=False)
    else:
        # Text columns learned from a DataFrame arrive as objects when predicting from an array.
        text = names is not None and _has_text(estimator)
        values = validate_data(
            estimator, X, reset=reset, dtype=None if text else "numeric",
            ensure_all_finite=False if text else "allow-nan",
        )  # fmt: skip
        frame = pd.DataFrame(values)
    if names is None:  # fitting: a DataFrame's own names where scikit-learn keeps them
        known = getattr(estimator, "feature_names_in_", None)
        names = list(known) if known is not None else [f"x{i}" for i in range(frame.shape[1])]
    frame.columns = names
    return frame


def _has_text(estimator) -> bool:
    prep = estimator.model_.preprocessing
    return any(c["kind"] != "numeric" for c in prep["columns"])


def _check_frame(X: pd.DataFrame) -> None:
    """What check_array refuses in an array, refused in a DataFrame with scikit-learn's words."""
    if X.shape[0] == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is required."
        )
    if X.shape[1] == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 is required."
        )
    for name, dtype in X.dtypes.items():
        if isinstance(dtype, pd.SparseDtype):
            raise TypeError(
                f"column {name!r} is sparse; give dense columns (DataFrame.sparse.to_dense())"
            )
        if pd.api.types.is_complex_dtype(dtype):
            raise ValueError("Complex data not supported")
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            inf = np.isinf(X[name].to_numpy(dtype=float))
            if inf.any():  # neuroflow's words; check_array's for arrays
                raise as_value_error(infinite_value(name, f"row {int(np.argmax(inf)) + 1}"))


def prepared(frame: pd.DataFrame, preprocessing: dict) -> np.ndarray:
    """Rows as the network reads them, exactly as training fitted; bad cells raise ValueError."""
    try:
        return transform(frame, preprocessing)
    except NeuroflowError as err:
        raise as_value_error(err) from None


def target_column(frame: pd.DataFrame) -> str:
    """A name for the target beside the inputs, taken by none of them."""
    name = "target"
    while name in frame.columns:
        name += "_"
    return name


def table(
    frame: pd.DataFrame,
    y: np.ndarray,
    *,
    task: str,
    class_names: list[str] | None,
    validation: np.ndarray | None,
    preprocessing: dict | None,
    source: dict,
) -> Dataset:
    """A neuroflow Dataset of the rows: y holds class indices or numbers; `validation` the row
    indices held out (None: the training rows check themselves). The preparation is fitted on the
    training rows unless one is given (warm start)."""
    train = np.arange(len(frame))
    if validation is not None:
        train = np.setdiff1d(train, validation)
    if preprocessing is None:
        target = target_column(frame)
        rows = frame.iloc[train].assign(**{target: y[train]})
        try:
            preprocessing = fit_preprocessing(rows, target, task)
        except NeuroflowError as err:
            raise as_value_error(err) from None
    x = prepared(frame, preprocessing)
    if task == "regression":
        y = ((y - preprocessing["target_mean"]) / preprocessing["target_std"]).astype(np.float32)
    else:
        y = y.astype(np.int64)
    held = train if validation is None else validation
    return Dataset(
        name="scikit-learn", kind="table", task=task,
        x_train=x[train], y_train=y[train], x_val=x[held], y_val=y[held],
        x_test=x[:0], y_test=y[:0], class_names=class_names, preprocessing=preprocessing,
        feature_names=feature_names(preprocessing), source=source,
    )  # fmt: skip
