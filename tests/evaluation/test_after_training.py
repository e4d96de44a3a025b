import dataclasses

import numpy as np
import pytest

import neuroflow as nf
from neuroflow.data.pictures.idx import load_idx_dataset
from neuroflow.evaluation.after_training import after_training
from neuroflow.evaluation.calibration import fit_temperature
from neuroflow.evaluation.unknown_inputs import fit_detector, reads_training_data


@pytest.fixture(scope="module")
def digits(mnist_dir):
    d = load_idx_dataset("mnist", data_dir=mnist_dir)
    cut = dict(x_train=d.x_train[:1500], y_train=d.y_train[:1500], x_val=d.x_val[:600],
               y_val=d.y_val[:600], x_test=d.x_test[:300], y_test=d.y_test[:300])  # fmt: skip
    data = dataclasses.replace(d, **cut)
    return nf.train(data, "mnist-cnn", epochs=1, progress="quiet", post_fit=False), data


def test_one_pass_over_validation_fits_what_separate_passes_fit(digits):
    model, data = digits
    after_training(model, data)
    shared = {k: model.config[k] for k in ("calibration", "ood")}
    fit_temperature(model, data)
    fit_detector(model, data)
    assert model.config["calibration"] == shared["calibration"]
    assert model.config["ood"] == shared["ood"]


def test_an_image_check_scores_logits_and_keeps_no_class_means(digits, tmp_path):
    model, data = digits
    after_training(model, data)
    assert model.config["ood"]["method"] == "energy" and model.detector == {}
    assert set(model.config["ood"]["reports"]) == {
        "generated letters (1000)", "generated noise (1000)", "generated shapes (1000)"
    }  # fmt: skip
    folder = model.save(tmp_path / "m")
    assert not (folder / "detector.safetensors").exists()
    again = nf.load(folder)
    scores = again.unknown_scores(data.x_test)
    assert np.allclose(scores, model.unknown_scores(data.x_test), atol=1e-5)
    assert 0.85 <= again.known(model.unknown_scores(data.x_val)).mean() <= 1.0


def test_an_image_check_fits_without_the_training_inputs_so_a_run_frees_them(digits):
    model, data = digits
    assert not reads_training_data(model)
    after_training(model, data)
    fitted = {k: model.config[k] for k in ("calibration", "ood")}
    light = dataclasses.replace(data)
    light.drop_training_inputs()
    assert len(light.x_train) == 0 and light.input_shape == data.input_shape
    assert len(data.x_train) == 1500  # the caller's dataset is untouched
    after_training(model, light)
    assert {k: model.config[k] for k in ("calibration", "ood")} == fitted


def test_a_table_check_reads_training_rows_so_they_stay():
    model = nf.train("iris", epochs=2, progress="quiet", post_fit=False)
    assert reads_training_data(model)
    assert not reads_training_data(model, "energy")
