"""The converter registry: ``@converter(OpClass, ...)`` registers ``fn(g, rec)`` that writes the
ONNX nodes of one recorded op call (``rec``, an ``ember.autograd.tracing.TracedOp``) into the
graph builder ``g`` and returns the ONNX value name of each of the op's outputs (a name, or a
list with one entry per output; None for outputs nothing reads)."""

__all__ = ["CONVERTERS", "converter", "lookup"]

CONVERTERS = {}
# what a subclass may change and still be its parent's op (einsum's per-arity classes)
_COSMETIC = {"save", "_name", "__module__", "__doc__", "__qualname__", "__dict__",
             "__weakref__", "__slotnames__"}


def converter(*op_classes):
    """Register the decorated function as the ONNX converter of ``op_classes``."""
    def deco(fn):
        for cls in op_classes:
            CONVERTERS[cls] = fn
        return fn
    return deco


def lookup(cls):
    """The converter of op class ``cls``, or of the parent it only renames or re-saves."""
    for k in getattr(cls, "__mro__", (cls,)):
        if k in CONVERTERS:
            return CONVERTERS[k]
        if not set(vars(k)) <= _COSMETIC:
            return None
    return None
