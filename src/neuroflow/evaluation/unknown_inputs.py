"""Fitting the unknown-input check and measuring it: class means, threshold, figures against data.

The scores themselves are `neuroflow.models.detector`'s; the threshold is a conformal quantile of
the validation scores, so a chosen share of new known inputs (default 95%) is accepted on average.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from neuroflow.errors import UsageError
from neuroflow.models.detector import METHODS, features_and_logits, needs_features, scores_for

# Energy separates digits from noise, blanks and shapes best (benchmarks/ood.py); a far-away table
# row makes the logits more confident, so there the distance to the class means flags it.
DEFAULT_METHOD = {"image": "energy", "table": "mahalanobis"}
FIT_LIMIT = 20_000  # training examples used to fit class means and covariance


# Past this many measured columns the shared covariance is kept as its diagonal: the full matrix
# grows with the square of the columns (5,000 columns: 100 MB on disk, over 1 GB to fit).
FULL_COVARIANCE_WIDTH = 512


def fit_gaussians(
    features: np.ndarray, y: np.ndarray, n_classes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Class means and the shared precision (ridge-regularised so it always inverts): a matrix up
    to FULL_COVARIANCE_WIDTH columns, its diagonal (one number a column) beyond."""
    means = np.stack(
        [features[y == c].mean(0) if (y == c).any() else features.mean(0) for c in range(n_classes)]
    )
    centred = features - means[y]
    n = max(len(features) - 1, 1)
    if features.shape[1] > FULL_COVARIANCE_WIDTH:
        var = (centred * centred).sum(0) / n
        var += 1e-3 * var.mean() + 1e-6
        return means.astype(np.float32), (1.0 / var).astype(np.float32)
    cov = centred.T @ centred / n
    cov += np.eye(len(cov)) * (1e-3 * np.trace(cov) / len(cov) + 1e-6)
    return means.astype(np.float32), np.linalg.inv(cov).astype(np.float32)


def fit_detector(
    model,
    data,
    method: str | None = None,
    target_accept: float = 0.95,
    seed: int = 0,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict:
    """Fit the score on training data and its threshold on validation data; record both.

    `validation`: the validation split's features (in `measured_space`) and logits, when they are
    at hand (otherwise the network computes them).
    """
    method = chosen_method(model, method)
    if not 0.5 <= target_accept < 1:
        raise UsageError(
            f"target accept share {target_accept} is out of range",
            "give a share between 0.5 and 1, e.g. 0.95",
        )
    space = measured_space(model)
    model.detector, fitted = {}, ""
    if needs_features(method):
        model.detector, fitted = _class_gaussians(model, data, space, seed)
    if validation is None:
        validation = features_and_logits(
            model.network, data.x_val, model.preprocessing, space=space
        )
    vf, vl = validation
    val_scores = scores_for(method, vf, vl, model.temperature, model.detector)
    threshold, tight = conformal_threshold(val_scores, target_accept)
    model.config["ood"] = {
        "method": method,
        "space": space,
        "threshold": threshold,
        "target_accept": target_accept,
        # too few validation inputs for the promise to be tight: the largest score is the threshold
        "tight": tight,
        "validation_inputs": len(val_scores),
        "fitted_on": f"{fitted}threshold on {len(data.y_val)} validation examples",
    }
    # after the check is recorded, since scoring the reports reads it
    model.config["ood"]["reports"] = synthetic_reports(model, val_scores)
    return model.config["ood"]


def _class_gaussians(model, data, space: str, seed: int) -> tuple[dict, str]:
    """Class means and shared precision on up to FIT_LIMIT training examples, for methods that
    measure distances (the others score the logits alone and need nothing from training data)."""
    rng = np.random.default_rng(seed)
    idx = np.sort(
        rng.choice(len(data.y_train), size=min(FIT_LIMIT, len(data.y_train)), replace=False)
    )
    feats, _ = features_and_logits(
        model.network, data.x_train[idx], model.preprocessing, space=space
    )
    measured = _measured_columns(model, space, feats.shape[1])
    means, kept = fit_gaussians(feats[:, measured], data.y_train[idx], len(model.class_names))
    means, precision = _embedded(feats, data.y_train[idx], means, kept, measured)
    shared = "shared covariance" if precision.ndim == 2 else "shared variances, one a column"
    fitted = f"{len(idx)} training examples (class means, {shared}), "
    return {"means": means, "precision": precision}, fitted


def _measured_columns(model, space: str, width: int) -> np.ndarray:
    """The columns distances are measured on: a table's missing-indicator columns are left out,
    since a blank is filled with the training mean and is fine, however rare blanks were in
    training (an indicator of 1 where 2% of rows had one would alone score about 49)."""
    names = model.config.get("input", {}).get("feature_names") or []
    if space != "inputs" or len(names) != width:
        return np.ones(width, dtype=bool)
    return np.array([not str(n).endswith(" is missing") for n in names], dtype=bool)


def _embedded(features, y, means, precision, measured: np.ndarray):
    """Means over every column and a precision with zeros for the columns not measured."""
    if measured.all():
        return means, precision
    full_means = np.stack(
        [
            features[y == c].mean(0) if (y == c).any() else features.mean(0)
            for c in range(len(means))
        ]
    ).astype(np.float32)
    width = len(measured)
    if precision.ndim == 1:
        full = np.zeros(width, dtype=np.float32)
        full[measured] = precision
    else:
        full = np.zeros((width, width), dtype=np.float32)
        full[np.ix_(measured, measured)] = precision
    return full_means, full


def conformal_threshold(val_scores: np.ndarray, target_accept: float) -> tuple[float, bool]:
    """The ⌈(n+1)·q⌉-th smallest of n validation scores, and whether that rank exists.

    A fresh known input, exchangeable with the validation inputs, scores at or below it with
    probability ≥ q (split conformal), however small n is. When ⌈(n+1)·q⌉ > n no score is high
    enough: the largest one is used and only n/(n+1) is promised (tight is False).
    """
    scores = np.sort(np.asarray(val_scores, np.float64).ravel())
    n = len(scores)
    if n == 0:
        return float("inf"), False
    rank = math.ceil((n + 1) * target_accept - 1e-9)  # the tolerance absorbs float error in (n+1)q
    return float(scores[min(rank, n) - 1]), rank <= n


def chosen_method(model, method: str | None = None) -> str:
    """`method` by its full name, or the default for the model's kind."""
    return METHODS.resolve(method or DEFAULT_METHOD[model.kind])


def reads_training_data(model, method: str | None = None) -> bool:
    """Whether fitting the check with `method` (or the default) reads training examples."""
    return needs_features(chosen_method(model, method))


def measured_space(model) -> str:
    """Where distances are measured: a table's standardised inputs (a few well-scaled columns,
    steady even with few rows), an image model's penultimate features (pixels are too many)."""
    return "inputs" if model.kind == "table" else "features"


def synthetic_reports(model, val_scores: np.ndarray, n: int = 1000) -> dict:
    """For digit models, the check's figures against generated unknown inputs (for the card)."""
    prep = model.preprocessing
    if not (prep.get("prepare") == "digit" and model.input_shape == (28, 28, 1)):
        return {}
    from neuroflow.data.made_up.unknown_inputs import unknown_inputs

    reports = {}
    for kind in ("letters", "noise", "shapes"):
        x = unknown_inputs(kind, n, seed=12345)[..., None]
        reports[f"generated {kind} ({n})"] = detection_figures(val_scores, model.unknown_scores(x))
    return reports


def detection_figures(in_scores: np.ndarray, out_scores: np.ndarray) -> dict:
    """AUROC, AUPR (unknown inputs as the positive class) and the FPR at 95% TPR of known inputs."""
    from neuroflow.evaluation.metrics import auroc, average_precision

    labels = np.r_[np.zeros(len(in_scores)), np.ones(len(out_scores))]
    scores = np.r_[in_scores, out_scores]
    threshold = np.quantile(in_scores, 0.95)  # accepts 95% of known inputs
    return {
        "auroc": auroc(labels, scores),
        "aupr": average_precision(labels, scores),
        "fpr_at_95_tpr": float((out_scores <= threshold).mean()),
    }


def evaluate_unknown(
    model, other, *, data_dir: str | None = None, out: str | Path | None = None
) -> dict:
    """How well the check tells the model's test data from OTHER (a dataset, CSV or image folder).

    When the figures go to the model's own folder, they are recorded in its card and config.
    """
    from neuroflow.evaluation.evaluate import evaluation_arrays
    from neuroflow.evaluation.plots import score_histogram_png

    if model.unknown_check is None:
        raise UsageError(
            "this model has no unknown-input check",
            "it is fitted when a classifier is trained; retrain it with this neuroflow",
        )
    x_in, _, what_in = evaluation_arrays(model, None, data_dir)
    x_out, what_out = other_inputs(model, other, data_dir)
    s_in, s_out = model.unknown_scores(x_in), model.unknown_scores(x_out)
    report = {"data": what_out, "known_data": what_in, **detection_figures(s_in, s_out)}
    threshold = model.unknown_check["threshold"]
    report["known_accepted"] = float(model.known(s_in).mean())
    report["unknown_rejected"] = float((s_out > threshold).mean())
    out_dir = Path(out) if out else model.path
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        scores = {what_in: s_in, what_out: s_out}
        path = out_dir / "unknown_scores.png"
        report["histogram_png"] = str(
            score_histogram_png(scores, threshold, path, "Unknown-input scores")
        )
    if model.path is not None and out_dir == model.path:
        from neuroflow.models.writer import update_card

        model.config["ood"].setdefault("reports", {})[what_out] = {
            k: report[k] for k in ("auroc", "aupr", "fpr_at_95_tpr")
        }
        update_card(model, model.config.get("metrics", {}))
    return report


def other_inputs(model, other, data_dir: str | None) -> tuple[np.ndarray, str]:
    """Inputs from OTHER prepared as the model prepares its own: pictures, a CSV, a dataset."""
    path = Path(str(other))
    if model.kind == "image" and path.is_dir() and not any(p.is_dir() for p in path.iterdir()):
        from neuroflow.models.raw_inputs import image_inputs

        x, names, _ = image_inputs(model, [path])
        return x, f"{path.name} ({len(names)} pictures)"
    if model.kind == "table" and path.is_file():
        from neuroflow.models.raw_inputs import table_inputs

        x, names, _ = table_inputs(model, path)
        return x, f"{path.name} ({len(names)} rows)"
    from neuroflow.data import load_dataset

    prep = model.preprocessing
    size = (prep["height"], prep["width"]) if prep.get("type") == "image" else None
    ds = load_dataset(
        str(other),
        data_dir=data_dir,
        image_size=size,
        grayscale=prep.get("channels") == 1 if size else None,
    )
    if ds.input_shape != model.input_shape:
        raise UsageError(
            f"{ds.name} has inputs of shape {ds.input_shape}, the model takes {model.input_shape}",
            "give data of the model's input size (or --image-size)",
        )
    return ds.x_test, f"{ds.name} test split ({len(ds.x_test)} examples)"
