"""Sharing a model outside neuroflow: ONNX export and the onnxruntime model that reads it back."""

from neuroflow.export.runtime import OnnxModel, load_onnx
from neuroflow.export.to_onnx import FORMATS, export_onnx

__all__ = ["FORMATS", "OnnxModel", "export_onnx", "load_onnx"]
