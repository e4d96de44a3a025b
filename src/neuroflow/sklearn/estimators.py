"""NeuroflowClassifier and NeuroflowRegressor: a neuroflow network as a scikit-learn estimator,
trained by nf.train on neuroflow's own table preparation and shared as a neuroflow model folder.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from neuroflow import api as nf
from neuroflow.errors import DataError, NeuroflowError, SpecError, UsageError
from neuroflow.sklearn.inputs import as_value_error, checked_frame, prepared, table

PATIENCE = 10  # epochs without a lower validation loss, when the recipe names no patience


class NeuroflowEstimator(BaseEstimator):
    """What the classifier and the regressor share.

    `recipe` is a built-in recipe's name or a spec dict; `epochs`, `batch_size` and `lr` win over
    the recipe's own (None keeps the recipe's): the defaults train in about MLPClassifier's time
    (benchmarks/sklearn_tables.py). `hidden` (layer sizes) replaces the recipe's hidden layers.
    Training stops after the recipe's patience (else 10) epochs without a lower loss: with
    `early_stopping` the loss of `validation_fraction` of the rows held out, which then also
    calibrate the percentages and fit the unknown-input check; without, the training rows' loss.
    An int `early_stopping` is the patience. `warm_start` continues from the fitted weights.

    Pickling is for scikit-learn's own plumbing (clone, joblib workers); to share a model, `save`
    it: a model folder loads without running code.
    """

    _task = ""

    def __init__(
        self, recipe="table-mlp", *, epochs=50, batch_size=200, lr=0.01, hidden=None,
        early_stopping=False, validation_fraction=0.1, random_state=None, warm_start=False,
        verbose=False,
    ):  # fmt: skip
        self.recipe = recipe
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.hidden = hidden
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # a blank cell, as in neuroflow's tables
        tags.input_tags.categorical = True  # text columns of a DataFrame become one-hot categories
        return tags

    # fitting -------------------------------------------------------------------------------------
    def fit(self, X, y):
        """Train on X (an array, or a DataFrame with text and blanks) and y with nf.train."""
        warm = self.warm_start and hasattr(self, "model_")
        if y is None:  # validate_data words this as scikit-learn's checks expect
            validate_data(self, X, y, reset=not warm)
        parent = self.model_ if warm else None
        names = self._names() if warm else None
        frame = checked_frame(self, X, reset=not warm, names=names)
        numeric = "numeric" if self._task == "regression" else None
        y = check_array(column_or_1d(y, warn=True), ensure_2d=False, dtype=numeric, input_name="y")
        if len(y) != len(frame):
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{len(frame)}, {len(y)}]"
            )
        codes, class_names = self._encode_target(y, warm)
        seed = self._seed()
        held = self._validation_rows(codes, seed)
        source = {
            "from": type(self).__name__,
            "feature_names_in": hasattr(self, "feature_names_in_"),
        }
        if self._task == "classification":
            source["classes"] = self.classes_.tolist()
        data = table(
            frame, codes, task=self._task, class_names=class_names, validation=held,
            preprocessing=parent.preprocessing if warm else None, source=source,
        )  # fmt: skip
        try:
            self.model_ = nf.train(
                data, self._spec(), epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                seed=seed, parent=parent, progress="auto" if self.verbose else "quiet",
                # calibration and the unknown-input check are fitted on rows training did not see
                post_fit=held is not None,
            )  # fmt: skip
        except (DataError, SpecError, UsageError) as err:  # bad settings or data: a ValueError
            raise as_value_error(err) from None
        self.n_iter_ = len(self.model_.history)
        return self

    def _seed(self) -> int:
        if isinstance(self.random_state, int | np.integer) and not isinstance(
            self.random_state, bool
        ):
            return int(self.random_state)
        return int(check_random_state(self.random_state).randint(2**31 - 1))

    def _validation_rows(self, codes: np.ndarray, seed: int) -> np.ndarray | None:
        """Row indices held out to stop on, as MLPClassifier holds them out; None without early
        stopping or with too few rows."""
        if not self.early_stopping:
            return None
        fraction = self.validation_fraction
        if not (isinstance(fraction, float | int) and 0 < fraction < 1):
            raise ValueError(f"validation_fraction must be between 0 and 1, not {fraction!r}")
        n = len(codes)
        if round(n * fraction) < 1 or n - round(n * fraction) < 1:
            return None
        rows = np.arange(n)
        counts = np.bincount(codes) if self._task == "classification" else np.zeros(1)
        stratify = codes if counts.min() >= 2 and round(n * fraction) >= len(counts) else None
        _, held = train_test_split(
            rows, test_size=fraction, random_state=seed % 2**32, stratify=stratify
        )
        return np.sort(held)

    def _spec(self) -> dict:
        """The recipe (a name or a spec dict) with this estimator's hidden layers and stopping."""
        from neuroflow.models.recipes import recipe

        try:
            spec = (
                recipe(self.recipe) if isinstance(self.recipe, str) else copy.deepcopy(self.recipe)
            )
        except NeuroflowError as err:
            raise as_value_error(err) from None
        if not isinstance(spec, dict) or not isinstance(spec.get("layers"), list):
            raise ValueError("recipe must be a built-in recipe's name or a spec dict with 'layers'")
        if self.hidden is not None:
            sizes = [self.hidden] if isinstance(self.hidden, int) else list(self.hidden)
            spec["layers"] = [{"type": "Dense", "units": h, "activation": "relu"} for h in sizes]
            spec["layers"].append({"type": "Dense", "units": "auto", "activation": "auto"})
        # Training stops after `patience` epochs without a lower loss: on the held-out rows with
        # early_stopping, else on the training rows (as MLPClassifier stops on its training loss).
        given = self.early_stopping is not True and self.early_stopping
        spec["early_stopping"] = given or spec.get("early_stopping") or PATIENCE
        return spec

    # predicting ----------------------------------------------------------------------------------
    def _names(self) -> list[str]:
        return [c["name"] for c in self.model_.preprocessing["columns"]]

    def _prepared(self, X) -> tuple[np.ndarray, int]:
        """X as the network reads it, padded with zero rows to whole forward passes: a matrix
        product sums in an order that depends on how many rows it has, so without the padding a
        row's answer would change in the last decimals with the rows that came with it. Returns
        the padded rows and how many are real."""
        from neuroflow.models.logits import PREDICT_BATCH

        check_is_fitted(self)
        frame = checked_frame(self, X, reset=False, names=self._names())
        x = prepared(frame, self.model_.preprocessing)
        padding = np.zeros((-len(x) % PREDICT_BATCH, x.shape[1]), x.dtype)
        return np.concatenate([x, padding]), len(x)

    # sharing -------------------------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write neuroflow's model folder (config.json, model.safetensors, the card):
        `neuroflow predict FOLDER rows.csv` and `neuroflow serve FOLDER` open it."""
        check_is_fitted(self)
        return self.model_.save(folder)

    @classmethod
    def from_folder(cls, folder: str | Path):
        """A fitted estimator from a model folder or bundle (nothing in it runs code)."""
        model = nf.load(folder)
        if not isinstance(model, nf.Model) or model.kind != "table" or model.task != cls._task:
            raise UsageError(
                f"{folder} does not hold a table {cls._task} model",
                f"give a folder saved by {cls.__name__} or trained on a table",
            )
        est = cls()
        est.model_ = model
        source = model.config.get("dataset", {}).get("source", {})
        names = est._names()
        est.n_features_in_ = len(names)
        if source.get("feature_names_in", True):  # a CSV's columns have names
            est.feature_names_in_ = np.array(names, dtype=object)
        if cls._task == "classification":
            est.classes_ = np.array(source.get("classes", model.class_names))
        est.n_iter_ = len(model.history) or model.config.get("training", {}).get("epochs_run", 0)
        return est


class NeuroflowClassifier(ClassifierMixin, NeuroflowEstimator):
    """A neuroflow network that sorts rows into classes, for Pipeline, GridSearchCV and
    cross_val_score. Percentages are calibrated on the held-out rows when early_stopping is on."""

    _task = "classification"

    def _encode_target(self, y: np.ndarray, warm: bool):
        check_classification_targets(y)
        classes, codes = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"the target has 1 class ({classes[0]!r}); a classifier needs at least two classes"
            )
        if warm and not np.array_equal(classes, self.classes_):
            raise ValueError(
                f"warm_start continues training on the classes {self.classes_.tolist()}, and "
                f"this y has {classes.tolist()}; fit again with warm_start=False"
            )
        self.classes_ = classes
        return codes, [str(c) for c in classes]

    def predict_proba(self, X) -> np.ndarray:
        x, n = self._prepared(X)  # checks first that the estimator is fitted
        p = self.model_.probabilities(x)[:n].astype(np.float64)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        chosen = np.argmax(self.predict_proba(X), axis=1)  # checks first that it is fitted
        return self.classes_[chosen]


class NeuroflowRegressor(RegressorMixin, NeuroflowEstimator):
    """A neuroflow network that predicts a number, for Pipeline, GridSearchCV and
    cross_val_score."""

    _task = "regression"

    def _encode_target(self, y: np.ndarray, warm: bool):
        try:
            return np.asarray(y, dtype=np.float64), None
        except (TypeError, ValueError):
            raise ValueError("a regression target holds numbers") from None

    def predict(self, X) -> np.ndarray:
        x, n = self._prepared(X)  # checks first that the estimator is fitted
        return self.model_.values(x)[:n].astype(np.float64)
