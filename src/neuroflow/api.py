"""The Python API, mirroring the command line: load_dataset, train, evaluate, predict, load.

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
from neuroflow.tuning.run import TuneResult, tune


def load(path: str | Path) -> Model | OnnxModel:
    """Open a model folder, a bundle .zip or an exported .onnx file safely: none runs code.

    Each answers `predict` alike; a folder or bundle gives a Model, an .onnx file an OnnxModel.
    """
    if str(path).lower().endswith(".onnx"):  # runs in onnxruntime, without torch
        from neuroflow.export.runtime import load_onnx

        return load_onnx(path)
    from neuroflow.models.store import load_model

    return load_model(path)


def train(
    data: Dataset | str,
    model=None,
    *,
    target: str | None = None,
    task: str | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    lr: float | None = None,
    optimizer: str | None = None,
    seed: int = 0,
    early_stopping: int | None = None,
    augment: str | None = None,
    augment_test: bool = False,
    on_nan: str = "stop",
    out: str | Path | None = None,
    resume: bool = False,
    parent: str | Path | Model | None = None,
    freeze: str | None = None,
    new_head: bool = False,
    data_dir: str | None = None,
    progress: str = "auto",
    name: str | None = None,
    license: str | None = None,
    run_info: dict | None = None,
    post_fit: bool = True,
) -> Model:
    """Train a model on `data` (a Dataset or anything load_dataset takes); saved to `out` if given."""
    from neuroflow.models.recipes import resolve_model
    from neuroflow.training import TrainSettings, fit

    if parent is None and (freeze or new_head):
        raise UsageError(
            f"{'--freeze' if freeze else '--new-head'} applies only when fine-tuning",
            "add --from MODEL_DIR (the model to start from), or leave it out",
        )
    if parent is not None and not isinstance(parent, Model):
        parent = load(parent)
    if model is None and parent is not None:
        from neuroflow.training.finetune import parent_spec

        model = parent_spec(parent)
    if isinstance(data, str | Path):
        prep = parent.preprocessing if parent is not None else {}
        size = (prep["height"], prep["width"]) if prep.get("type") == "image" else None
        data = load_dataset(
            str(data), target=target, task=task, data_dir=data_dir, seed=seed, image_size=size
        )
    if augment_test:
        from neuroflow.evaluation.evaluate import invert_test_split

        if data.kind != "image" or "invert" not in str(augment or ""):
            raise UsageError(
                "--augment-test inverts the test images, so it needs image data and --augment invert",
                "add --augment invert, or leave out --augment-test",
            )
        invert_test_split(data)
    spec = resolve_model(model, data.kind, data.name)
    settings = TrainSettings(
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        optimizer=optimizer,
        seed=seed,
        early_stopping=early_stopping,
        augment=augment,
        on_nan=on_nan,
    )
    trained = fit(
        data,
        spec,
        settings,
        out=out,
        resume=resume,
        parent=parent,
        freeze=freeze,
        new_head=new_head,
        progress=progress,
        name=name,
        run_info=run_info,
    )
    if license:
        trained.config["license"] = license
    if post_fit:
        after_training(trained, data)
    if out is not None:
        trained.save(out)
    return trained


def after_training(model: Model, data: Dataset) -> None:
    """Fit what is fitted after training on the validation split: temperature and unknown-input check."""
    from neuroflow.evaluation.calibration import fit_temperature

    if model.task != "classification" or len(data.y_val) == 0:
        return
    fit_temperature(model, data)
    from neuroflow.evaluation.unknown_inputs import fit_detector

    fit_detector(model, data)


__all__ = [
    "Dataset",
    "Model",
    "Prediction",
    "TuneResult",
    "evaluate",
    "load",
    "load_dataset",
    "predict",
    "train",
    "tune",
]
