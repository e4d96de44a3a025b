import numpy as np

from neuroflow.evaluation.calibration import fit_temperature_to
from neuroflow.evaluation.metrics import calibration_figures, expected_calibration_error, softmax


def test_temperature_undoes_overconfidence():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 4000)
    true_logits = rng.normal(size=(4000, 3))
    true_logits[np.arange(4000), y] += 1.5
    overconfident = true_logits * 3.0  # a model whose logits are 3× too large
    t = fit_temperature_to(overconfident, y)
    assert t > 1.5  # it cools the logits down
    before = calibration_figures(softmax(overconfident), y)
    after = calibration_figures(softmax(overconfident, t), y)
    assert after["nll"] < before["nll"] and after["ece"] < before["ece"]


def test_perfect_validation_keeps_temperature_one():
    logits = np.array([[5.0, 0.0], [0.0, 5.0]])
    assert fit_temperature_to(logits, np.array([0, 1])) == 1.0


def test_ece_of_a_calibrated_coin_is_small():
    probs = np.tile([[0.7, 0.3]], (10000, 1))
    y = (np.random.default_rng(1).random(10000) > 0.7).astype(int)
    assert expected_calibration_error(probs, y) < 0.02
