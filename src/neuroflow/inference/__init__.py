"""Prediction from raw inputs (CSV rows, pictures) and the lessons' tables of results."""

from neuroflow.inference.predict import Prediction, predict
from neuroflow.inference.tables import format_predictions

__all__ = ["Prediction", "format_predictions", "predict"]
