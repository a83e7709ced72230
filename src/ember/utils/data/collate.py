"""``default_collate`` / ``default_convert``: turn a list of samples into a batch.

Tensors are stacked along a new first dimension (inside a DataLoader worker, straight into a
shared-memory segment so the batch crosses to the main process without a copy); NumPy arrays
and numbers become tensors; strings stay lists; dicts, namedtuples and sequences are collated
field by field.
"""
import collections.abc
import re

import numpy as np

from ..._tensor import Tensor, _wrap
from ...multiprocessing._shared import create_segment
from ...ops.joining import stack
from ._worker import get_worker_info

__all__ = ["default_collate", "default_convert", "stack_into_shared"]

_np_str_obj = re.compile(r"[SaUO]")
_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        "found {}")


def stack_into_shared(arrays, shape, dtype):
    """A tensor of ``shape`` over a new shared segment (for worker batches)."""
    seg = create_segment(int(np.prod(shape)) * np.dtype(dtype).itemsize)
    t = _wrap(seg.array(shape, dtype))
    t._shared = seg
    if arrays is not None:
        np.stack(arrays, out=t._data)
    return t


def _stack(batch):
    first = batch[0]
    arrays = [t._data for t in batch]
    if (get_worker_info() is None or not isinstance(first._data, np.ndarray)
            or any(t._rg for t in batch)):
        return stack(batch, 0)
    shape = first._data.shape
    dt = first._data.dtype
    if any(a.shape != shape or a.dtype != dt for a in arrays):
        return stack(batch, 0)  # raises torch's error for mismatched sizes / promotes dtypes
    return stack_into_shared(arrays, (len(arrays),) + shape, dt)


def default_collate(batch):
    """Collate a list of samples into a batch (``torch.utils.data.default_collate``)."""
    elem = batch[0]
    elem_type = type(elem)
    if isinstance(elem, Tensor):
        return _stack(batch)
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ in ("ndarray", "memmap"):
            if _np_str_obj.search(elem.dtype.str) is not None:
                raise TypeError(_ERR.format(elem.dtype))
            return _stack([_wrap(np.asarray(b)) for b in batch])
        if elem.shape == ():  # numpy scalars
            return _wrap(np.asarray(batch))
    if isinstance(elem, bool):
        return _wrap(np.asarray(batch, dtype=np.bool_))
    if isinstance(elem, float):
        return _wrap(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, int):
        return _wrap(np.asarray(batch, dtype=np.int64))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = elem.copy() if hasattr(elem, "copy") else dict(elem)
                for key in elem:
                    clone[key] = default_collate([d[key] for d in batch])
                return clone
            return elem_type({key: default_collate([d[key] for d in batch]) for key in elem})
        except TypeError:
            return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [default_collate(samples) for samples in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = elem.copy() if hasattr(elem, "copy") else list(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = default_collate(samples)
                return clone
            return elem_type([default_collate(samples) for samples in transposed])
        except TypeError:
            return [default_collate(samples) for samples in transposed]
    raise TypeError(_ERR.format(elem_type))


def default_convert(data):
    """Convert NumPy arrays (and numpy scalars) in ``data`` to tensors, recursively, leaving
    everything else as is (``torch.utils.data.default_convert``)."""
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ == "ndarray" and _np_str_obj.search(data.dtype.str) is not None:
            return data
        return _wrap(np.array(data))
    if isinstance(data, collections.abc.Mapping):
        try:
            return elem_type({k: default_convert(v) for k, v in data.items()})
        except TypeError:
            return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
