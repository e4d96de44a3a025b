"""The training loop: fit a spec's network to a Dataset, one in-memory batch at a time.

Checkpoints after every epoch (resume continues bit for bit), stops cleanly on Ctrl-C or SIGTERM,
stops on a non-finite loss, and records the history that becomes history.json and loss_curve.png.
"""

from __future__ import annotations

import contextlib
import math
import platform
import signal
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from neuroflow.data.non_examples import make_non_examples, uniform_loss
from neuroflow.errors import TrainingStopped, UsageError
from neuroflow.training import checkpoint as ckpt
from neuroflow.training.batches import ArrayData, image_scale, predict_logits
from neuroflow.training.optimizers import OPTIMIZERS, make_optimizer, make_scheduler, optimizer_step
from neuroflow.training.progress import Progress
from neuroflow.training.steps import StepRunner, split_workers

ZERO_DEFAULTS = ("weight_decay", "label_smoothing", "outlier_exposure")


@dataclass
class TrainSettings:
    epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    optimizer: str | None = None
    seed: int = 0
    early_stopping: int | None = None
    augment: str | list | None = None
    on_nan: str = "stop"
    schedule: str | None = None
    betas: list[float] | None = None
    weight_decay: float = 0.0
    label_smoothing: float = 0.0
    outlier_exposure: float = (
        0.0  # weight of the uniform-output loss on synthetic non-examples (images)
    )

    def resolved(self, spec: dict) -> TrainSettings:
        """Flags win over the spec, the spec over Keras-like defaults; every value checked."""
        s = TrainSettings(**asdict(self))
        for f in (
            "epochs",
            "batch_size",
            "lr",
            "optimizer",
            "augment",
            "schedule",
            "betas",
            "weight_decay",
            "label_smoothing",
            "early_stopping",
            "outlier_exposure",
        ):
            # only None means "not given" (0 is a value to check), except for the fields whose default is 0.0
            if (
                getattr(s, f) is None or (f in ZERO_DEFAULTS and getattr(s, f) == 0.0)
            ) and spec.get(f) is not None:
                setattr(s, f, spec[f])
        s.epochs = 10 if s.epochs is None else s.epochs
        s.batch_size = 32 if s.batch_size is None else s.batch_size
        s.lr = 0.001 if s.lr is None else s.lr
        s.optimizer = str(s.optimizer or "adam").lower()
        _check_int("epochs", s.epochs, 1, 100_000)
        _check_int("batch size", s.batch_size, 1, 1_000_000)
        _check_int("seed", s.seed, 0, 2**63 - 1)
        if s.early_stopping is not None:
            _check_int("early-stopping patience", s.early_stopping, 1, 100_000)
        if not (isinstance(s.lr, int | float) and math.isfinite(s.lr) and 0 < s.lr <= 10):
            raise UsageError(
                f"learning rate {s.lr} is out of range", "give --lr between 0 and 10, e.g. 0.001"
            )
        if s.optimizer not in OPTIMIZERS:
            raise UsageError(
                f"unknown optimizer {s.optimizer!r}", f"choose one of: {', '.join(OPTIMIZERS)}"
            )
        if s.on_nan not in ("stop", "continue"):
            raise UsageError(
                f"--on-nan {s.on_nan!r} is not understood", "use --on-nan stop or --on-nan continue"
            )
        if s.schedule not in (None, "onecycle", "cosine"):
            raise UsageError(f"unknown schedule {s.schedule!r}", "use onecycle, cosine or none")
        return s


def _check_int(name: str, value, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UsageError(
            f"{name} must be a whole number from {low} to {high:,}, not {value!r}",
            f"fix the {name}",
        )


class _StopOnSignal:
    """Turn SIGINT/SIGTERM into a flag checked between batches, so an epoch never ends half-saved."""

    def __init__(self):
        self.signal = None

    def __enter__(self):
        self._old = {}
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame):
        self.signal = signal.Signals(signum).name

    def __exit__(self, *exc):
        for sig, old in self._old.items():
            signal.signal(sig, old)


def fit(
    dataset,
    spec: dict,
    settings: TrainSettings,
    *,
    out: str | Path | None = None,
    resume: bool = False,
    parent=None,
    freeze: str | None = None,
    new_head: bool = False,
    progress: str = "auto",
    name: str | None = None,
    run_info: dict | None = None,
    on_epoch_end: Callable[[dict], None] | None = None,
):
    """Train `spec` on `dataset`; returns a Model (not saved: the caller saves it)."""
    from neuroflow.config import configure_torch, seed_everything
    from neuroflow.models.model import Model
    from neuroflow.models.spec import build_network
    from neuroflow.training.finetune import apply_parent, freeze_layers

    settings = settings.resolved(spec)
    run_dir = Path(out) if out else None
    # Tables are tiny matrices: one thread avoids waking a second for microseconds of work (and the
    # large slow-downs that brings when the other core is busy); images use every core.
    threads = configure_torch(1 if dataset.kind == "table" else None)
    seed_everything(settings.seed)
    spec, network = build_network(spec, dataset.input_shape, dataset.n_outputs, dataset.task)
    lineage = apply_parent(network, parent, new_head) if parent is not None else {}
    frozen = freeze_layers(network, freeze) if freeze else 0
    if run_dir is not None:
        run_dir.mkdir(
            parents=True, exist_ok=True
        )  # only now: bad data or specs leave no folder behind

    scale = image_scale(dataset.preprocessing)
    x_train, y_train = dataset.x_train, dataset.y_train
    augmenter = None
    if settings.augment:
        from neuroflow.data.augment import Augmenter, add_inverted

        augmenter = Augmenter.from_spec(settings.augment)
        if augmenter.invert:
            x_train, y_train = add_inverted(x_train, y_train)
        if not augmenter.random_ops:
            augmenter = None
    train = ArrayData(x_train, y_train, scale)
    val = ArrayData(dataset.x_val, dataset.y_val, scale)
    steps = math.ceil(len(train) / settings.batch_size)

    params = [p for p in network.parameters() if p.requires_grad]
    optimizer = make_optimizer(settings, params)
    scheduler = make_scheduler(settings, optimizer, steps)
    generators = {
        name: torch.Generator().manual_seed(settings.seed + i)
        for i, name in enumerate(("shuffle", "augment", "outliers"))
    }
    outliers_per_batch = (
        max(1, settings.batch_size // 4)
        if settings.outlier_exposure and is_image_cls(dataset)
        else 0
    )
    workers = split_workers(network, threads, settings.batch_size, dataset.kind == "image")
    for i in range(
        workers
    ):  # each part of a split batch draws its Dropout masks from its own generator
        generators[f"dropout{i}"] = torch.Generator().manual_seed(settings.seed + 100 + i)
    is_cls = dataset.task == "classification"
    runner = StepRunner(
        network,
        params,
        lambda logits, y: _loss(logits, y, is_cls, settings.label_smoothing),
        outlier_loss=uniform_loss,
        outlier_weight=settings.outlier_exposure,
        workers=workers,
        generators=[generators[f"dropout{i}"] for i in range(workers)],
    )
    history: list[dict] = []
    best_state, best_loss, stale, start_epoch, elapsed = None, math.inf, 0, 1, 0.0
    if resume:
        info, best_state = ckpt.restore_checkpoint(
            run_dir,
            network=network,
            optimizer=optimizer,
            scheduler=scheduler,
            generators=generators,
        )
        history, start_epoch, elapsed = info["history"], info["epoch"] + 1, info["elapsed_s"]
        best_loss, stale = info["best_loss"], info["stale"]

    display = Progress(settings.epochs, steps, progress)
    if resume:
        display.note(f"Resuming from epoch {start_epoch - 1} in {run_dir}")
    nan_batches, first_step_s, t_fit = 0, None, time.perf_counter()
    network.train()
    writer = ckpt.CheckpointWriter(run_dir) if run_dir is not None else None
    with (
        _StopOnSignal() as stop,
        contextlib.closing(runner),
        contextlib.closing(writer) if writer else contextlib.nullcontext(),
    ):
        for epoch in range(start_epoch, settings.epochs + 1):
            if history and settings.early_stopping and stale >= settings.early_stopping:
                break
            display.start_epoch(epoch)
            t0 = time.perf_counter()
            perm = torch.randperm(len(train), generator=generators["shuffle"])
            total_loss, total_correct, seen = 0.0, 0, 0
            with runner.threads_for_steps():
                for step, idx in enumerate(perm.split(settings.batch_size), 1):
                    xb, yb = train.batch(idx)
                    if augmenter is not None:
                        xb = augmenter(xb, generators["augment"])
                    extra = (
                        make_non_examples(xb, outliers_per_batch, generators["outliers"])
                        if outliers_per_batch
                        else None
                    )
                    result = runner(xb, yb, extra)
                    if not math.isfinite(result.loss.item()):
                        if settings.on_nan == "stop":
                            raise _nan_stop(epoch, step, run_dir, writer)
                        nan_batches += 1
                        continue
                    for p, g in zip(params, result.grads, strict=True):
                        p.grad = g
                    optimizer_step(optimizer)
                    if scheduler is not None:
                        scheduler.step()
                    if first_step_s is None:
                        first_step_s = time.perf_counter() - t_fit
                    n = len(yb)
                    total_loss += (
                        result.data_loss.item() * n
                    )  # the loss on the data, comparable with val_loss
                    seen += n
                    if is_cls:
                        total_correct += int((result.logits.argmax(1) == yb).sum())
                    display.step(step, _logs(total_loss, total_correct, seen, is_cls, dataset))
                    if stop.signal:
                        raise _interrupted(stop.signal, epoch, run_dir, writer)
            train_s = time.perf_counter() - t0
            logs = {
                "epoch": epoch,
                **_logs(total_loss, total_correct, seen, is_cls, dataset),
                **_validate(network, val, is_cls, dataset),
            }
            logs["time_s"] = round(time.perf_counter() - t0, 3)
            logs["train_time_s"] = round(train_s, 3)  # the steps alone, without validation
            elapsed += logs["time_s"]
            history.append(logs)
            if (
                on_epoch_end is not None
            ):  # e.g. tuning reports the epoch and may raise to prune the trial
                on_epoch_end(logs)
            display.end_epoch(epoch, logs)
            if logs["val_loss"] < best_loss:
                best_loss, stale = logs["val_loss"], 0
                if settings.early_stopping:
                    best_state = {k: v.detach().clone() for k, v in network.state_dict().items()}
            else:
                stale += 1
            if run_dir is not None:
                info = {
                    "epoch": epoch,
                    "history": history,
                    "elapsed_s": elapsed,
                    "best_loss": best_loss,
                    "stale": stale,
                    "settings": asdict(settings),
                    "cli": run_info,
                }
                writer.save(
                    network=network,
                    optimizer=optimizer,
                    scheduler=scheduler,
                    generators=generators,
                    best_state=best_state,
                    info=info,
                )
    if settings.early_stopping and best_state is not None:
        network.load_state_dict(best_state)
        display.note(
            f"Early stopping: kept the weights of epoch {min(history, key=lambda h: h['val_loss'])['epoch']} (lowest val_loss)."
        )
    if nan_batches:
        display.note(
            f"Skipped {nan_batches} batches whose loss was not finite (--on-nan continue)."
        )
    network.eval()
    config = {
        "name": name or f"{dataset.name}-{spec.get('name', 'custom')}",
        "kind": dataset.kind,
        "task": dataset.task,
        "class_names": dataset.class_names,
        "input": {
            "shape": list(dataset.input_shape),
            "dtype": "uint8" if dataset.kind == "image" else "float32",
            "feature_names": dataset.feature_names,
        },
        "preprocessing": dataset.preprocessing,
        "spec": spec,
        "dataset": {
            "name": dataset.name,
            "description": dataset.describe(),
            "source": dataset.source,
        },
        "training": {
            **{k: v for k, v in asdict(settings).items() if v is not None},
            "epochs_run": len(history),
            "wall_time_s": round(elapsed, 2),
            "threads": threads,
            "machine": f"{platform.machine()}, {platform.system()}, torch {torch.__version__}",
            "frozen_parameters": frozen,
            "time_to_first_batch_s": None if first_step_s is None else round(first_step_s, 4),
        },
        "lineage": lineage,
    }
    return Model(network, config, history)


def is_image_cls(dataset) -> bool:
    return dataset.kind == "image" and dataset.task == "classification"


def _loss(logits, y, is_cls: bool, label_smoothing: float):
    if is_cls:
        return F.cross_entropy(logits, y, label_smoothing=label_smoothing)
    return F.mse_loss(logits.squeeze(1), y)


def _logs(total_loss: float, correct: int, seen: int, is_cls: bool, dataset) -> dict:
    logs = {"loss": total_loss / max(seen, 1)}
    if is_cls:
        logs["accuracy"] = correct / max(seen, 1)
    else:  # MSE on the standardised target; mean absolute error in the target's own units
        logs["mae"] = math.sqrt(logs["loss"]) * dataset.preprocessing.get("target_std", 1.0)
    return logs


def _validate(network, val: ArrayData, is_cls: bool, dataset) -> dict:
    logits = predict_logits(network, val)
    if is_cls:
        return {
            "val_loss": float(F.cross_entropy(logits, val.y)),
            "val_accuracy": float((logits.argmax(1) == val.y).float().mean()),
        }
    err = logits.squeeze(1) - val.y
    std = dataset.preprocessing.get("target_std", 1.0)
    return {"val_loss": float((err**2).mean()), "val_mae": float(err.abs().mean()) * std}


def _nan_stop(epoch: int, step: int, run_dir, writer) -> TrainingStopped:
    if writer is not None:
        writer.wait()
    saved = (
        f"; the last good epoch is saved in {run_dir}/checkpoint"
        if run_dir and ckpt.has_checkpoint(run_dir)
        else ""
    )
    return TrainingStopped(
        f"the loss became NaN/Inf at epoch {epoch}, batch {step}{saved}",
        "the learning rate is probably too high (try a 10× smaller --lr) or the data has huge, unscaled values; --on-nan continue skips such batches",
    )


def _interrupted(signame: str, epoch: int, run_dir, writer) -> TrainingStopped:
    if writer is not None:
        writer.wait()  # the message names the epochs on disk
    if run_dir is not None and ckpt.has_checkpoint(run_dir):
        done = ckpt.read_info(run_dir)["epoch"]
        err = TrainingStopped(
            f"stopped by {signame} during epoch {epoch}; epochs 1–{done} are saved in {run_dir}",
            f"continue with: neuroflow train --resume {run_dir}",
        )
    else:
        err = TrainingStopped(
            f"stopped by {signame} during epoch {epoch}, before any epoch was complete",
            "nothing was saved; start the training again",
        )
    err.exit_code = 130
    return err


def predict_array(
    network, x: np.ndarray, preprocessing: dict, batch_size: int = 1024
) -> torch.Tensor:
    """Logits for an array of prepared inputs (uint8 images or float table rows)."""
    return predict_logits(network, x, image_scale(preprocessing), batch_size)


__all__ = ["OPTIMIZERS", "TrainSettings", "fit", "make_optimizer", "predict_array"]
