"""ONNX export (``torch.onnx``): ``export(model, args, f, ...)`` traces one forward call through
Ember's autograd graph and writes it as an ONNX model with the ``onnx`` package's helper API.

Importing this module needs nothing beyond Ember; ``export`` needs the ``onnx`` package
(``pip install "ember[onnx]"``, which also brings onnxruntime to run the file).
"""
from .errors import OnnxExporterError, UnsupportedOperatorError
from . import errors

__all__ = ["export", "errors", "OnnxExporterError", "UnsupportedOperatorError",
           "is_onnx_available", "TrainingMode"]


class _Mode:
    __slots__ = ("name", "value")

    def __init__(self, name, value):
        self.name, self.value = name, value

    def __repr__(self):
        return f"<TrainingMode.{self.name}: {self.value}>"


class TrainingMode:
    """The mode the model runs in while exported (``torch.onnx.TrainingMode``): ``EVAL``
    (the default), ``PRESERVE`` (keep each module's mode) or ``TRAINING``."""
    EVAL = _Mode("EVAL", 0)
    PRESERVE = _Mode("PRESERVE", 1)
    TRAINING = _Mode("TRAINING", 2)


def is_onnx_available():
    """Whether the ``onnx`` package can be imported (export needs it)."""
    try:
        import onnx  # noqa: F401
    except ImportError:
        return False
    return True


def export(model, args, f, *, input_names=None, output_names=None, dynamic_axes=None,
           opset_version=17, do_constant_folding=True, export_params=True, verbose=False,
           training=None, keep_initializers_as_inputs=False, **unused):
    """Export ``model`` (an ``nn.Module``) run on ``args`` to the ONNX file ``f`` (a path or a
    binary file object; None only returns the model), like ``torch.onnx.export``.

    ``args`` is a tensor or a tuple of model arguments; tensors become graph inputs, other
    values are baked in. ``input_names``/``output_names`` name the graph's inputs and outputs
    (default ``input``/``output``, numbered when there are several). ``dynamic_axes`` maps a
    name to ``{axis: "symbol"}`` (or a list of axes) to make those dimensions symbolic
    (``dim_param``); the model is traced a second time with those sizes changed so that every
    shape computed from them is emitted as a graph computation, not a baked constant.
    ``opset_version`` 17 to 20. Sub-graphs that do not depend on the inputs are folded into
    initializers (``do_constant_folding`` is accepted for compatibility: Ember always folds).
    ``export_params=False`` leaves the parameters out of the file, as graph inputs named by
    their state_dict keys. The model runs in eval mode during export (PyTorch's default
    ``training=TrainingMode.EVAL``; ``PRESERVE`` keeps the modules' modes). A trailing dict in
    ``args`` holds keyword arguments. ``verbose`` is accepted and ignored. Returns the
    ``onnx.ModelProto``.

    Raises :class:`UnsupportedOperatorError` naming the op for anything without a converter,
    and ImportError when the ``onnx`` package is missing.
    """
    try:
        import onnx  # noqa: F401
    except ImportError as e:
        raise ImportError('ember.onnx.export needs the "onnx" package: '
                          'pip install "ember[onnx]" (or pip install onnx onnxruntime)') from e
    # lazy: ember.onnx._export is loaded on first use, not at import
    from ._export import export as _impl
    return _impl(model, args, f, input_names=input_names, output_names=output_names,
                 dynamic_axes=dynamic_axes, opset_version=opset_version,
                 export_params=export_params, training=training,
                 keep_initializers_as_inputs=keep_initializers_as_inputs)
