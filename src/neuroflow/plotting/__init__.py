"""Figures drawn with matplotlib's Agg backend, in a helper process that loads matplotlib early."""

from neuroflow.plotting.figures import loss_curve, pyplot, save_figure

__all__ = ["loss_curve", "pyplot", "save_figure"]
