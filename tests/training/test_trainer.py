import math

import numpy as np
import pytest
import torch

import neuroflow as nf
from neuroflow.data import load_dataset
from neuroflow.errors import TrainingStopped, UsageError
from neuroflow.models.recipes import resolve_model
from neuroflow.training import TrainSettings, fit


def _weights(model):
    return {k: v.clone() for k, v in model.network.state_dict().items()}


def test_same_seed_same_weights_and_history():
    ds = load_dataset("iris")
    a = nf.train(ds, model="iris-mlp", epochs=4, seed=7, progress="quiet", post_fit=False)
    b = nf.train(ds, model="iris-mlp", epochs=4, seed=7, progress="quiet", post_fit=False)
    c = nf.train(ds, model="iris-mlp", epochs=4, seed=8, progress="quiet", post_fit=False)
    wa, wb, wc = _weights(a), _weights(b), _weights(c)
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    assert not all(torch.equal(wa[k], wc[k]) for k in wa)
    strip = lambda h: [{k: v for k, v in e.items() if not k.endswith("time_s")} for e in h]  # noqa: E731
    assert strip(a.history) == strip(b.history)


def test_history_records_loss_and_metric_per_epoch():
    model = nf.train("iris", model="iris-mlp", epochs=3, progress="quiet", post_fit=False)
    assert [h["epoch"] for h in model.history] == [1, 2, 3]
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(model.history[0])


def test_iris_reaches_lesson_accuracy_with_demo_settings():
    ds = load_dataset("iris")
    model = nf.train(ds, model="iris-mlp", progress="quiet")
    assert nf.evaluate(model, ds)["accuracy"] >= 0.93


def test_early_stopping_keeps_best_weights():
    ds = load_dataset("iris")
    model = nf.train(
        ds,
        model="iris-mlp",
        epochs=200,
        lr=0.05,
        early_stopping=3,
        progress="quiet",
        post_fit=False,
    )
    assert len(model.history) < 200
    best = min(model.history, key=lambda h: h["val_loss"])
    assert nf.evaluate(model, ds, update_card=False)["task"] == "classification"
    assert best["epoch"] == len(model.history) - 3


def test_nan_loss_stops_with_advice():
    ds = load_dataset("iris")
    ds.x_train[0, 0] = np.inf
    with pytest.raises(TrainingStopped, match="NaN/Inf"):
        fit(
            ds,
            resolve_model("iris-mlp", "table", "iris"),
            TrainSettings(epochs=2),
            progress="quiet",
        )


def test_nan_loss_continue_skips_batches():
    ds = load_dataset("iris")
    ds.x_train[0, 0] = np.inf
    model = fit(
        ds,
        resolve_model("iris-mlp", "table", "iris"),
        TrainSettings(epochs=2, on_nan="continue"),
        progress="quiet",
    )
    assert all(math.isfinite(p.sum().item()) for p in model.network.parameters())


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"epochs": 0}, "epochs"),
        ({"batch_size": -1}, "batch size"),
        ({"lr": -0.1}, "learning rate"),
        ({"optimizer": "adagrad"}, "unknown optimizer"),
    ],
)
def test_bad_settings(settings, message):
    with pytest.raises(UsageError, match=message):
        TrainSettings(**settings).resolved({})


def test_resume_continues_bit_for_bit(tmp_path):
    ds = load_dataset("iris")
    spec = resolve_model("iris-mlp", "table", "iris")
    full = fit(
        ds, spec, TrainSettings(epochs=6, seed=3), run_dir=tmp_path / "full", progress="quiet"
    )
    fit(ds, spec, TrainSettings(epochs=3, seed=3), run_dir=tmp_path / "part", progress="quiet")
    # Pretend the run was meant to go to 6 epochs and stopped after 3.
    resumed = fit(
        ds,
        spec,
        TrainSettings(epochs=6, seed=3),
        run_dir=tmp_path / "part",
        resume=True,
        progress="quiet",
    )
    wf, wr = _weights(full), _weights(resumed)
    assert all(torch.equal(wf[k], wr[k]) for k in wf)
    assert [h["loss"] for h in full.history] == [h["loss"] for h in resumed.history]


def test_same_seed_same_weights_with_augmentation_and_outlier_exposure():
    ds = load_dataset("digits")
    spec = {
        "layers": [
            "Conv2D(4, 3, padding='same', activation='relu')",
            "MaxPool2D(2)",
            "Flatten()",
            "Dense(units='auto', activation='auto')",
        ],
        "outlier_exposure": 0.5,
        "batch_size": 64,
    }
    runs = [
        fit(
            ds,
            resolve_model(spec, "image", "digits"),
            TrainSettings(epochs=1, seed=5, augment="invert,rotate=10,noise=0.05,shift=0.1"),
            progress="quiet",
        )
        for _ in range(2)
    ]
    wa, wb = _weights(runs[0]), _weights(runs[1])
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    assert runs[0].history[0]["loss"] == runs[1].history[0]["loss"]


def test_outlier_exposure_given_wins_over_the_spec_and_zero_turns_it_off():
    spec = {"layers": ["Flatten()", "Dense(units='auto', activation='auto')"],
            "outlier_exposure": 0.5}  # fmt: skip
    assert TrainSettings().resolved(spec).outlier_exposure == 0.5
    assert TrainSettings(outlier_exposure=0).resolved(spec).outlier_exposure == 0
    assert TrainSettings(outlier_exposure=2.0).resolved(spec).outlier_exposure == 2.0
    assert TrainSettings().resolved({}).outlier_exposure == 0.0
    for bad in (-1, float("nan"), 11, True):
        with pytest.raises(UsageError, match="outlier exposure .* is out of range"):
            TrainSettings(outlier_exposure=bad).resolved(spec)


def test_a_run_without_outlier_exposure_makes_no_non_examples_and_records_it():
    from neuroflow.models.card import model_card

    ds = load_dataset("digits")
    spec = {"layers": ["Conv2D(4, 3, padding='same', activation='relu')", "MaxPool2D(2)",
                       "Flatten()", "Dense(units='auto', activation='auto')"],
            "outlier_exposure": 0.5, "batch_size": 64}  # fmt: skip
    runs = {
        w: nf.train(ds, spec, epochs=1, outlier_exposure=w, progress="quiet", post_fit=False)
        for w in (None, 0)
    }
    assert runs[None].config["training"]["outlier_exposure"] == 0.5
    assert runs[0].config["training"]["outlier_exposure"] == 0.0
    assert "outlier exposure" not in model_card(runs[0])
    assert "outlier exposure (weight of made-up non-examples) | 0.5" in model_card(runs[None])
    wa, wb = _weights(runs[None]), _weights(runs[0])
    assert not all(torch.equal(wa[k], wb[k]) for k in wa)


def test_resume_refuses_another_outlier_exposure_and_reads_older_records_without_it(tmp_path):
    import json

    from neuroflow.training.checkpoint import FOLDER
    from neuroflow.training.resume import RUN_KEYS, continue_run

    spec = resolve_model({"layers": ["Flatten()", "Dense(units='auto', activation='auto')"]},
                         "image", "digits")  # fmt: skip
    record = {k: None for k in RUN_KEYS} | {"data": "digits", "epochs": 1}
    fit(load_dataset("digits"), spec, TrainSettings(epochs=1), run_dir=tmp_path,
        run_record=record, progress="quiet")  # fmt: skip
    with pytest.raises(
        UsageError, match=r"--outlier-exposure was not given \(the recipe.s value\) there, not 0"
    ):
        continue_run(tmp_path, {"outlier_exposure": 0}, None)
    state = tmp_path / FOLDER / "state.json"
    info = json.loads(state.read_text())
    del info["run"]["outlier_exposure"]  # as versions before the flag recorded runs
    state.write_text(json.dumps(info))
    assert continue_run(tmp_path, {"epochs": 1}, None)["outlier_exposure"] is None


def test_images_are_validated_in_batches_of_a_step_and_the_trainer_lets_go_of_them():
    from neuroflow.training.trainer import Trainer

    ds = load_dataset("digits")
    spec = resolve_model({"layers": ["Flatten()", "Dense(units='auto', activation='auto')"],
                          "batch_size": 16}, "image", "digits")  # fmt: skip
    trainer = Trainer(ds, spec, TrainSettings(epochs=1), progress="quiet")
    seen = []
    trainer.setup = lambda _setup=trainer.setup: (
        _setup(),
        trainer.network.register_forward_pre_hook(
            lambda net, args: None if net.training else seen.append(len(args[0]))
        ),
    )
    trainer.fit()
    assert seen and max(seen) == 16 and sum(seen) == len(ds.y_val)
    assert trainer.data is None  # the training arrays are not kept alive by a finished trainer
