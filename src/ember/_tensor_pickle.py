"""Pickling tensors with the standard pickle module (copies the data; keeps the device)."""
import numpy as np
from ._tensor import _wrap


# class name -> rebuild(tensor, requires_grad), registered by the higher layers that define
# tensor subclasses (nn.parameter registers "Parameter"), so this module imports none of them
REBUILDERS = {}


def register_rebuild(cls_name, rebuild):
    """Unpickle tensors pickled as class ``cls_name`` with ``rebuild(tensor, requires_grad)``."""
    REBUILDERS[cls_name] = rebuild


def _rebuild_tensor(array, requires_grad, cls_name, device="cpu"):
    t = _wrap(array)
    if device != "cpu":
        t = t.to(device)
    rebuild = REBUILDERS.get(cls_name)
    if rebuild is not None:
        return rebuild(t, requires_grad)
    t._rg = requires_grad
    return t


def reduce_tensor(t, proto):
    """Pickle a leaf tensor (or Parameter) by value, as a contiguous NumPy array."""
    if t.grad_fn is not None:
        raise RuntimeError("Can't pickle a non-leaf tensor that requires grad; detach() it first")
    if isinstance(t._data, np.ndarray):
        arr, dev = t._data, "cpu"
    else:
        arr, dev = t._data.get(), str(t.device)
    return (_rebuild_tensor, (np.ascontiguousarray(arr), t._rg, type(t).__name__, dev))
