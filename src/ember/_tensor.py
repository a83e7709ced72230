"""The Tensor: an n-dimensional array (NumPy on cpu, CuPy on cuda) with autograd state.

Math lives in ``ember.ops``; the methods and operators that call it are attached in
``_tensor_methods.py``. This file holds only the object's state and its attributes.
"""
import numpy as np

from . import _dtype as D
from ._device import device_of, backend_of
from ._size import Size
from ._checks import check_bool
from ._tensor_str import tensor_repr

__all__ = ["Tensor"]

_np_ndarray = np.ndarray
_tuple_new = tuple.__new__
_NP_TO_DTYPE = D._BY_NP


class Tensor:
    """A multi-dimensional array with PyTorch's semantics (``torch.Tensor``).

    ``Tensor(5, 3)`` makes an uninitialised 5x3 tensor of the default dtype,
    ``Tensor([[1, 2]])`` copies data; prefer ``ember.tensor`` for new code.
    """
    __slots__ = ("_data", "_version", "_base", "_rg", "_grad", "grad_fn", "_output_nr",
                 "_accumulator", "_hooks", "_retains_grad", "_post_acc_hooks", "_shared",
                 "__weakref__")
    __hash__ = object.__hash__
    __array_priority__ = 1000  # so ndarray <op> Tensor defers to Tensor's reflected operators

    def __new__(cls, *args, device=None, dtype=None, size=None):
        from .ops import creation  # lazy: ember.ops.creation imports us
        if dtype is None:
            dtype = D.get_default_dtype()
        if size is not None:
            arr = creation._empty_array(tuple(size), D.to_dtype(dtype), device)
        elif not args:
            arr = creation._empty_array((0,), D.to_dtype(dtype), device)
        elif len(args) == 1 and isinstance(args[0], Size):  # Tensor(torch.Size([2, 2])): a shape
            arr = creation._empty_array(tuple(args[0]), D.to_dtype(dtype), device)
        elif len(args) == 1 and isinstance(args[0], (float, complex, bool)):
            raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
        elif len(args) == 1 and not isinstance(args[0], (int, Tensor)) or (
                len(args) == 1 and isinstance(args[0], Tensor)):
            src = args[0]
            if isinstance(src, Tensor):
                return src if cls is Tensor else _as_subclass(src, cls)
            arr = creation._array_from_data(src, D.to_dtype(dtype), device)
        else:
            for a in args:
                if not isinstance(a, int) or isinstance(a, bool):
                    raise TypeError(f"new(): argument 'size' must be tuple of ints, but found "
                                    f"element of type {type(a).__name__}")
            arr = creation._empty_array(tuple(args), D.to_dtype(dtype), device)
        self = object.__new__(cls)
        _init(self, arr)
        return self

    # ---- dtype, device, shape ------------------------------------------------------------
    @property
    def dtype(self):
        return _NP_TO_DTYPE[self._data.dtype]

    @property
    def device(self):
        return device_of(self._data)

    @property
    def is_cuda(self):
        return not isinstance(self._data, _np_ndarray)

    is_cpu = property(lambda self: isinstance(self._data, _np_ndarray))
    is_sparse = False
    is_quantized = False
    is_meta = False
    layout = "torch.strided"

    @property
    def shape(self):
        return _tuple_new(Size, self._data.shape)  # array shapes are tuples of ints already

    def size(self, dim=None):
        """The shape as ``ember.Size``, or the length of dimension ``dim``."""
        shape = self._data.shape
        if dim is None:
            return _tuple_new(Size, shape)
        if type(dim) is int and -len(shape) <= dim < len(shape):
            return shape[dim]
        from .ops._dims import wrap_dim
        return shape[wrap_dim(dim, len(shape))]

    def dim(self):
        """Number of dimensions."""
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        """Number of elements."""
        return int(self._data.size)

    nelement = numel

    def element_size(self):
        return self._data.dtype.itemsize

    @property
    def itemsize(self):
        return self._data.dtype.itemsize

    @property
    def nbytes(self):
        return int(self._data.nbytes)

    def stride(self, dim=None):
        """Strides in elements (PyTorch's convention), or the stride of dimension ``dim``."""
        arr = self._data
        shape = arr.shape
        if 0 in shape and not any(arr.strides):
            st = _contiguous_strides(shape)  # a fresh empty array (NumPy gives zero strides)
        else:
            item = arr.dtype.itemsize
            st = [s // item for s in arr.strides]
            # size-1 dims added by NumPy's newaxis have stride 0; PyTorch's unsqueeze gives
            # the next dim's extent, or 1 for the last dim
            for i in range(len(shape) - 1, -1, -1):
                if shape[i] == 1 and st[i] == 0:
                    st[i] = shape[i + 1] * st[i + 1] if i + 1 < len(shape) else 1
            st = tuple(st)
        if dim is None:
            return st
        from .ops._dims import wrap_dim
        return st[wrap_dim(dim, self._data.ndim)]

    def storage_offset(self):
        """Offset of the first element from the start of the storage, in elements."""
        root = self._base if self._base is not None else self
        return (_ptr(self._data) - _ptr(root._data)) // self._data.dtype.itemsize

    def data_ptr(self):
        """Address of the first element (views of one storage compare as in PyTorch)."""
        return _ptr(self._data)

    def untyped_storage(self):
        from ._storage import UntypedStorage  # lazy: ember._storage imports us
        return UntypedStorage._of_tensor(self)

    def is_contiguous(self, memory_format=None):
        """True when elements are laid out row-major with no gaps."""
        return bool(self._data.flags.c_contiguous)

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def is_complex(self):
        return self.dtype.is_complex

    def is_shared(self):
        """True when the data lives in shared memory (see ``share_memory_``)."""
        base = self._base
        return self._shared is not None or (base is not None and base._shared is not None)

    def get_device(self):
        return -1 if self.is_cpu else self._data.device.id

    # ---- autograd state ------------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag):
        flag = bool(flag)
        if self.grad_fn is not None and not flag:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you "
                               "want to use a computed variable in a subgraph that doesn't require "
                               "differentiation use var_no_grad = var.detach().")
        if flag and not (self.dtype.is_floating_point or self.dtype.is_complex):
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               "gradients")
        self._rg = flag

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place and return self."""
        requires_grad = check_bool("requires_grad_", requires_grad, "requires_grad", 1)
        if requires_grad and not (self.dtype.is_floating_point or self.dtype.is_complex):
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        if self.grad_fn is not None and not self._retains_grad and self._rg:
            import warnings
            warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being "
                          "accessed. Its .grad attribute won't be populated during "
                          "autograd.backward(). If you indeed want the .grad field to be "
                          "populated for a non-leaf Tensor, use .retain_grad() on the non-leaf "
                          "Tensor.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @property
    def data(self):
        """A tensor sharing this one's data, outside autograd (and its version counter)."""
        t = _wrap(self._data)
        t._base = self._base
        return t

    @data.setter
    def data(self, value):
        self._data = value._data

    def is_inference(self):
        """Whether this is an inference tensor (Ember does not make them: always False)."""
        return False

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def _version_counter(self):
        return self._version[0]

    @property
    def retains_grad(self):
        return self._retains_grad

    @property
    def names(self):
        return (None,) * self._data.ndim

    # ---- conversion to Python / NumPy ----------------------------------------------------
    def numpy(self, *, force=False):
        """This tensor as a NumPy array; shares memory on cpu (``Tensor.numpy``)."""
        if self._rg and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if not isinstance(self._data, _np_ndarray):
            if not force:
                raise TypeError("can't convert cuda:0 device type tensor to numpy. Use "
                                "Tensor.cpu() to copy the tensor to host memory first.")
            return self._data.get()
        return self._data

    def __array__(self, dtype=None, copy=None):
        arr = self._data if isinstance(self._data, _np_ndarray) else self._data.get()
        return arr if dtype is None else arr.astype(dtype)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        v = self._data.reshape(()).item()
        return float(v) if self.dtype is D.bfloat16 else v

    def tolist(self):
        """The data as nested Python lists of numbers."""
        arr = self._data if isinstance(self._data, _np_ndarray) else self._data.get()
        if self.dtype is D.bfloat16 or self.dtype is D.float16:
            arr = arr.astype(np.float32)
        return arr.tolist()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return float(self._real_scalar("double"))

    def __int__(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return int(self._real_scalar("int64_t"))

    def _real_scalar(self, cname):
        """The one element as a real NumPy scalar; a complex one with an imaginary part is
        PyTorch's RuntimeError."""
        v = self._data.reshape(())
        if self.dtype.is_complex:
            v = complex(v)
            if v.imag:
                raise RuntimeError(f"value cannot be converted to type {cname} without "
                                   f"overflow")
            return v.real
        return v

    def __complex__(self):
        return complex(self._data.reshape(()))

    def __index__(self):
        if self._data.size != 1 or not (self.dtype._category <= 1):
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()))

    def __repr__(self, *, tensor_contents=None):
        return tensor_repr(self)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec) if spec else repr(self)

    def __reduce_ex__(self, proto):
        from ._tensor_pickle import reduce_tensor  # lazy: ember._tensor_pickle imports us
        return reduce_tensor(self, proto)

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.  If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        new = object.__new__(type(self))
        _init(new, self._data.copy())
        new._rg = self._rg
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def _backend(self):
        return np if type(self._data) is _np_ndarray else backend_of(self._data)


def _init(t, arr):
    t._data = arr
    t._version = [0]
    t._base = None
    t._rg = False
    t._grad = None
    t.grad_fn = None
    t._output_nr = 0
    t._accumulator = None
    t._hooks = None
    t._retains_grad = False
    t._post_acc_hooks = None
    t._shared = None


def _wrap(arr):
    """A new Tensor around backend array ``arr`` (no copy); NumPy scalars become 0-d arrays."""
    if type(arr) is not _np_ndarray and isinstance(arr, np.generic):
        arr = np.asarray(arr)
    t = object.__new__(Tensor)
    t._data = arr
    t._version = [0]
    t._base = None
    t._rg = False
    t._grad = None
    t.grad_fn = None
    t._output_nr = 0
    t._accumulator = None
    t._hooks = None
    t._retains_grad = False
    t._post_acc_hooks = None
    t._shared = None
    return t


def _as_subclass(src, cls):
    t = object.__new__(cls)
    _init(t, src._data)
    t._version = src._version
    t._base = src._base
    return t


def _ptr(arr):
    if isinstance(arr, _np_ndarray):
        return arr.__array_interface__["data"][0]
    return arr.data.ptr


def _contiguous_strides(shape):
    st, acc = [], 1
    for n in reversed(shape):
        st.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(st))
