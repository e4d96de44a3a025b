"""The unknown-input check: a score for how unlike the training data an input is, and its threshold.

Scores (higher = less like the training data): Mahalanobis distance of the penultimate features to the
nearest class mean (shared covariance), energy, max-logit and max-softmax. The threshold accepts a
chosen share of validation inputs (default 95%).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from neuroflow.errors import UsageError

METHODS = ("mahalanobis", "energy", "maxlogit", "msp")
# Chosen by measurement (benchmarks/ood.py): energy separates MNIST from noise, blanks, shapes and
# scrambled digits best; for tables a far-away row makes the logits *more* confident, so the distance
# of its features to the class means is what flags it.
DEFAULT_METHOD = {"image": "energy", "table": "mahalanobis"}
FIT_LIMIT = 20_000  # training examples used to fit class means and covariance


@torch.inference_mode()
def features_and_logits(
    network, x: np.ndarray, preprocessing: dict, batch_size: int = 1024, space: str = "features"
) -> tuple[np.ndarray, np.ndarray]:
    """Penultimate features (the input of the last layer), or the inputs themselves, and logits."""
    from neuroflow.training.batches import image_scale, to_input

    if network.training:
        network.eval()
    scale = image_scale(preprocessing)
    feats, logits = [], []
    xt = torch.from_numpy(np.ascontiguousarray(x))
    for i in range(0, len(xt), batch_size):
        h = to_input(xt[i : i + batch_size], scale)
        for layer in network.layers[:-1]:
            h = layer(h)
        feats.append(
            h.float().clone()
            if space == "features"
            else to_input(xt[i : i + batch_size], scale).reshape(len(h), -1).float()
        )
        logits.append(network.layers[-1](h))
    return torch.cat(feats).numpy(), torch.cat(logits).numpy()


def fit_gaussians(
    features: np.ndarray, y: np.ndarray, n_classes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Class means and the shared precision matrix (ridge-regularised so it always inverts)."""
    means = np.stack(
        [features[y == c].mean(0) if (y == c).any() else features.mean(0) for c in range(n_classes)]
    )
    centred = features - means[y]
    cov = centred.T @ centred / max(len(features) - 1, 1)
    cov += np.eye(len(cov)) * (1e-3 * np.trace(cov) / len(cov) + 1e-6)
    return means.astype(np.float32), np.linalg.inv(cov).astype(np.float32)


def mahalanobis(features: np.ndarray, means: np.ndarray, precision: np.ndarray) -> np.ndarray:
    diff = features[:, None, :] - means[None, :, :]  # (N, C, D)
    return np.einsum("ncd,de,nce->nc", diff, precision, diff).min(1)


def scores_for(
    method: str, features: np.ndarray, logits: np.ndarray, temperature: float, params: dict
) -> np.ndarray:
    if method == "mahalanobis":
        return mahalanobis(features, params["means"], params["precision"])
    z = logits / temperature
    if method == "energy":
        m = z.max(1, keepdims=True)
        return -(temperature * (m[:, 0] + np.log(np.exp(z - m).sum(1))))
    if method == "maxlogit":
        return -logits.max(1)
    from neuroflow.evaluation.metrics import softmax

    return 1.0 - softmax(logits, temperature).max(1)


def fit_detector(
    model, data, method: str | None = None, target_accept: float = 0.95, seed: int = 0
) -> dict:
    """Fit the score on training data and its threshold on validation data; record both in the model."""
    method = method or DEFAULT_METHOD[model.kind]
    if method not in METHODS:
        raise UsageError(
            f"unknown unknown-input method {method!r}", f"choose one of: {', '.join(METHODS)}"
        )
    if not 0.5 <= target_accept < 1:
        raise UsageError(
            f"target accept share {target_accept} is out of range",
            "give a share between 0.5 and 1, e.g. 0.95",
        )
    rng = np.random.default_rng(seed)
    idx = np.sort(
        rng.choice(len(data.y_train), size=min(FIT_LIMIT, len(data.y_train)), replace=False)
    )
    feats, _ = features_and_logits(
        model.network, data.x_train[idx], model.preprocessing, space=_space(model)
    )
    means, precision = fit_gaussians(feats, data.y_train[idx], len(model.class_names))
    model.detector = {"means": means, "precision": precision}
    vf, vl = features_and_logits(
        model.network, data.x_val, model.preprocessing, space=_space(model)
    )
    val_scores = scores_for(method, vf, vl, model.temperature, model.detector)
    # The quantile a little above the target (one-sided 97.5% bound of a binomial share), so that at
    # least `target_accept` of new in-distribution inputs are accepted, not just of this validation set.
    margin = 1.96 * np.sqrt(target_accept * (1 - target_accept) / max(len(val_scores), 1))
    threshold = float(np.quantile(val_scores, min(target_accept + margin, 0.999)))
    model.config["ood"] = {
        "method": method,
        "space": _space(model),
        "threshold": threshold,
        "target_accept": target_accept,
        "fitted_on": f"{len(idx)} training examples (class means, shared covariance), threshold on {len(data.y_val)} validation examples",
    }
    model.config["ood"]["reports"] = synthetic_reports(
        model, val_scores
    )  # scoring them reads the method set above
    return model.config["ood"]


def _space(model) -> str:
    """Where distances are measured: a table's standardised inputs (a handful of well-scaled columns,
    steady even with few rows), an image model's penultimate features (pixels are too many)."""
    return "inputs" if model.kind == "table" else "features"


def synthetic_reports(model, val_scores: np.ndarray, n: int = 1000) -> dict:
    """For digit models, the check's figures against generated non-digits (recorded in the card)."""
    prep = model.preprocessing
    if not (prep.get("prepare") == "digit" and model.input_shape == (28, 28, 1)):
        return {}
    from neuroflow.data.unknown_inputs import unknown_inputs

    reports = {}
    for kind in ("letters", "noise", "shapes"):
        x = unknown_inputs(kind, n, seed=12345)[..., None]
        reports[f"generated {kind} ({n})"] = detection_figures(val_scores, score_inputs(model, x))
    return reports


def score_inputs(model, x: np.ndarray, logits: np.ndarray | None = None) -> np.ndarray:
    """The unknown-input score of each input; given the logits, only Mahalanobis runs the network again."""
    method = model.config["ood"]["method"]
    feats = None
    if logits is None or method == "mahalanobis":
        feats, logits = features_and_logits(
            model.network,
            x,
            model.preprocessing,
            space=model.config["ood"].get("space", "features"),
        )
    return scores_for(method, feats, logits, model.temperature, model.detector)


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


def evaluate_ood(
    model, other, *, data_dir: str | None = None, out: str | Path | None = None
) -> dict:
    """How well the check separates the model's test data from OTHER (a dataset name, CSV or image folder)."""
    from neuroflow.evaluation.evaluate import evaluation_arrays
    from neuroflow.evaluation.plots import score_histogram_png

    if not model.config.get("ood"):
        raise UsageError(
            "this model has no unknown-input check",
            "it is fitted when a classifier is trained; retrain it with this neuroflow",
        )
    x_in, _, what_in = evaluation_arrays(model, None, data_dir)
    x_out, what_out = other_inputs(model, other, data_dir)
    s_in, s_out = score_inputs(model, x_in), score_inputs(model, x_out)
    report = {"data": what_out, "known_data": what_in, **detection_figures(s_in, s_out)}
    threshold = model.config["ood"]["threshold"]
    report["known_accepted"] = float((s_in <= threshold).mean())
    report["unknown_rejected"] = float((s_out > threshold).mean())
    out_dir = Path(out) if out else model.path
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        report["histogram_png"] = str(
            score_histogram_png(
                {what_in: s_in, what_out: s_out},
                threshold,
                out_dir / "unknown_scores.png",
                "Unknown-input scores",
            )
        )
    if model.path is not None and out_dir == model.path:
        from neuroflow.evaluation.evaluate import refresh_card

        model.config["ood"].setdefault("reports", {})[what_out] = {
            k: report[k] for k in ("auroc", "aupr", "fpr_at_95_tpr")
        }
        refresh_card(model, model.config.get("metrics", {}))
    return report


def other_inputs(model, other, data_dir: str | None) -> tuple[np.ndarray, str]:
    """Inputs from OTHER, prepared as the model prepares its own: a folder of pictures, a CSV, a dataset."""
    path = Path(str(other))
    if model.kind == "image" and path.is_dir() and not any(p.is_dir() for p in path.iterdir()):
        from neuroflow.inference.predict import image_inputs

        x, names, _ = image_inputs(model, [path])
        return x, f"{path.name} ({len(names)} pictures)"
    if model.kind == "table" and path.is_file():
        from neuroflow.inference.predict import table_inputs

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
