"""The published sanity checks of attributions: model randomisation (Adebayo et al., 2018),
deletion of the most-attributed pixels, and the completeness gap of integrated gradients.

Each takes a trained model and prepared pictures and returns the figure the check compares.
"""

from __future__ import annotations

import numpy as np

from neuroflow.explain.attributions import attribute, check_method


def randomised_network(model, seed: int = 1, layers: int | None = None):
    """The same architecture with its top `layers` weighted layers (all when None) re-initialised
    by neuroflow's own initialisers (Keras' defaults: Glorot-uniform kernels, zero biases), the
    rest kept as trained: Adebayo et al.'s cascading randomisation, from the output down."""
    import copy

    import torch

    from neuroflow.models.spec import build_network

    n_out = len(model.class_names) if model.task == "classification" else 1
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        _, fresh = build_network(model.spec, model.input_shape, n_out, model.task)
    weighted = weighted_layers(fresh)
    if layers is None or layers >= len(weighted):
        return fresh.eval()
    network = copy.deepcopy(model.network)
    for i in weighted[len(weighted) - layers :]:
        network.layers[i].load_state_dict(fresh.layers[i].state_dict())
    return network.eval()


def weighted_layers(network) -> list[int]:
    """Indices of the layers with weights, input to output."""
    return [i for i, m in enumerate(network.layers) if any(True for _ in m.parameters())]


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation of two maps (ties share their mean rank)."""
    import warnings

    from scipy.stats import spearmanr

    with warnings.catch_warnings():  # a flat map (a dead network's) has no ranks: counted as 0
        warnings.simplefilter("ignore")
        rho = spearmanr(np.ravel(a), np.ravel(b)).statistic
    return 0.0 if np.isnan(rho) else float(rho)


def own_answers(model, network, x: np.ndarray) -> np.ndarray:
    """The class each prepared input gets from `network` (the trained or a re-initialised one)."""
    import torch

    from neuroflow.explain.attributions import network_inputs

    with torch.inference_mode():
        return network(network_inputs(model, x)).argmax(1).numpy()


def randomisation_correlation(model, x: np.ndarray, method: str, seed: int = 1,
                              absolute: bool = True, layers: int | None = None,
                              changed_pixels_only: bool = False) -> float:  # fmt: skip
    """Adebayo et al.'s model randomisation test, as their published code computes it: the mean
    Spearman correlation, over every pixel of the picture-sized map (summed over channels), between
    the trained network's attributions for its answer and the re-initialised network's for its own
    answer; by size (|attributions|) or by sign. Near 0 passes; near 1 means the map ignores the
    weights. `layers`: re-initialise only the top ones (the cascade); `changed_pixels_only`: rank
    only the pixels where the input is not black (the baseline), where an attribution that
    multiplies by the input can be non-zero (a diagnostic, not the paper's)."""
    method = check_method(method)
    seen, trained, _ = attribute(model, x, model.probabilities(x).argmax(1), method)
    keep = seen.sum(axis=-1) != 0 if changed_pixels_only else None
    return _correlation(model, x, method, trained, randomised_network(model, seed, layers),
                        absolute, keep)  # fmt: skip


def cascading_correlations(model, x: np.ndarray, method: str, seed: int = 1,
                           absolute: bool = True) -> list[tuple[str, float]]:  # fmt: skip
    """(the layer last re-initialised, ρ) as the cascade re-initialises one more weighted layer at
    a time, from the output down to the first."""
    method = check_method(method)
    _, trained, _ = attribute(model, x, model.probabilities(x).argmax(1), method)
    weighted = weighted_layers(model.network)
    out = []
    for k in range(1, len(weighted) + 1):
        i = weighted[len(weighted) - k]
        network = randomised_network(model, seed, layers=k)
        name = f"{model.network.built[i].kind} (layer {i + 1})"
        out.append((name, _correlation(model, x, method, trained, network, absolute, None)))
    return out


def _correlation(model, x, method, trained, network, absolute, keep) -> float:
    _, randomised, _ = attribute(model, x, own_answers(model, network, x), method, network=network)
    if absolute:
        trained, randomised = np.abs(trained), np.abs(randomised)
    # summed over channels as the authors' code does; its clip at the 99th percentile before
    # ranking is left out: it only ties the brightest 1% of the pixels
    trained, randomised = trained.sum(axis=-1), randomised.sum(axis=-1)
    keep = np.ones_like(trained, dtype=bool) if keep is None else keep
    pairs = zip(trained, randomised, keep, strict=True)
    return float(np.mean([spearman(t[k], r[k]) for t, r, k in pairs]))


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
    "cascading_correlations",
    "completeness_gaps",
    "deletion_wins",
    "own_answers",
    "randomisation_correlation",
    "randomised_network",
    "spearman",
    "weighted_layers",
]
