"""neuroflow training the lesson's CNN on the same data and settings as benchmarks/reference.py.

Run as a child process so its peak memory is its own; prints one JSON line. With "gate" it follows
benchmarks/alternate.py's protocol (it waits to be told to train, and stamps the end of each full
batch).
"""

from __future__ import annotations

import json
import resource
import sys
import time

from benchmarks.usage import help_asked


def main(
    data_dir: str,
    epochs: int,
    limit: int,
    recipe: str = "mnist-cnn",
    same_settings: bool = True,
    seed: int = 0,
    gate: bool = False,
) -> dict:
    t_start = time.perf_counter()
    from neuroflow.data.pictures.idx import load_idx_dataset
    from neuroflow.evaluation.evaluate import evaluate
    from neuroflow.models.recipes import resolve_model
    from neuroflow.training import TrainSettings, fit

    ds = load_idx_dataset("mnist", data_dir=data_dir)
    ds.x_train, ds.y_train = ds.x_train[:limit], ds.y_train[:limit]
    spec = resolve_model(recipe, "image", "mnist")
    if same_settings:  # the reference's work and constant learning rate, so only speed differs
        spec.update(lr=0.001, schedule=None, batch_size=128, outlier_exposure=0.0)
    t_load = time.perf_counter() - t_start
    stamps: list[float] = []
    callbacks = []
    if gate:
        callbacks.append(_full_batch_stamps(stamps, limit % spec["batch_size"] == 0))
        print("ready", flush=True)
        sys.stdin.readline()
    t0 = time.perf_counter()
    settings = TrainSettings(epochs=epochs, seed=seed)
    model = fit(ds, spec, settings, progress="quiet", callbacks=callbacks)
    train_s = sum(
        h["train_time_s"] for h in model.history
    )  # the steps, as the reference times them
    epochs_s = sum(h["time_s"] for h in model.history)
    wall_s = time.perf_counter() - t0
    report = evaluate(model, ds, update_card=False)
    return {
        "name": f"neuroflow ({recipe})",
        "images_per_s": epochs * len(ds.x_train) / train_s,
        "train_s": train_s,
        "epochs_s": epochs_s,
        "fit_wall_s": wall_s,
        "time_to_first_batch_s": t_load + model.config["training"]["time_to_first_batch_s"],
        "test_accuracy": report["accuracy"],
        "epochs": epochs,
        "seed": seed,
        "val_accuracy_per_epoch": [round(h["val_accuracy"], 4) for h in model.history],
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "stamps": stamps,
    }


def _full_batch_stamps(stamps: list[float], last_is_full: bool):
    """A training callback that stamps the end of every full-batch step."""
    from neuroflow.training import Callback

    class Stamps(Callback):
        def on_step_end(self, trainer, step: int, logs: dict) -> None:
            if step < trainer.steps_per_epoch or last_is_full:
                stamps.append(time.perf_counter())

    return Stamps()


if __name__ == "__main__":
    help_asked(__doc__)
    print(
        json.dumps(
            main(
                sys.argv[1],
                int(sys.argv[2]),
                int(sys.argv[3]),
                sys.argv[4] if len(sys.argv) > 4 else "mnist-cnn",
                (sys.argv[5] if len(sys.argv) > 5 else "same") == "same",
                int(sys.argv[6]) if len(sys.argv) > 6 else 0,
                (sys.argv[7] if len(sys.argv) > 7 else "") == "gate",
            )
        )
    )
