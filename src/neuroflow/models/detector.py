"""Scoring the unknown-input check: how unlike the training data an input is (higher = less like).

Mahalanobis distance of the penultimate features to the nearest class mean (shared covariance),
energy, max-logit and max-softmax. Fitting the class means and the threshold is evaluation's job.
"""

from __future__ import annotations

import numpy as np
import torch

from neuroflow.errors import UsageError
from neuroflow.models.logits import PREDICT_BATCH, image_scale, softmax, to_input
from neuroflow.registry import Registry

METHODS: Registry = Registry("unknown-input method", UsageError)


@torch.inference_mode()
def features_and_logits(
    network,
    x: np.ndarray,
    preprocessing: dict,
    batch_size: int = PREDICT_BATCH,
    space: str = "features",
) -> tuple[np.ndarray, np.ndarray]:
    """Penultimate features (the input of the last layer), or the inputs themselves, and logits."""
    if network.training:
        network.eval()
    scale = image_scale(preprocessing)
    feats, logits = [], []
    for i in range(0, len(x), batch_size):
        rows = torch.from_numpy(np.ascontiguousarray(x[i : i + batch_size]))  # read per batch
        h = to_input(rows, scale)
        for layer in network.layers[:-1]:
            h = layer(h)
        feats.append(
            h.float().clone()
            if space == "features"
            else to_input(rows, scale).reshape(len(h), -1).float()
        )
        logits.append(network.layers[-1](h))
    return torch.cat(feats).numpy(), torch.cat(logits).numpy()


def mahalanobis(features: np.ndarray, means: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """The distance to the nearest class mean; `precision` is a matrix or, for wide tables, its
    diagonal. One class at a time, so memory stays at the features' size."""
    best = np.full(len(features), np.inf, dtype=np.float64)
    for mean in means:
        diff = features - mean
        if precision.ndim == 1:
            d = (diff * diff) @ precision
        else:
            d = np.einsum("nd,de,ne->n", diff, precision, diff)
        best = np.minimum(best, d)
    return best.astype(features.dtype if features.dtype.kind == "f" else np.float64)


@METHODS.register("mahalanobis")
def _mahalanobis(features, logits, temperature: float, params: dict) -> np.ndarray:
    return mahalanobis(features, params["means"], params["precision"])


@METHODS.register("energy")
def _energy(features, logits, temperature: float, params: dict) -> np.ndarray:
    z = logits / temperature
    m = z.max(1, keepdims=True)
    return -(temperature * (m[:, 0] + np.log(np.exp(z - m).sum(1))))


@METHODS.register("maxlogit")
def _max_logit(features, logits, temperature: float, params: dict) -> np.ndarray:
    return -logits.max(1)


@METHODS.register("msp")
def _max_softmax(features, logits, temperature: float, params: dict) -> np.ndarray:
    return 1.0 - softmax(logits, temperature).max(1)


def scores_for(
    method: str, features: np.ndarray, logits: np.ndarray, temperature: float, params: dict
) -> np.ndarray:
    """The scores of `method` (a name METHODS resolves) from features, logits and fitted arrays."""
    return METHODS.get(method)(features, logits, temperature, params)


def needs_features(method: str) -> bool:
    """Whether `method` measures features, so logits alone cannot score an input."""
    return METHODS.resolve(method) == "mahalanobis"
