"""The loss a step minimises and the figures an epoch reports (loss, accuracy or MAE,
validation)."""

from __future__ import annotations

import math

import torch.nn.functional as F

from neuroflow.models.logits import PREDICT_BATCH, predict_logits
from neuroflow.training.batches import ArrayData


def loss_fn(is_cls: bool, label_smoothing: float):
    def loss(logits, y):
        if is_cls:
            return F.cross_entropy(logits, y, label_smoothing=label_smoothing)
        return F.mse_loss(logits.squeeze(1), y)

    return loss


def epoch_logs(total_loss: float, correct: int, seen: int, is_cls: bool, target_std: float) -> dict:
    logs = {"loss": total_loss / max(seen, 1)}
    if is_cls:
        logs["accuracy"] = correct / max(seen, 1)
    else:  # MSE on the standardised target; mean absolute error in the target's own units
        logs["mae"] = math.sqrt(logs["loss"]) * target_std
    return logs


def validation_logs(
    network, val: ArrayData, is_cls: bool, target_std: float, step_batch: int | None = None
) -> dict:
    """Loss and accuracy (or MAE) on the validation split. Images go through in batches of a
    training step's size (`step_batch`): a pass without gradients then needs less memory than a
    step did, and sets no new peak."""
    batch = step_batch if val.is_image and step_batch else PREDICT_BATCH
    logits = predict_logits(network, val, batch_size=batch)
    if is_cls:
        return {
            "val_loss": float(F.cross_entropy(logits, val.y)),
            "val_accuracy": float((logits.argmax(1) == val.y).float().mean()),
        }
    err = logits.squeeze(1) - val.y
    return {"val_loss": float((err**2).mean()), "val_mae": float(err.abs().mean()) * target_std}
