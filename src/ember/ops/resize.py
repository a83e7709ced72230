"""``Tensor.resize_`` and ``resize_as_``: PyTorch's in-place storage resizing."""
from .. import _backend as B, _checks
from .._tensor import Tensor, _ptr

__all__ = []
_FUNCTIONS_ONLY = ()


def resize_(self, *sizes, memory_format=None):
    """Resize ``self`` in place to ``sizes`` and return it (``Tensor.resize_``).

    As in PyTorch: the same shape leaves the tensor untouched (strides included); otherwise
    the result is contiguous over the storage from the tensor's storage offset, so its
    elements are the storage's in flat order (not the logical order of a transposed view).
    A shrink keeps the storage (growing back shows the old elements again); when the storage
    is too small it is replaced by a larger one holding the old elements first (the rest is
    zeros here, uninitialised in PyTorch), and views made before such a growth keep the old
    memory. A tensor that requires grad is refused with PyTorch's RuntimeError.

    >>> ember.arange(6.).resize_(2, 2)
    tensor([[0., 1.],
            [2., 3.]])
    """
    shape = _checks.check_size("resize_", sizes)
    if self._rg:
        raise RuntimeError("cannot resize variables that require grad")
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(shape)}: {list(shape)}")
    if shape == tuple(self._data.shape):
        return self
    arr = self._data
    n = _checks.check_numel(shape, arr.dtype.itemsize)
    _checks.check_alloc(n * arr.dtype.itemsize)
    root = self._base if self._base is not None else self
    storage = _capacity(root._data)
    off = (_ptr(arr) - _ptr(storage)) // arr.dtype.itemsize
    if storage.flags.c_contiguous and off + n <= storage.size:
        flat = storage.reshape(-1)
        self._data = flat[off:off + n].reshape(shape)
    else:  # grow: a new storage with the old elements (storage order) first
        xp = self._backend()
        if storage.flags.c_contiguous:
            old = storage.reshape(-1)[off:]
        else:  # a root that is not row-major (an adopted NumPy array): its own order
            old = arr.reshape(-1)
        new = xp.zeros(n, dtype=arr.dtype)
        keep = min(n, old.size)
        new[:keep] = old[:keep]
        self._data = new.reshape(shape)
        self._base = None  # its own storage now
    B.bump_version(self)
    return self


def _capacity(storage):
    """The storage with the capacity an earlier shrink left behind: the row-major array of
    the same dtype, starting at the same address, that ``storage`` was sliced from."""
    while True:
        base = getattr(storage, "base", None)
        if type(base) is not type(storage) or base.dtype != storage.dtype or \
                not base.flags.c_contiguous or base.size <= storage.size or \
                _ptr(base) != _ptr(storage):
            return storage
        storage = base


def resize_as_(self, the_template, memory_format=None):
    """Resize ``self`` in place to ``the_template``'s shape (``Tensor.resize_as_``)."""
    if not isinstance(the_template, Tensor):
        raise TypeError(f"resize_as_(): argument 'the_template' (position 1) must be Tensor, "
                        f"not {type(the_template).__name__}")
    return resize_(self, tuple(the_template.shape))
