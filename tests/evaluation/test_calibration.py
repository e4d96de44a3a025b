import numpy as np

from neuroflow.evaluation.calibration import MIN_MISTAKES, fit_temperature_to
from neuroflow.evaluation.metrics import calibration_figures, expected_calibration_error
from neuroflow.models.logits import softmax


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


def _sharpening_case(n_wrong: int) -> tuple[np.ndarray, np.ndarray]:
    """Right answers at 2:1 odds and a few unsure wrong ones: NLL alone would sharpen (T < 1)."""
    n = 300
    y = np.zeros(n, dtype=int)
    logits = np.tile([[0.7, 0.0]], (n, 1))
    logits[:n_wrong] = [0.0, 0.1]  # wrong, barely
    return logits, y


def test_a_few_mistakes_leave_temperature_one():
    logits, y = _sharpening_case(MIN_MISTAKES - 1)
    assert fit_temperature_to(logits, y) == 1.0


def test_enough_mistakes_fit_a_temperature():
    logits, y = _sharpening_case(MIN_MISTAKES)
    t = fit_temperature_to(logits, y)
    assert t < 1.0
    assert (
        calibration_figures(softmax(logits, t), y)["nll"]
        < calibration_figures(softmax(logits), y)["nll"]
    )


def test_the_model_card_says_why_nothing_was_fitted(cli, tmp_path):  # right after training
    import json

    assert (
        cli("train", "iris", "--out", tmp_path / "m", "--quiet").code == 0
    )  # 30 validation rows: a few mistakes at most
    calibration = json.loads((tmp_path / "m" / "config.json").read_text())["calibration"]
    assert calibration["method"] == "none" and calibration["temperature"] == 1.0
    assert "misclassified" in calibration["reason"]
    assert (
        "not rescaled by temperature scaling: the validation split has"
        in (tmp_path / "m" / "README.md").read_text()
    )
