"""The errors ``ember.onnx.export`` raises (``torch.onnx.errors`` in PyTorch)."""

__all__ = ["OnnxExporterError", "UnsupportedOperatorError"]


class OnnxExporterError(RuntimeError):
    """The model cannot be written as a faithful ONNX graph
    (``torch.onnx.errors.OnnxExporterError``)."""


class UnsupportedOperatorError(OnnxExporterError):
    """An op the model runs has no ONNX converter; the message names the op, its module and
    the opset (``torch.onnx.errors.UnsupportedOperatorError``)."""
