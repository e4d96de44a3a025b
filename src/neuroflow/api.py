"""The Python API, mirroring the command line: load_dataset, train, evaluate, predict, load, tune.

ds = nf.load_dataset("iris"); model = nf.train(ds, model="iris-mlp", epochs=60)
"""

from __future__ import annotations

from pathlib import Path

from neuroflow.data import Dataset, load_dataset
from neuroflow.errors import UsageError
from neuroflow.evaluation.evaluate import evaluate
from neuroflow.export.runtime import OnnxModel
from neuroflow.inference.predict import Prediction, predict
from neuroflow.models.model import Model
from neuroflow.tuning import TuneResult, tune


def load(path: str | Path) -> Model | OnnxModel:
    """Open a model folder, a bundle .zip or an exported .onnx file safely: none runs code.

    Each answers `predict` alike; a folder or bundle gives a Model, an .onnx file an OnnxModel.
    """
    if str(path).lower().endswith(".onnx"):  # runs in onnxruntime, without torch
        from neuroflow.export.runtime import load_onnx

        return load_onnx(path)
    from neuroflow.models.store import load_model

    return load_model(path)


def explain(
    model: Model, inputs, method: str = "integrated-gradients", target=None, *, raw: bool = False
) -> list:
    """One Explanation per raw input (table rows, pictures, a folder): which part of it made the
    answer, by integrated gradients (default), saliency, gradcam or occlusion."""
    from neuroflow.explain import explain as run

    return run(model, inputs, method=method, target=target, raw=raw)


def importances(model: Model, data=None, *, data_dir: str | None = None) -> dict:
    """A table model's global importances: the drop in accuracy (R² for regression) when each
    input column is shuffled, on its test split (or on `data`, a CSV with the target column)."""
    from neuroflow.evaluation.evaluate import evaluation_arrays
    from neuroflow.explain.importance import check_table_model, permutation_importance

    check_table_model(model)
    x, y, what = evaluation_arrays(model, data, data_dir)
    return {"data": what, "metric": "accuracy" if model.task == "classification" else "r2",
            "importances": permutation_importance(model, x, y)}  # fmt: skip


def train(
    data: Dataset | str | Path | None = None, model=None, *,
    target: str | None = None, task: str | None = None, epochs: int | None = None,
    batch_size: int | None = None, lr: float | None = None, optimizer: str | None = None,
    seed: int | None = None, early_stopping: int | None = None, augment: str | None = None,
    augment_test: bool | None = None, on_nan: str | None = None,
    out: str | Path | bool | None = None, resume: str | Path | bool | None = None,
    parent: str | Path | Model | None = None, freeze: str | None = None,
    new_head: bool | None = None, data_dir: str | None = None,
    image_size: int | str | tuple[int, int] | None = None, grayscale: bool | None = None,
    data_in: str | None = None, strict: bool = False, outlier_exposure: float | None = None,
    progress: str = "auto", name: str | None = None, license: str | None = None,
    post_fit: bool = True, test: bool = False, strategy=None, callbacks=(),
    base: str | None = None, weights: str | Path | None = None,
    fine_tune_epochs: int | None = None,
) -> Model:  # fmt: skip
    """Train a model on `data` (a Dataset or anything load_dataset takes).

    Saved to `out` if given (True: models/DATA-RECIPE). `resume=FOLDER` (or `out=FOLDER,
    resume=True`) continues an interrupted run with its settings; those given again must match.
    `test=True` then evaluates on the test split (`model.test_report`, figures in the card). An
    image folder or CSV too large for a share of RAM is streamed (`data_in`, `strict`: docs). Under
    torchrun (or strategy="distributed") each process trains its share of every batch with DDP.

    `base="efficientnet_lite0"` (or any name of `neuroflow models --pretrained`) starts from that
    published network (`weights`: a local file of its weights instead of the download): its
    features train a new output layer, then `fine_tune_epochs` train everything at a tenth of the
    learning rate."""
    named = model if model is None or isinstance(model, str | Path) else None
    settings = dict(
        target=target, task=task, model=named, data_dir=data_dir, augment=augment,
        augment_test=augment_test, image_size=image_size, grayscale=grayscale, seed=seed,
        freeze=freeze, new_head=new_head, epochs=epochs, batch_size=batch_size, lr=lr,
        optimizer=optimizer, early_stopping=early_stopping, on_nan=on_nan,
        outlier_exposure=outlier_exposure, base=base, fine_tune_epochs=fine_tune_epochs,
        weights=str(weights) if weights is not None else None)  # fmt: skip
    note = None if progress == "quiet" else (lambda text: _note(progress, text))
    reading = dict(data_in=data_in, strict=strict, note=note)
    strategy, ours = _strategy(strategy)
    try:
        chief = strategy is None or strategy.is_chief
        progress = progress if chief else "quiet"  # the other ranks write and print nothing
        resume = _resumed_folder(resume, out)
        run = _plan(strategy, settings, data, parent, out if chief else None, resume, reading)
        spec_object = model if named is None else None
        return _train_run(run, spec_object, progress, name, strategy, callbacks, license,
                          post_fit, test, chief)  # fmt: skip
    finally:
        if ours:
            strategy.shutdown()


def _train_run(run, spec_object, progress, name, strategy, callbacks, license, post_fit, test,
               chief) -> Model:  # fmt: skip
    """Train the planned run (the chief then calibrates, saves and tests it); a run that fails
    leaves none of the folders it made."""
    try:
        trained = _fit_run(run, spec_object, progress, name, strategy, callbacks)
        if license:
            trained.config["license"] = license
        if chief:
            _after(trained, run, post_fit, test)
        return trained
    except BaseException:
        run.remove_made_folders()
        raise


def _resumed_folder(resume, out):
    """resume=FOLDER, or resume=True with out=FOLDER (both are documented): the folder, or None."""
    if resume is False or resume is None:
        return None
    if resume is not True:
        return resume
    if out is None or isinstance(out, bool):
        raise UsageError(
            "resume=True continues the run saved in out=FOLDER, and no folder was given",
            "give out=FOLDER with resume=True, or resume=FOLDER",
        )
    return out


def _plan(strategy, settings, data, parent, out, resume, reading):
    """The run, planned in every process; each rank learns whether another one failed to."""
    from neuroflow.training.run import plan

    if strategy is None or strategy.world_size == 1:
        return plan(settings, data, parent, out, resume, reading=reading)
    resume = strategy.shared_checkpoint(resume) if resume is not None else None
    try:
        run = plan(settings, data, parent, out, resume, reading=reading)
    except BaseException as err:
        strategy.agree(err)
        raise
    strategy.agree(None)
    return run


def _after(trained: Model, run, post_fit: bool, test: bool) -> None:
    """The chief's work after training: calibration and the unknown-input check, the model
    folder, the test figures."""
    from neuroflow.evaluation.after_training import after_training
    from neuroflow.evaluation.unknown_inputs import reads_training_data

    if run.loaded and not (post_fit and reads_training_data(trained)):
        run.dataset.drop_training_inputs()  # nothing reads them again: the memory goes back
    if post_fit:
        after_training(trained, run.dataset)
    if run.out is not None:
        trained.save(run.out)
    if test:
        trained.test_report = evaluate(trained, run.dataset)


def _strategy(strategy):
    """(strategy, whether train made it): "distributed", or torchrun's variables, join its
    processes."""
    from neuroflow.config import launched_by_torchrun

    if strategy == "distributed" or (strategy is None and launched_by_torchrun()):
        from neuroflow.training.distributed import Distributed

        return Distributed.from_env(), True
    if isinstance(strategy, str):
        raise UsageError(f"unknown strategy {strategy!r}", 'give "distributed" or a Strategy')
    return strategy, False


def _fit_run(run, spec_object, progress, name, strategy, callbacks) -> Model:
    """Resolve the run's spec (a recipe, a spec file or object, the parent's, or a pretrained
    network's) and train it."""
    from neuroflow.training import TrainSettings, fit

    s, data = run.record, run.dataset
    if s["augment_test"]:
        _invert_test_split(data, s["augment"])
    spec = _chosen_spec(run, spec_object)
    keys = ("epochs", "batch_size", "lr", "optimizer", "seed", "early_stopping",
            "outlier_exposure", "augment", "on_nan")  # fmt: skip
    if progress != "quiet":
        _note(progress, data.describe())
    settings = TrainSettings(**{k: s[k] for k in keys})
    common = dict(progress=progress, name=name, run_record=s, strategy=strategy,
                  callbacks=list(callbacks))  # fmt: skip
    if s.get("base") is not None:
        return _fit_pretrained(run, spec, settings, common)
    return fit(
        data, spec, settings, run_dir=run.out, resume=run.resume, parent=run.parent,
        freeze=s["freeze"], new_head=s["new_head"], **common,
    )  # fmt: skip


def _chosen_spec(run, spec_object) -> dict:
    from neuroflow.models.recipes import resolve_model

    s, data = run.record, run.dataset
    chosen = spec_object if spec_object is not None else s["model"]
    if s.get("base") is not None:
        from neuroflow.training.run import pretrained_spec

        chosen = pretrained_spec(s["base"])
    if chosen is None and run.parent is not None:
        from neuroflow.training.finetune import parent_spec

        chosen = parent_spec(run.parent)
    return resolve_model(chosen, data.kind, data.name)


def _fit_pretrained(run, spec, settings, common: dict) -> Model:
    """A new output layer on a pretrained network's frozen features (computed once), then, with
    fine_tune_epochs, every layer at a lower learning rate, as fastai's fine_tune does."""
    from neuroflow.training import fit
    from neuroflow.training.run import fine_tune_settings

    s, data = run.record, run.dataset
    more = s.get("fine_tune_epochs") or 0
    base = {"network": s["base"], "weights": s.get("weights")}
    first = fit(
        data, spec, settings, run_dir=None if more else run.out, resume=run.resume and not more,
        freeze="all-but-head", base=base, **common,
    )  # fmt: skip
    if not more:
        return first
    model = fit(
        data, first.config["spec"], fine_tune_settings(settings, first, more), run_dir=run.out,
        resume=run.resume, parent=first, new_head=False, **common,
    )  # fmt: skip
    model.history = first.history + model.history
    model.config["lineage"] = {**first.config["lineage"], "fine_tuned_epochs": more}
    model.config["training"]["frozen_parameters"] = 0
    return model


def _note(progress: str, text: str) -> None:
    from neuroflow.training.progress import Progress

    Progress(progress).note(text)


def _invert_test_split(data: Dataset, augment) -> None:
    from neuroflow.evaluation.evaluate import invert_test_split

    if data.kind != "image" or "invert" not in str(augment or ""):
        raise UsageError(
            "--augment-test inverts the test images, so it needs image data and --augment invert",
            "add --augment invert, or leave out --augment-test",
        )
    invert_test_split(data)


__all__ = [
    "Dataset",
    "Model",
    "Prediction",
    "TuneResult",
    "evaluate",
    "explain",
    "importances",
    "load",
    "load_dataset",
    "predict",
    "train",
    "tune",
]
