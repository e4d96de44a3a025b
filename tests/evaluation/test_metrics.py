import numpy as np

from neuroflow.evaluation.metrics import calibration_figures, expected_calibration_error


def test_calibration_figures_of_certain_right_answers_are_zero():
    probs = np.array([[1.0, 0.0], [0.0, 1.0]])
    y = np.array([0, 1])
    figures = calibration_figures(probs, y)
    assert figures["nll"] == 0.0 and figures["brier"] == 0.0 and figures["ece"] == 0.0


def test_ece_is_the_gap_between_confidence_and_accuracy():
    probs = np.array([[0.8, 0.2]] * 10)
    y = np.array([0] * 5 + [1] * 5)
    assert expected_calibration_error(probs, y) == 0.8 - 0.5
