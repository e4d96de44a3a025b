"""What is fitted after training, on the validation split: the temperature that calibrates the
percentages, then the unknown-input check's threshold. The API, tuning and the CLI all use this."""

from __future__ import annotations


def after_training(model, data) -> None:
    from neuroflow.evaluation.calibration import fit_temperature
    from neuroflow.evaluation.unknown_inputs import fit_detector

    if model.task != "classification" or len(data.y_val) == 0:
        return
    fit_temperature(model, data)
    fit_detector(model, data)
