"""What is fitted after training, on the validation split: the temperature that calibrates the
percentages, then the unknown-input check's threshold. The API, tuning and the CLI all use this.

Both read the same single pass of the network over the validation split: its logits calibrate, and
its features and logits score the check.
"""

from __future__ import annotations


def after_training(model, data) -> None:
    from neuroflow.evaluation.calibration import fit_temperature
    from neuroflow.evaluation.unknown_inputs import fit_detector, measured_space
    from neuroflow.models.detector import features_and_logits

    if model.task != "classification" or len(data.y_val) == 0:
        return
    space = measured_space(model)
    features, logits = features_and_logits(
        model.network, data.x_val, model.preprocessing, space=space
    )
    fit_temperature(model, data, logits=logits)
    fit_detector(model, data, validation=(features, logits))
