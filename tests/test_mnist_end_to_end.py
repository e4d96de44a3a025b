"""The lessons' MNIST results, as a new user gets them: accuracy, own pictures, "this is not a
digit".

One model trained with `--augment invert` is shared by the checks; it takes a minute or two.
"""

import json

import numpy as np
import pytest

import neuroflow as nf
from neuroflow.data.made_up.synth import handwritten_digits
from neuroflow.data.made_up.unknown_inputs import unknown_inputs
from neuroflow.evaluation.metrics import calibration_figures
from neuroflow.evaluation.unknown_inputs import detection_figures
from neuroflow.models.detector import features_and_logits
from neuroflow.models.logits import softmax

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def invert_model(tmp_path_factory, mnist_dir):
    from neuroflow.cli.main import run_app

    out = tmp_path_factory.mktemp("mnist") / "inv"
    assert (
        run_app(
            [
                "train",
                "mnist",
                "--model",
                "mnist-cnn",
                "--augment",
                "invert",
                "--data-dir",
                str(mnist_dir),
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    return nf.load(out)


@pytest.fixture(scope="module")
def mnist(mnist_dir):
    from neuroflow.data.pictures.idx import load_idx_dataset

    return load_idx_dataset("mnist", data_dir=mnist_dir)


def test_lesson_cnn_three_epochs_reaches_99(cli, mnist_dir, tmp_path):
    res = cli(
        "train",
        "mnist",
        "--model",
        "mnist-cnn",
        "--epochs",
        "3",
        "--data-dir",
        mnist_dir,
        "--out",
        tmp_path / "m",
        "--quiet",
    )
    assert res.code == 0, res.err
    report = json.loads(cli("evaluate", tmp_path / "m", "--json").out)
    assert report["accuracy"] >= 0.99


def test_own_handwritten_style_digits_are_recognised(invert_model, tmp_path):
    images, labels = handwritten_digits(200, seed=11)
    paths = []
    for i, (img, label) in enumerate(zip(images, labels, strict=True)):
        paths.append(tmp_path / f"{i:03d}_{label}.png")
        img.save(paths[-1])
    preds = nf.predict(invert_model, paths)
    correct = np.mean([p.label == str(label) for p, label in zip(preds, labels, strict=True)])
    assert correct >= 0.90


def test_not_digits_are_told_apart(invert_model, mnist):
    s_in = invert_model.unknown_scores(mnist.x_test)
    for kind, floor in (("letters", 0.98), ("noise", 0.99), ("blank", 0.99), ("shapes", 0.95)):
        x = unknown_inputs(kind, 1000, seed=3)[..., None]
        assert detection_figures(s_in, invert_model.unknown_scores(x))["auroc"] >= floor, kind


def test_acceptance_and_accuracy_on_accepted(invert_model, mnist):
    _, logits = features_and_logits(invert_model.network, mnist.x_test, invert_model.preprocessing)
    accepted = invert_model.known(invert_model.unknown_scores(mnist.x_test))
    # the threshold is a conformal quantile of the validation scores: on average 95% of known
    # inputs are accepted, so a test set of 10,000 lands within a point of it
    assert abs(accepted.mean() - 0.95) <= 0.01
    pred = logits.argmax(1)
    assert (pred[accepted] == mnist.y_test[accepted]).mean() >= (pred == mnist.y_test).mean()


def test_temperature_scaling_calibrates(invert_model, mnist):
    _, logits = features_and_logits(invert_model.network, mnist.x_test, invert_model.preprocessing)
    assert (
        calibration_figures(softmax(logits, invert_model.temperature), mnist.y_test)["ece"] <= 0.015
    )
    assert (
        invert_model.config["calibration"]["method"] == "temperature scaling"
    )  # enough validation mistakes to fit T
    assert (
        "Probabilities are calibrated by temperature scaling: T = "
        in (invert_model.path / "README.md").read_text()
    )


def test_a_cat_is_not_a_digit(invert_model, tmp_path):
    skimage_data = pytest.importorskip("skimage.data")
    from PIL import Image

    Image.fromarray(skimage_data.chelsea()).save(tmp_path / "cat.png")
    (pred,) = nf.predict(invert_model, [tmp_path / "cat.png"])
    assert not pred.known


def test_model_card_reports_the_detector(invert_model):
    card = (invert_model.path / "README.md").read_text()
    assert "Unknown-input" in card or "unknown-input" in card
