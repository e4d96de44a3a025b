"""Measuring a trained model: metrics, calibration, the unknown-input check and their pictures."""
