"""A minimal ``UntypedStorage``: the flat memory behind one or more tensors.

``Tensor.untyped_storage()`` returns one (views of one tensor share it), and ``ember.load``
hands one per checkpoint record to ``map_location`` callables and rebuilds tensors as views
of it, so tensors saved from one storage come back sharing memory.
"""
import math

import numpy as np

from ._device import backend_of, device_of, backend_for, to_device
from . import _dtype
from ._tensor import _wrap

__all__ = ["UntypedStorage"]


def _ptr(arr):
    return arr.__array_interface__["data"][0] if isinstance(arr, np.ndarray) else arr.data.ptr


class UntypedStorage:
    """Bytes behind tensors (``torch.UntypedStorage``); holds a flat typed array ``_array``."""
    __slots__ = ("_array", "_owner", "_root", "__weakref__")

    def __init__(self, array=None):
        if array is None:
            array = np.empty(0, dtype=np.uint8)
        elif isinstance(array, int):
            array = np.zeros(array, dtype=np.uint8)
        self._array = array
        self._owner = None
        self._root = None

    @classmethod
    def _of_tensor(cls, t):
        """The storage of tensor ``t``: its root tensor's whole array."""
        root = t._base if t._base is not None else t
        s = cls(root._data.reshape(-1) if root._data.flags.c_contiguous else root._data)
        s._root = root
        return s

    # ---- size and identity ---------------------------------------------------------------
    def nbytes(self):
        """Size in bytes."""
        return int(self._array.nbytes)

    size = nbytes

    def __len__(self):
        return self.nbytes()

    def element_size(self):
        """Bytes per element: 1 for an untyped storage."""
        return 1

    def data_ptr(self):
        """Address of the first byte."""
        return _ptr(self._array)

    @property
    def device(self):
        return device_of(self._array)

    @property
    def is_cuda(self):
        return not isinstance(self._array, np.ndarray)

    @property
    def dtype(self):
        return _dtype.uint8

    def tolist(self):
        """The bytes as a list of ints."""
        arr = self._array if isinstance(self._array, np.ndarray) else self._array.get()
        return np.ascontiguousarray(arr).view(np.uint8).reshape(-1).tolist()

    def __repr__(self):
        return f"UntypedStorage(nbytes={self.nbytes()}, device={self.device})"

    # ---- devices ---------------------------------------------------------------------------
    def cpu(self):
        """This storage on the CPU (itself if it is already there)."""
        if isinstance(self._array, np.ndarray):
            return self
        return UntypedStorage(self._array.get())

    def cuda(self, device=None, non_blocking=False):
        """A copy on a CUDA device (needs CuPy)."""
        dev = to_device(device if device is not None else "cuda")
        xp = backend_for(dev)
        with xp.cuda.Device(dev.index or 0):
            return UntypedStorage(xp.asarray(self._array))

    def to(self, device=None, non_blocking=False):
        """This storage on ``device``."""
        dev = to_device(device)
        return self.cpu() if dev.type == "cpu" else self.cuda(dev)

    # ---- rebuilding tensors (used by ember.load) ------------------------------------------
    def _view(self, offset, size, stride):
        """A tensor over elements of this storage (PyTorch's ``set_(storage, offset, ...)``)."""
        arr = self._array
        size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
        n = arr.size
        if len(size) != len(stride) or any(s < 0 for s in size) or any(s < 0 for s in stride):
            raise RuntimeError(f"invalid tensor geometry: size {list(size)}, stride "
                               f"{list(stride)}")
        numel = math.prod(size)
        if numel:
            last = offset + sum((sz - 1) * st for sz, st in zip(size, stride))
            if offset < 0 or last >= n:
                raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, "
                                   f"storage offset {offset} require a storage of at least "
                                   f"{last + 1} elements, but the storage has {n}")
        contiguous = all(sz == 1 or st == e for sz, st, e in zip(size, stride,
                                                                 _contiguous_strides(size)))
        if offset == 0 and numel == n and contiguous and self._owner is None and \
                self._root is None:
            t = _wrap(arr.reshape(size))
            self._owner = t
            return t
        root = self._owner if self._owner is not None else self._root_tensor()
        xp = backend_of(arr)
        item = arr.dtype.itemsize
        if numel == 0:
            view = arr[:0].reshape(size) if 0 in size else arr[:0]
        elif contiguous:
            view = arr[offset:offset + numel].reshape(size)
        else:
            view = xp.lib.stride_tricks.as_strided(arr[offset:], shape=size,
                                                   strides=tuple(s * item for s in stride))
        t = _wrap(view)
        t._base = root
        t._version = root._version
        return t

    def _root_tensor(self):
        if self._root is None:
            self._root = _wrap(self._array)
        return self._root


def _contiguous_strides(shape):
    st, acc = [], 1
    for n in reversed(shape):
        st.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(st))
