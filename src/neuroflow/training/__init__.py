"""Training: the trainer and its strategies and callbacks, settings, checkpoints, fine-tuning."""

from neuroflow.training.callbacks import Callback, EpochHook
from neuroflow.training.settings import TrainSettings
from neuroflow.training.strategies import SplitBatch, Strategy
from neuroflow.training.trainer import Trainer, fit

__all__ = ["Callback", "EpochHook", "SplitBatch", "Strategy", "TrainSettings", "Trainer", "fit"]
