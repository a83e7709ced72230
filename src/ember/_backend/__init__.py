"""The backend seam: the one place, besides op forwards (which receive ``xp``), that touches the
array library.

Layer: bottom (beside dtype and device); it imports nothing from the tensor, autograd or ops
layers and treats tensors duck-typed (``t._data``, ``t._version``, ``t._backend()``).

It owns:
- what an array *is*: the host array type, scalar type tests, ``backend_of`` (numpy or cupy);
- device transfer (``to_host``, ``to_backend``);
- ``bump_version``: the one way an in-place write marks a tensor (and its views) as changed;
- unrecorded in-place kernels (``inplace``: optimizer updates, the no-grad ``add_`` family);
- random streams (``rng``: generators, host-side sampling kernels);
- special functions NumPy lacks (``special``: erf, lgamma, digamma ... via SciPy or Python's math);
- small host-side helpers ops need (broadcast shapes, writable views of read-only memory).
"""
import contextlib
import numbers

import numpy as np

from .._device import backend_of, backend_for, cuda_available  # noqa: F401 (re-exported)
from .inplace import bump_version  # noqa: F401 (re-exported)

__all__ = ["HOST_MODULE", "HOST_ARRAY", "HOST_SCALAR", "SCALAR_TYPES", "INTEGER_TYPES", "BOOL_TYPES", "backend_of",
           "backend_for", "is_host_array", "is_array", "to_host", "to_backend", "transfer",
           "bump_version",
           "broadcast_shapes", "make_writable", "host_array", "host_frombuffer", "int_max",
           "dtype_kind", "errstate"]

HOST_MODULE = np
HOST_ARRAY = np.ndarray
HOST_SCALAR = np.generic
SCALAR_TYPES = (numbers.Number, np.generic)
INTEGER_TYPES = (int, np.integer)
BOOL_TYPES = (bool, np.bool_)


def is_host_array(x):
    """True for a NumPy array (a cpu tensor's storage)."""
    return isinstance(x, np.ndarray)


def is_array(x):
    """True for an array of any backend (NumPy or CuPy) or a NumPy scalar."""
    return isinstance(x, (np.ndarray, np.generic)) or hasattr(x, "__cuda_array_interface__")


def to_host(arr):
    """``arr`` as a NumPy array (a copy from the GPU; the array itself on cpu)."""
    if isinstance(arr, np.ndarray):
        return arr
    if isinstance(arr, np.generic):
        return np.asarray(arr)
    get = getattr(arr, "get", None)
    if get is not None:
        return get()
    return np.asarray(arr)


def to_backend(arr, xp):
    """``arr`` (any backend, or nested Python data) as an array of module ``xp``."""
    if xp is np:
        return to_host(arr)
    return xp.asarray(arr)


def transfer(arr, dev):
    """``arr`` copied to device ``dev`` (an ``ember.device``); the array itself when it is
    already there (``Tensor.to(device)``'s data movement)."""
    xp = backend_for(dev)
    if xp is np:
        return to_host(arr)
    with xp.cuda.Device(dev.index or 0):
        if isinstance(arr, xp.ndarray) and arr.device.id != (dev.index or 0):
            return xp.array(arr)  # peer copy: asarray would hand back the other GPU's array
        return xp.asarray(arr)


def errstate(xp, **kwargs):
    """NumPy's ``errstate(**kwargs)`` for host arrays; a no-op context for other backends
    (CuPy has none: GPU kernels never warn)."""
    if xp is np:
        return np.errstate(**kwargs)
    return contextlib.nullcontext()


def broadcast_shapes(*shapes):
    """The shape that ``shapes`` broadcast to (ValueError when they do not)."""
    return np.broadcast_shapes(*shapes)


def host_array(data, dtype=None):
    """Nested Python data (or any array-like on the host) as a NumPy array, without a copy
    when it already is one."""
    return np.asarray(data, dtype=dtype)


def host_frombuffer(buffer, dtype, count=-1, offset=0):
    """A NumPy array reading ``buffer`` as ``dtype`` (NumPy dtype), without a copy."""
    return np.frombuffer(buffer, dtype=dtype, count=count, offset=offset)


def int_max(np_dtype):
    """The largest value of integer NumPy dtype ``np_dtype``."""
    return int(np.iinfo(np_dtype).max)


def dtype_kind(arr):
    """NumPy's kind letter of an array's dtype ('f', 'i', 'u', 'b', 'c'; 'V' for bfloat16)."""
    return arr.dtype.kind


def make_writable(arr):
    """``arr``, or the same view of its memory made writable.

    NumPy marks every view of a broadcast (expanded) array read-only; PyTorch lets in-place ops
    write through such views when no element is shared. Returns ``arr`` itself when it is
    already writable or is not a host array; raises RuntimeError when the memory is truly
    read-only.
    """
    if type(arr) is not np.ndarray or arr.flags.writeable:
        return arr
    try:
        arr.flags.writeable = True
        return arr
    except ValueError:
        pass
    root = arr.base
    while root is not None and not (isinstance(root, np.ndarray) and root.flags.writeable
                                    and root.flags.c_contiguous):
        root = root.base
    if root is None:
        raise RuntimeError("cannot write into a tensor whose memory is read-only")
    offset = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return np.ndarray(arr.shape, arr.dtype, buffer=root, offset=offset, strides=arr.strides)
