"""Temperature scaling: one number T fitted on the validation split so probabilities mean what
they say.

softmax(logits / T) with T minimising the validation negative log-likelihood (Guo et al., 2017).
"""

from __future__ import annotations

import numpy as np

# T learns from the wrong answers, so with only a few of them it follows the luck of the split;
# below this many mistakes the probabilities stay as trained.
MIN_MISTAKES = 10


def fit_temperature_to(logits: np.ndarray, y: np.ndarray) -> float:
    """The T > 0 minimising the NLL of softmax(logits / T); 1 with too few mistakes to fit it.

    A coarse grid over log T, then golden-section refinement: NLL is smooth and unimodal in log T,
    and this avoids importing scipy's optimiser (a second at the end of every training run).
    """
    from neuroflow.evaluation.metrics import calibration_figures
    from neuroflow.models.logits import softmax

    if mistakes(logits, y) < MIN_MISTAKES:
        return 1.0

    def nll(log_t: float) -> float:
        return calibration_figures(softmax(logits, float(np.exp(log_t))), y)["nll"]

    grid = np.linspace(np.log(0.25), np.log(20.0), 25)
    best = int(np.argmin([nll(g) for g in grid]))
    lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
    ratio = (np.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = nll(a), nll(b)
    while hi - lo > 1e-4:
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = nll(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = nll(b)
    return float(np.exp((lo + hi) / 2))


def mistakes(logits: np.ndarray, y: np.ndarray) -> int:
    return int((logits.argmax(1) != y).sum())


def fit_temperature(model, data, logits: np.ndarray | None = None) -> float:
    """Fit T on the validation split; record it with before/after figures in the model config.

    `logits`: the validation split's, when they are at hand (otherwise the network computes them).
    """
    from neuroflow.evaluation.metrics import calibration_figures
    from neuroflow.models.logits import softmax

    logits = model.logits(data.x_val) if logits is None else logits
    t = fit_temperature_to(logits, data.y_val)
    wrong = mistakes(logits, data.y_val)
    calibration = model.config["calibration"] = {
        "method": "temperature scaling",
        "temperature": t,
        "fitted_on": f"validation split ({len(data.y_val)} examples, {wrong} misclassified)",
        "validation_before": calibration_figures(softmax(logits), data.y_val),
        "validation_after": calibration_figures(softmax(logits, t), data.y_val),
    }
    if wrong < MIN_MISTAKES:  # fit_temperature_to left T at 1
        calibration["method"] = "none"
        calibration["reason"] = (
            f"the validation split has {wrong} misclassified example{'s' * (wrong != 1)}, fewer "
            f"than the {MIN_MISTAKES} a temperature is fitted from"
        )
    return t
