"""Training: the fit loop, its in-memory batches, checkpoints and progress display."""

from neuroflow.training.loop import TrainSettings, fit

__all__ = ["TrainSettings", "fit"]
