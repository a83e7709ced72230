"""The converter registry: ``@converter(OpClass, ...)`` registers ``fn(g, rec)`` that writes the
ONNX nodes of one recorded op call (``rec``, an ``ember.autograd.tracing.TracedOp``) into the
graph builder ``g`` and returns the ONNX value name of each of the op's outputs (a name, or a
list with one entry per output; None for outputs nothing reads)."""

__all__ = ["CONVERTERS", "converter"]

CONVERTERS = {}


def converter(*op_classes):
    """Register the decorated function as the ONNX converter of ``op_classes``."""
    def deco(fn):
        for cls in op_classes:
            CONVERTERS[cls] = fn
        return fn
    return deco
