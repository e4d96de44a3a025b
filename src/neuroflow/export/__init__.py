"""Sharing a model outside neuroflow: ONNX export, the onnxruntime model that reads it back, and
the static web page that runs it in a browser."""

from neuroflow.export.runtime import OnnxModel, load_onnx
from neuroflow.export.to_onnx import FORMATS, export_onnx
from neuroflow.export.web import bundle_with_web, export_web

__all__ = ["FORMATS", "OnnxModel", "bundle_with_web", "export_onnx", "export_web", "load_onnx"]
