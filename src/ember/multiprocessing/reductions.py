"""Pickling rules that send tensors between processes as shared-memory handles.

Registered with ``multiprocessing.reduction.ForkingPickler`` (used by every ``Queue``, ``Pipe``,
``Pool`` and by the ``spawn``/``forkserver`` start methods), like ``torch.multiprocessing``:
a tensor is moved into shared memory once (``share_memory_``) and only a small handle (segment
name, dtype, shape, strides, offset, requires_grad, class) is pickled. The receiver maps the same
memory, so in-place changes on either side are seen by the other.
"""
from multiprocessing.reduction import ForkingPickler

import numpy as np

from . import _shared
from .._tensor import _wrap, Tensor
from ..nn.parameter import Parameter, Buffer
from .._tensor_pickle import reduce_tensor as by_value

__all__ = ["init_reductions", "reduce_tensor", "rebuild_tensor"]

_NON_LEAF_MSG = ("Cowardly refusing to serialize non-leaf tensor which requires_grad, since "
                 "autograd does not support crossing process boundaries.  If you just want to "
                 "transfer the data, call detach() on the tensor before serializing (e.g., "
                 "putting it on the queue).")


def _in_segment(t, seg):
    p = t._data.__array_interface__["data"][0]
    return seg.ptr <= p <= seg.ptr + seg.nbytes


def reduce_tensor(t):
    """``__reduce__`` for a tensor crossing a process boundary: share it, pickle a handle."""
    if t._rg and t.grad_fn is not None:
        raise RuntimeError(_NON_LEAF_MSG)
    if not isinstance(t._data, np.ndarray):
        # lazy: ember._tensor_pickle is loaded on first use, not at import
        return by_value(t, 2)
    seg = t._shared
    if seg is None and t._base is not None and t._base._shared is not None:
        seg = t._shared = t._base._shared
    if seg is None or not _in_segment(t, seg):
        t._shared = None
        _shared.share_tensor_memory(t)
        seg = t._shared
    if not _shared.pin(seg.name):
        # the name is gone (all other users released it): re-share into a fresh segment
        t._shared = None
        if t._base is not None:
            t._base._shared = None
        _shared.share_tensor_memory(t)
        seg = t._shared
        _shared.pin(seg.name)
    arr = t._data
    offset = arr.__array_interface__["data"][0] - seg.ptr
    return (rebuild_tensor, (seg.name, seg.nbytes, arr.dtype.str if arr.dtype.kind != "V"
                             else arr.dtype.name, arr.shape, arr.strides, offset, bool(t._rg),
                             type(t).__name__))


def _np_dtype(spec):
    try:
        return np.dtype(spec)
    except TypeError:
        import ml_dtypes
        return np.dtype(getattr(ml_dtypes, spec))


def rebuild_tensor(name, nbytes, dtype, shape, strides, offset, requires_grad, cls_name):
    """Map the segment ``name`` (once per process) and wrap the described array as a tensor."""
    seg = _shared.open_segment(name, nbytes)
    t = _wrap(seg.array(shape, _np_dtype(dtype), strides, offset))
    if cls_name == "Parameter":
        t = Parameter(t, requires_grad)
    elif cls_name == "Buffer":
        t = Buffer(t)
    else:
        t._rg = requires_grad
    t._shared = seg
    return t


def _subclasses(cls):
    out = [cls]
    for sub in cls.__subclasses__():
        out.extend(_subclasses(sub))
    return out


def init_reductions():
    """Register the tensor reducer for ``Tensor`` and every subclass defined so far (call again
    after defining new subclasses; ``nn.Parameter`` is picked up automatically)."""
    try:
        from ..nn import parameter  # noqa: F401  (defines Parameter/Buffer)
    except ImportError:
        pass
    for cls in _subclasses(Tensor):
        if cls not in ForkingPickler._extra_reducers:
            ForkingPickler.register(cls, reduce_tensor)
