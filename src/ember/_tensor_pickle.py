"""Pickling tensors with the standard pickle module (copies the data)."""
import numpy as np


def _rebuild_tensor(array, requires_grad, cls_name):
    from ._tensor import _wrap
    from .nn.parameter import Parameter
    t = _wrap(array)
    if cls_name == "Parameter":
        return Parameter(t, requires_grad)
    t._rg = requires_grad
    return t


def reduce_tensor(t, proto):
    """Pickle a leaf tensor (or Parameter) by value."""
    if t.grad_fn is not None:
        raise RuntimeError("Can't pickle a non-leaf tensor that requires grad; detach() it first")
    arr = t._data if isinstance(t._data, np.ndarray) else t._data.get()
    return (_rebuild_tensor, (np.ascontiguousarray(arr), t._rg, type(t).__name__))
