"""Tensor methods and operators beyond the op declarations.

Every op declared in ``ops._registry`` (function, method, in-place twin, plain operators) is
bound by ``install_methods`` below. What stays here are methods whose signature differs from
the function's (``view``, ``sum``, ``expand``, ``squeeze``...), the reflected and comparison
operators, copy/fill, conversions (``to``, ``float``...) and the autograd methods.
"""
import numbers
import weakref

import numpy as np

from . import _checks, _dtype as D
from ._device import to_device, device, device_of
from ._tensor import Tensor, _wrap
from .autograd.grad_mode import STATE
from .autograd.api import backward as _autograd_backward
from .ops import unary, binary, pointwise, reduce, shape, matmul, indexing, creation, \
    random as rnd
from .ops._inplace import write_inplace, check_leaf_inplace, check_writable
from .ops._dims import dense_dim_order
from . import _backend as B
from ._backend import bump_version
from .autograd.inplace import copy_source
from ._checks import check_fits
from .autograd.node import _RemovableHandle
from .ops import _registry
from .ops._dispatch import _INT_LO, _INT_HI
from .ops import resize as _resize

T = Tensor

# ---- every declared op: method, in-place twin, operators (ops/_registry.py) ---------------
_registry.install_methods(T)


def _view(self, *shape_or_dtype, size=None, dtype=None):
    if dtype is not None:
        return _view_dtype(self, dtype)
    if len(shape_or_dtype) == 1 and isinstance(shape_or_dtype[0], D.dtype):
        return _view_dtype(self, shape_or_dtype[0])
    return shape.view(self, *shape_or_dtype, size=size)


def _view_dtype(self, dt):
    if dt.itemsize != self.dtype.itemsize and self._data.ndim == 0:
        raise RuntimeError("self.dim() cannot be 0 to view with a different element size")
    if dt.itemsize > self.dtype.itemsize:
        ratio, n = dt.itemsize // self.dtype.itemsize, self._data.shape[-1]
        if n % ratio:
            raise RuntimeError(f"self.size(-1) must be divisible by {ratio} to view "
                               f"{_cap(self.dtype)} as {_cap(dt)} (different element sizes), but "
                               f"got {n}")
    t = _wrap(self._data.view(dt.np))
    t._base = self._base if self._base is not None else self
    t._version = self._version
    return t


T.view = _view
T.view_dtype = _view_dtype
T.__getitem__ = indexing.getitem
T.__setitem__ = indexing.setitem
T.T = property(lambda self: self.permute(*reversed(range(self.dim()))))
def _matrix_transpose(self):
    if self._data.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got "
                           f"{self._data.ndim}-D tensor.")
    return self.transpose(-2, -1)


T.mT = property(_matrix_transpose)
T.H = property(lambda self: self.T.conj())
T.mH = property(lambda self: self.mT.conj())
T.real = property(pointwise.real)
T.imag = property(pointwise.imag)


def _expand(self, *sizes, size=None):
    return shape.expand(self, *sizes, size=size)


T.expand = _expand


def _sum_method(self, dim=None, keepdim=False, dtype=None):
    return reduce.sum(self, dim, keepdim, dtype=dtype)


T.sum = _sum_method


# ---- operators ---------------------------------------------------------------------------
def _rdiv(self, other):
    return binary.mul(unary.reciprocal(self), other)  # PyTorch's other / self


def _scalar_like(value, like):
    from .ops._operands import scalar_tensor
    if isinstance(value, Tensor):
        return value
    value = binary._wrap_int_scalar(value, like)  # 300 - uint8 wraps, as in PyTorch
    return scalar_tensor(value, D.result_type(like, value), like)


# The plain operators (``+ - * / // % ** @``, unary ``- + abs``, ``& | ^ << >>``, ``< <= > >=``)
# and the in-place ones come from the op declarations (``dunder=``). Here by hand: the
# reflected operators (operands swapped, a Python number made a 0-d tensor of self's type,
# NumPy arrays refused with NotImplemented as PyTorch does), ``==``/``!=`` (NotImplemented for
# operands that are not comparable, arrays and lists compared elementwise) and ``~`` (refused
# for float tensors with PyTorch's TypeError before dispatch).
T.__radd__ = lambda self, other: binary.add(self, other) if type(other) is not np.ndarray \
    else NotImplemented
def _rsub(self, other):
    """other - self for a Python number ``other`` (PyTorch's scalar rsub)."""
    if (type(other) is float or type(other) is int and _INT_LO <= other <= _INT_HI) and \
            type(self) is Tensor and self._data.dtype.kind == "f" and self._data.dtype.itemsize > 2:
        # the number as a 0-d array of self's dtype: sub's no-promotion path (ops/_dispatch.py)
        return binary.sub(_wrap(self._backend().asarray(other, dtype=self._data.dtype)), self)
    if type(other) is np.ndarray:
        return NotImplemented
    if isinstance(other, bool):
        return binary.sub(other, self)
    return binary.sub(_scalar_like(other, self), self)


T.__rsub__ = _rsub
T.__rmul__ = lambda self, other: binary.mul(self, other) if type(other) is not np.ndarray \
    else NotImplemented
T.__rtruediv__ = _rdiv
T.__rfloordiv__ = lambda self, other: binary.floor_divide(_scalar_like(other, self), self)
T.__rmod__ = lambda self, other: binary.remainder(_scalar_like(other, self), self)
T.__rpow__ = lambda self, other: binary.pow(other, self)
T.__rmatmul__ = lambda self, other: matmul.matmul(other, self)
T.__invert__ = lambda self: binary.bitwise_not(self) if self.dtype._category < D._FLOAT else \
    _raise(TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors"))
T.__rand__ = lambda self, other: binary.bitwise_and(self, other)
T.__ror__ = lambda self, other: binary.bitwise_or(self, other)
T.__rxor__ = lambda self, other: binary.bitwise_xor(self, other)


def _not_ndarray(method):
    """PyTorch's reflected operators refuse NumPy arrays (``ndarray + tensor`` is a TypeError)."""
    def reflected(self, other):
        return NotImplemented if type(other) is np.ndarray else method(self, other)
    return reflected


for _n in ("__rfloordiv__", "__rmod__", "__rpow__",
           "__rmatmul__", "__rand__", "__ror__", "__rxor__"):
    setattr(T, _n, _not_ndarray(getattr(T, _n)))
T.__eq__ = lambda self, other: binary.eq(self, _array_operand(other)) if _comparable(other) \
    else NotImplemented
T.__ne__ = lambda self, other: binary.ne(self, _array_operand(other)) if _comparable(other) \
    else NotImplemented
T.__hash__ = object.__hash__


def _raise(exc):
    raise exc


def _array_operand(other):
    """``tensor == ndarray`` compares elementwise as in PyTorch: the array becomes a tensor."""
    return creation.tensor(other) if isinstance(other, (np.ndarray, list, tuple)) else other


def _comparable(other):
    return isinstance(other, (Tensor, numbers.Number, np.generic, list, tuple, np.ndarray))


# ---- in-place variants (the declared ops' ``_`` twins are bound above) -------------------
T.__imatmul__ = lambda self, other: NotImplemented  # PyTorch has no in-place matmul

for _name in rnd.INPLACE_INITIALISERS:
    setattr(T, _name, getattr(rnd, _name))


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, cast) into ``self`` in place (``Tensor.copy_``)."""
    if not isinstance(src, Tensor):
        src = creation.tensor(src, dtype=self.dtype)
    if self._rg and STATE.enabled:
        check_leaf_inplace(self)
    value = src.to(dtype=self.dtype, device=self.device) if (
        src.dtype is not self.dtype or src.device != self.device) else src
    try:
        value = value.expand(self.shape)
    except RuntimeError:
        from .ops._dims import broadcast_shapes_error
        err = broadcast_shapes_error(tuple(self.shape), tuple(src.shape))
        if err is None:
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the "
                               f"broadcast shape {list(np.broadcast_shapes(self.shape, src.shape))}"
                               ) from None
        raise err from None
    check_writable(self)
    if not (STATE.enabled and value._rg):
        self._backend().copyto(self._data, value._data if value.is_cpu == self.is_cpu
                               else _to_backend(value._data, self._backend()), casting="unsafe")
        bump_version(self)
        if self._rg and STATE.enabled and self.grad_fn is not None:
            write_inplace(self, value.detach() * 1)
        return self
    return write_inplace(self, copy_source(self, value))


_to_backend = B.to_backend


def fill_(self, value):
    """Fill with ``value`` in place."""
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.dim()} dimensions.")
        if value._rg and STATE.enabled:
            return copy_(self, value)
        value = value.item()
    if isinstance(value, complex) and not self.dtype.is_complex:
        value = value.real  # PyTorch drops the imaginary part here
    value = check_fits(value, self.dtype)  # int8.fill_(300): PyTorch's RuntimeError
    check_leaf_inplace(self)
    check_writable(self)
    if self._rg and STATE.enabled:
        return write_inplace(self, creation.full_like(self, value) + self * 0)
    self._data.fill(value)
    bump_version(self)
    return self


def zero_(self):
    """Fill with zeros in place."""
    return fill_(self, 0)


T.copy_ = copy_
T.dim_order = lambda self: tuple(dense_dim_order(self.shape, self.stride()))
_registry.register("fill_", fill_, function="method")  # Tensor.fill_ and torch.fill_(t, v)
_registry.register("zero_", zero_, function="method")


# ---- conversions --------------------------------------------------------------------------
def _parse_to(args, kwargs):
    dt = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    for a in args:
        if isinstance(a, D.dtype):
            dt = a
        elif isinstance(a, (str, device, int)) and not isinstance(a, bool):
            dev = a
        elif isinstance(a, Tensor):
            dt, dev = a.dtype, a.device
        elif a is not None and a in (float, int, bool, complex):
            dt = D.to_dtype(a)
        elif isinstance(a, (bool, float, complex)):  # PyTorch reads a number as its type
            dt = D.to_dtype(type(a))
        elif a is not None:
            raise TypeError(f"to() received an invalid combination of arguments - got "
                            f"({type(a).__name__}), but expected a dtype, device or Tensor")
    _checks.check_dtype("to", dt)
    return dt, dev, copy


def to(self, *args, **kwargs):
    """Convert dtype and/or device: ``to(dtype)``, ``to(device)``, ``to(other)`` (``Tensor.to``)."""
    dt, dev, copy = _parse_to(args, kwargs)
    t = self
    if dev is not None:
        dev = to_device(dev)
        if dev != self.device and not (dev.type == "cpu" and self.device.type == "cpu"):
            t = ToDevice.apply(t, device=dev)
    if dt is not None:
        t = pointwise.to_dtype(t, D.to_dtype(dt), copy=copy and t is self)
    elif copy and t is self:
        t = t.clone()
    return t


from .autograd.node import Op  # noqa: E402
from .ops._inplace import _cap


class ToDevice(Op):
    _name = "ToCopyBackward0"

    def forward(ctx, x, device):
        ctx.src = str(device_of(x))
        return B.transfer(x, device)

    def backward(ctx, g):
        return g.to(ctx.src)


T.to = to
T.cpu = lambda self, memory_format=None: self.to("cpu")
T.cuda = lambda self, device=None, non_blocking=False, memory_format=None: self.to(
    device if device is not None else "cuda")
T.float = lambda self, memory_format=None: self.to(D.float32)
T.double = lambda self, memory_format=None: self.to(D.float64)
T.half = lambda self, memory_format=None: self.to(D.float16)
T.bfloat16 = lambda self, memory_format=None: self.to(D.bfloat16)
T.long = lambda self, memory_format=None: self.to(D.int64)
T.int = lambda self, memory_format=None: self.to(D.int32)
T.short = lambda self, memory_format=None: self.to(D.int16)
T.char = lambda self, memory_format=None: self.to(D.int8)
T.byte = lambda self, memory_format=None: self.to(D.uint8)
T.bool = lambda self, memory_format=None: self.to(D.bool_)
T.cfloat = lambda self: self.to(D.complex64)
T.cdouble = lambda self: self.to(D.complex128)

_TYPE_NAMES = {"torch.FloatTensor": D.float32, "torch.DoubleTensor": D.float64,
               "torch.HalfTensor": D.float16, "torch.BFloat16Tensor": D.bfloat16,
               "torch.LongTensor": D.int64, "torch.IntTensor": D.int32,
               "torch.ShortTensor": D.int16, "torch.CharTensor": D.int8,
               "torch.ByteTensor": D.uint8, "torch.BoolTensor": D.bool_}
_NAME_OF = {v: k for k, v in _TYPE_NAMES.items()}


def type_(self, dtype=None, non_blocking=False, **kwargs):
    """With no argument, the type name ('torch.FloatTensor'); else a converted tensor."""
    if dtype is None:
        name = _NAME_OF.get(self.dtype, "torch.Tensor")
        return name if self.is_cpu else name.replace("torch.", "torch.cuda.")
    if isinstance(dtype, str):
        if dtype.replace(".cuda", "") not in _TYPE_NAMES:
            raise ValueError(f"invalid type: '{dtype}'")
        t = self.to(_TYPE_NAMES[dtype.replace(".cuda", "")])
        return t.cuda() if ".cuda." in dtype else t
    if isinstance(dtype, type) and hasattr(dtype, "_legacy_dtype"):
        return self.to(dtype._legacy_dtype)
    if not isinstance(dtype, (D.dtype, type)):
        raise TypeError("dtype must be a type, str, or dtype object")
    if not isinstance(dtype, D.dtype):
        raise ValueError(f"invalid type: '{dtype.__name__}'")
    return self.to(dtype)


T.type = type_
T.type_as = lambda self, other: self.to(other.dtype)


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    """A new tensor from data, with this tensor's dtype and device by default."""
    return creation.tensor(data._data if isinstance(data, Tensor) else data,
                           dtype=dtype or self.dtype, device=device or self.device,
                           requires_grad=requires_grad)


def _new_filled(fn):
    def method(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        return fn(*size, dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad)
    return method


T.new_tensor = new_tensor
T.new_zeros = _new_filled(creation.zeros)
T.new_ones = _new_filled(creation.ones)
T.new_empty = _new_filled(creation.empty)
def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value``, ``self``'s dtype and device by default
    (``Tensor.new_full``; ``size`` is one tuple/list, not varargs)."""
    if not isinstance(size, (tuple, list)) and not (isinstance(size, Tensor) and size.dim()):
        raise TypeError(f"new_full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    return creation.full(size, fill_value, dtype=dtype or self.dtype,
                         device=device or self.device, requires_grad=requires_grad)


T.new_full = _new_full


def _broadcast_to(self, *size, **kwargs):
    """``self`` broadcast to ``size`` (``Tensor.broadcast_to``; one tuple or varargs)."""
    return shape.expand(self, *size, **kwargs)


def _squeeze(self, *dims, dim=None):
    """Remove size-1 dims: all, or those in ``dim`` (an int, a tuple, or varargs)
    (``Tensor.squeeze``)."""
    if dims:
        dim = dims if len(dims) > 1 else dims[0]
    return shape.squeeze(self, dim)


T.broadcast_to = _broadcast_to
T.squeeze = _squeeze
T.new = lambda self, *args: Tensor(*args, dtype=self.dtype, device=self.device) if args else \
    creation.empty(0, dtype=self.dtype, device=self.device)


# ---- autograd ---------------------------------------------------------------------------------
def detach(self):
    """A tensor sharing data and version counter, cut from the graph (``Tensor.detach``)."""
    t = _wrap(self._data)
    t._version = self._version
    t._base = self._base
    return t


def detach_(self):
    """Cut this tensor from the graph in place."""
    if self._base is not None and self._base._rg:
        raise RuntimeError("Can't detach views in-place. Use detach() instead.")
    self.grad_fn = None
    self._rg = False
    return self


def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate gradients of this tensor into the leaves (``Tensor.backward``)."""
    _autograd_backward(self, gradient, retain_graph, create_graph, inputs=inputs)


def register_hook(self, hook):
    """hook(grad) -> None or a replacement grad, called when this tensor's grad is computed."""
    if not self._rg:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if self.grad_fn is not None:
        return self.grad_fn._add_tensor_pre_hook(self._output_nr, hook)
    if self._hooks is None:
        self._hooks = []
    self._hooks.append(hook)
    return _RemovableHandle(self._hooks, hook)


def register_post_accumulate_grad_hook(self, hook):
    """hook(tensor) called after ``.grad`` of this leaf is accumulated."""
    if self.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    if self._post_acc_hooks is None:
        self._post_acc_hooks = []
    self._post_acc_hooks.append(hook)
    return _RemovableHandle(self._post_acc_hooks, hook)


def retain_grad(self):
    """Populate ``.grad`` for this non-leaf tensor during backward."""
    if not self._rg:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if self.grad_fn is None or self._retains_grad:
        return
    ref = weakref.ref(self)

    def hook(grad):
        t = ref()
        if t is not None:
            g = grad.detach() if not STATE.enabled else grad
            t._grad = g.clone() if t._grad is None else t._grad + g
    self.grad_fn._add_tensor_pre_hook(self._output_nr, hook, retain=True)
    self._retains_grad = True


T.detach = detach
_registry.register("detach_", detach_, function="method")  # Tensor.detach_, torch.detach_(t)
T.backward = backward
T.register_hook = register_hook
T.register_post_accumulate_grad_hook = register_post_accumulate_grad_hook
T.retain_grad = retain_grad


def _clone(self, *, memory_format=None):
    return pointwise.clone(self)


T.clone = _clone


def share_memory_(self):
    """Move the data into shared memory (no-op if already there); see ember.multiprocessing."""
    # lazy: ember.multiprocessing._shared imports us (and is a higher layer)
    from .multiprocessing._shared import share_tensor_memory
    share_tensor_memory(self)
    return self


T.share_memory_ = share_memory_
T.pin_memory = lambda self, device=None: self
T.is_pinned = lambda self, device=None: False


def _apply_(self, fn):
    vec = np.vectorize(fn, otypes=[self._data.dtype])
    self._data[...] = vec(self._data)
    bump_version(self)
    return self




def _map_(self, other, fn):
    vec = np.vectorize(fn, otypes=[self._data.dtype])
    self._data[...] = vec(self._data, other._data)
    bump_version(self)
    return self


T.apply_ = _apply_
T.map_ = _map_


def _split_method(self, split_size, dim=0):
    """Tensor.split(split_size, dim=0): like ``ember.split``, with PyTorch's method keyword name."""
    return shape.split(self, split_size, dim)


T.split = _split_method
T.multinomial = rnd.multinomial  # probs.multinomial(n) as in PyTorch
T.bernoulli = rnd.bernoulli

T.resize_ = _resize.resize_  # storage resizing, in place (ops/resize.py)
T.resize_as_ = _resize.resize_as_
