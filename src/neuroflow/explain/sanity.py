"""The published sanity checks of attributions: model randomisation (Adebayo et al., 2018),
deletion of the most-attributed pixels, and the completeness gap of integrated gradients.

Each takes a trained model and prepared pictures and returns the figure the check compares.
"""

from __future__ import annotations

import numpy as np

from neuroflow.explain.attributions import attribute, check_method


def randomised_network(model, seed: int = 1):
    """The same architecture with freshly initialised weights (neuroflow's own initialisers)."""
    import torch

    from neuroflow.models.spec import build_network

    n_out = len(model.class_names) if model.task == "classification" else 1
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        _, network = build_network(model.spec, model.input_shape, n_out, model.task)
    return network.eval()


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation of two maps (ties share their mean rank)."""
    import warnings

    from scipy.stats import spearmanr

    with warnings.catch_warnings():  # a flat map (a dead network's) has no ranks: counted as 0
        warnings.simplefilter("ignore")
        rho = spearmanr(np.ravel(a), np.ravel(b)).statistic
    return 0.0 if np.isnan(rho) else float(rho)


def randomisation_correlation(model, x: np.ndarray, method: str, seed: int = 1,
                              absolute: bool = True) -> float:  # fmt: skip
    """Mean Spearman correlation between the attributions (|attributions| as Adebayo et al. rank
    them, or signed) of the trained model and of the same architecture re-initialised, for the
    trained model's predicted classes: near 0 passes, near 1 means the map ignores the weights."""
    method = check_method(method)
    targets = model.probabilities(x).argmax(1)
    _, trained, _ = attribute(model, x, targets, method)
    _, random, _ = attribute(model, x, targets, method, network=randomised_network(model, seed))
    if absolute:
        trained, random = np.abs(trained), np.abs(random)
    return float(np.mean([spearman(t, r) for t, r in zip(trained, random, strict=True)]))


def deletion_wins(model, x: np.ndarray, method: str = "integrated-gradients",
                  fraction: float = 0.1, seed: int = 0) -> np.ndarray:  # fmt: skip
    """Per picture: does blanking the `fraction` most-attributed pixels lower the predicted class's
    probability more than blanking as many pixels chosen at random?"""
    import torch

    from neuroflow.models.logits import softmax

    method = check_method(method)
    targets = model.probabilities(x).argmax(1)
    seen, attr, _ = attribute(model, x, targets, method)
    n, h, w, _ = seen.shape
    k = max(1, round(fraction * h * w))
    score = attr.sum(axis=3).reshape(n, -1)  # a pixel's attribution over its channels
    rng = np.random.default_rng(seed)
    top = np.argsort(-score, axis=1)[:, :k]
    chosen = np.stack([rng.choice(h * w, k, replace=False) for _ in range(n)])

    def probability_after_blanking(where: np.ndarray) -> np.ndarray:
        flat = seen.reshape(n, h * w, -1).copy()
        np.put_along_axis(flat, where[:, :, None], 0.0, axis=1)  # blank: black, the baseline
        inputs = torch.from_numpy(flat.reshape(seen.shape)).permute(0, 3, 1, 2)
        with torch.inference_mode():
            logits = model.network(inputs.contiguous(memory_format=torch.channels_last)).numpy()
        return softmax(logits, model.temperature)[np.arange(n), targets]

    return probability_after_blanking(top) < probability_after_blanking(chosen)


def completeness_gaps(model, x: np.ndarray) -> np.ndarray:
    """Integrated gradients' gap per input: |sum of attributions - (logit at the input - logit at
    the baseline)|, relative to that difference."""
    targets = model.probabilities(x).argmax(1) if model.task == "classification" else None
    targets = np.zeros(len(x), dtype=np.int64) if targets is None else targets
    return attribute(model, x, targets, "integrated-gradients")[2]


__all__ = [
    "completeness_gaps",
    "deletion_wins",
    "randomisation_correlation",
    "randomised_network",
    "spearman",
]
