"""Tensor creation: from data, filled, ranges, and the ``*_like`` forms."""
import math
import numbers
import warnings


from .. import _backend as B, _checks, _dtype as D
from .._device import to_device, backend_for, CPU
from .._tensor import Tensor, _wrap
from .._backend.quiet import quiet
from ._registry import register
from ._dims import empty_like_layout


_range = range


def _infer_dtype(data):
    """PyTorch's dtype for nested Python data: bool < int64 < default float < complex."""
    if isinstance(data, Tensor):
        return data.dtype
    if isinstance(data, B.HOST_ARRAY):
        return D.from_numpy_dtype(data.dtype)
    if isinstance(data, B.HOST_SCALAR):
        return D.from_numpy_dtype(data.dtype)
    if isinstance(data, bool):
        return D.bool_
    if isinstance(data, numbers.Integral):
        return D.int64
    if isinstance(data, numbers.Real):
        return D.get_default_dtype()
    if isinstance(data, numbers.Complex):
        return D.default_complex()
    if isinstance(data, (list, tuple)):
        best = None
        for item in data:
            d = _infer_dtype(item)
            best = d if best is None else (best if best is d else _promote_data(best, d))
        return best or D.get_default_dtype()
    if isinstance(data, str):  # a str off the first-element chain (see tensor())
        raise TypeError("new(): invalid data type 'str'")
    raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")


def _promote_data(a, b):
    cat = max(a._category, b._category)
    if cat == D._COMPLEX:
        return D.default_complex() if not (a is D.complex128 or b is D.complex128) else D.complex128
    if cat == D._FLOAT:
        floats = [d for d in (a, b) if d._category == D._FLOAT]
        if len(floats) == 2:
            return D.promote_types(a, b)
        return floats[0]
    return D.promote_types(a, b)


@quiet  # values that overflow the dtype become inf silently, as in PyTorch
def _to_array(data, dtype, xp):
    """Nested data (lists of numbers or tensors, arrays) as a fresh array of ``dtype``."""
    if isinstance(data, Tensor):  # copied across devices when it lives elsewhere
        return xp.array(B.to_backend(data._data, xp), dtype=dtype.np)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
        if any(isinstance(x, Tensor) and x._data.size != 1 for x in data):
            raise ValueError("only one element tensors can be converted to Python scalars")
        return xp.stack([_to_array(x, dtype, xp) for x in data]) if data else \
            xp.zeros((0,), dtype.np)
    if isinstance(data, (list, tuple)):
        _check_ragged(data)
    if dtype is D.bfloat16:
        return xp.asarray(B.host_array(data, D.float32.np).astype(dtype.np))
    try:
        if xp is not B.HOST_MODULE and isinstance(data, (list, tuple)):  # built on the host:
            # they may hold cuda scalars (read with an explicit copy, as PyTorch's item())
            return xp.asarray(B.host_array(data, dtype.np))
        return xp.array(data, dtype=dtype.np)
    except OverflowError:
        if not dtype.is_floating_point and not dtype.is_complex and _has_long_overflow(data):
            # PyTorch reads a Python int into an integer tensor as one long long first
            raise ValueError("Overflow when unpacking long long") from None
        raise RuntimeError(f"value cannot be converted to type {dtype.name} without "
                           f"overflow") from None


def _has_long_overflow(data):
    """Whether nested ``data`` holds a Python int outside int64."""
    if isinstance(data, (list, tuple)):
        return any(_has_long_overflow(x) for x in data)
    return isinstance(data, int) and not isinstance(data, bool) and \
        not _checks.INT64_MIN <= data <= _checks.INT64_MAX


def _check_ragged(data):
    if data and isinstance(data[0], (list, tuple)):
        n = len(data[0])
        for i, row in enumerate(data):
            if not isinstance(row, (list, tuple)) or len(row) != n:
                got = len(row) if isinstance(row, (list, tuple)) else "scalar"
                raise ValueError(f"expected sequence of length {n} at dim 1 (got {got})")


def _array_from_data(data, dtype, device):
    return _to_array(data, dtype, backend_for(to_device(device)))


def _empty_array(shape, dtype, device):
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(shape)}")
    return backend_for(to_device(device)).empty(shape, dtype=dtype.np)


def _finish(arr, requires_grad):
    t = _wrap(arr)
    if requires_grad:
        if not (t.dtype.is_floating_point or t.dtype.is_complex):
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        t.requires_grad = True
    return t


def _np_float_dtype(data):
    return isinstance(data, B.HOST_ARRAY) or isinstance(data, B.HOST_SCALAR)


@register(method=False)
def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor copying ``data`` (nested lists, numbers, arrays); dtype inferred as PyTorch."""
    _checks.check_dtype("tensor", dtype)
    if isinstance(data, str):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    first = data  # PyTorch reads the shape down the first elements: a str there is a dim
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
        if isinstance(first, str):
            raise ValueError("too many dimensions 'str'")
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    dt = D.to_dtype(dtype) if dtype is not None else _infer_dtype(data)
    if device is None and isinstance(data, Tensor):
        device = data.device
    arr = _array_from_data(data, dt, device)
    return _finish(arr, requires_grad)


@register(method=False)
def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with Tensors and NumPy arrays when it can."""
    dt = D.to_dtype(dtype) if dtype is not None else None
    if isinstance(data, Tensor):
        t = data if dt is None else data.to(dt)
        return t if device is None else t.to(device)
    if isinstance(data, B.HOST_ARRAY) and (device is None or to_device(device) == CPU):
        t = from_numpy(data)
        return t if dt is None else t.to(dt)
    return tensor(data, dtype=dt, device=device)


@register(method=False)
def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """``torch.asarray``: share memory when possible unless copy=True."""
    if copy:
        t = tensor(obj, dtype=dtype, device=device) if not isinstance(obj, Tensor) else \
            obj.detach().clone().to(dtype or obj.dtype)
    else:
        t = as_tensor(obj, dtype=dtype, device=device)
    if requires_grad:
        t.requires_grad_(True)
    return t


@register(method=False)
def from_numpy(ndarray):
    """A tensor sharing memory with a NumPy array (``torch.from_numpy``)."""
    if not isinstance(ndarray, B.HOST_ARRAY):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().) ")
    if not ndarray.dtype.isnative:
        ndarray = ndarray.astype(ndarray.dtype.newbyteorder("="))
    return _wrap(ndarray)


@register(method=False)
def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-d tensor over a Python buffer, sharing its memory."""
    arr = B.host_frombuffer(buffer, D.to_dtype(dtype).np, count, offset)
    return _finish(arr, requires_grad)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, B.INTEGER_TYPES) or isinstance(s, bool):
            raise TypeError(f"zeros(): argument 'size' must be tuple of ints, but found element "
                            f"of type {type(s).__name__} at pos {len(out)}")
        out.append(int(s))
    return tuple(out)


def _filled(size, fill, dtype, device, requires_grad):
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    shape = _size(size)
    xp = backend_for(to_device(device))
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(shape)}")
    _checks.check_alloc(_checks.check_numel(shape, dt.itemsize) * dt.itemsize)
    if fill == 0:
        arr = xp.zeros(shape, dtype=dt.np)
    elif fill is None:
        arr = xp.empty(shape, dtype=dt.np)
    else:
        arr = _full(xp, shape, fill, dt.np)
    return _finish(arr, requires_grad)


@quiet  # a fill value that overflows the dtype becomes inf silently, as in PyTorch
def _full(xp, shape, fill, np_dtype):
    return xp.full(shape, fill, dtype=np_dtype)


@register(method=False)
def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    """A tensor of zeros of shape ``size`` (``torch.zeros``)."""
    size = (_checks.check_size("zeros", size),)
    _checks.check_dtype("zeros", dtype)
    if any(isinstance(s, int) and s < 0 for s in (size[0] if len(size) == 1 and
                                                  isinstance(size[0], (tuple, list)) else size)):
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    return _out(_filled(size, 0, dtype, device, requires_grad), out)


@register(method=False)
def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, memory_format=None):
    """A tensor of ones of shape ``size`` (``torch.ones``)."""
    size = (_checks.check_size("ones", size),)
    _checks.check_dtype("ones", dtype)
    return _out(_filled(size, 1, dtype, device, requires_grad), out)


@register(method=False)
def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    """An uninitialised tensor of shape ``size`` (``torch.empty``)."""
    size = (_checks.check_size("empty", size),)
    _checks.check_dtype("empty", dtype)
    return _out(_filled(size, None, dtype, device, requires_grad), out)


@register(method=False)
def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False):
    """An uninitialised tensor (strides are not honoured: always contiguous)."""
    if len(size) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(size)}) must match dimensionality of "
                           f"strides ({len(stride)})")
    if any(s < 0 for s in stride) or any(n < 0 for n in size):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and "
                           f"strides={list(stride)}")
    return empty(tuple(size), dtype=dtype, device=device, requires_grad=requires_grad)


@register(method=False)
def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    """A tensor of shape ``size`` filled with ``fill_value``; dtype inferred from the value."""
    size = _checks.check_size("full", (size,))
    _checks.check_dtype("full", dtype)
    if dtype is None:
        dtype = D.scalar_dtype(fill_value) if not isinstance(fill_value, Tensor) else \
            fill_value.dtype
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    fill_value = _checks.check_fits(fill_value, D.to_dtype(dtype))
    return _out(_filled((tuple(size),), fill_value, dtype, device, requires_grad), out)


def _out(result, out):
    """Factory functions with ``out=`` take the out tensor's dtype (like PyTorch)."""
    if out is None:
        return result
    from ._inplace import handle_out  # lazy: import cycle (at the top it leaves ops._operands half-initialised)
    return handle_out(result if result.dtype is out.dtype else result.to(out.dtype), out)


@register(method=False)
def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    """A 0-d tensor holding ``s`` in the default dtype."""
    return full((), s, dtype=dtype or D.get_default_dtype(), device=device,
                requires_grad=requires_grad)


@register(method=False)
def eye(n, m=None, *, out=None, dtype=None, device=None, requires_grad=False):
    """A 2-d tensor with ones on the diagonal (``torch.eye``)."""
    n = _checks.check_int("eye", n, "n", 1)
    m = None if m is None else _checks.check_int("eye", m, "m", 2)
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    xp = backend_for(to_device(device))
    return _out(_finish(xp.eye(n, m, dtype=dt.np), requires_grad), out)


@register(method=False)
def arange(start=0, end=None, step=1, *, out=None, dtype=None, device=None, requires_grad=False):
    """Values from start (inclusive) to end (exclusive) by step (``torch.arange``)."""
    _checks.check_dtype("arange", dtype)
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    _checks.check_range_args(start, end, step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if out is not None:
        _refuse_range_dtype("arange", out.dtype)
    if dtype is not None:
        _refuse_range_dtype("arange", D.to_dtype(dtype))
        if D.to_dtype(dtype) is D.int64 and isinstance(step, float) and int(step) == 0:
            raise ValueError("step must be nonzero")
    if dtype is None:
        is_int = all(isinstance(v, B.INTEGER_TYPES) for v in vals)  # bools count as ints
        dt = D.int64 if is_int else D.get_default_dtype()
    else:
        dt = D.to_dtype(dtype)
    n = max(int(math.ceil((end - start) / step)), 0)
    _checks.check_alloc(n * dt.itemsize)
    xp = backend_for(to_device(device))
    if dt._category >= D._FLOAT:
        arr = (start + xp.arange(n, dtype=D.float64.np) * step).astype(dt.np)
    else:
        arr = xp.arange(start, start + n * step, step, dtype=D.int64.np)[:n].astype(dt.np)
    return _out(_finish(arr, requires_grad), out)


@register(method=False)
def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated inclusive range: start to end *inclusive* (``torch.range``)."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because its "
                  "behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning, stacklevel=2)
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    xp = backend_for(to_device(device))
    return _finish((start + xp.arange(n, dtype=D.float64.np) * step).astype(dt.np), requires_grad)


@register(method=False)
def linspace(start, end, steps, *, out=None, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from start to end inclusive (``torch.linspace``)."""
    steps = _checks.check_int("linspace", steps, "steps", 3)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _range_dtype("linspace", start, end, dtype)
    xp = backend_for(to_device(device))
    start = start.item() if isinstance(start, Tensor) else start
    end = end.item() if isinstance(end, Tensor) else end
    # PyTorch fills the first half from start and the second half from end
    i = xp.arange(steps, dtype=D.float64.np)
    step = (end - start) / (steps - 1) if steps > 1 else 0.0
    half = steps // 2
    arr = xp.where(i < half, start + step * i, end - step * (steps - 1 - i))
    if steps == 1:
        arr[0] = start
    if dt._category < D._FLOAT:
        arr = xp.trunc(arr)
    return _out(_finish(arr.astype(dt.np), requires_grad), out)


@register(method=False)
def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, device=None,
             requires_grad=False):
    """``steps`` values from base**start to base**end, log-spaced (``torch.logspace``)."""
    dt = _range_dtype("logspace", start, end, dtype)
    lin = linspace(start, end, steps, dtype=D.complex128 if dt.is_complex else D.float64,
                   device=device)
    arr = (base ** lin._data).astype(dt.np)
    return _out(_finish(arr, requires_grad), out)


def _range_dtype(name, start, end, dtype):
    """``linspace``/``logspace``'s result dtype: the default float dtype, or the default
    complex one when a bound is complex; a complex bound with a real ``dtype`` is a
    RuntimeError, as PyTorch's."""
    cplx = any((isinstance(v, Tensor) and v.dtype.is_complex) or
               (isinstance(v, numbers.Complex) and not isinstance(v, numbers.Real))
               for v in (start, end))
    if dtype is None:
        dt = D.default_complex() if cplx else D.get_default_dtype()
    else:
        dt = D.to_dtype(dtype)
        if cplx and not dt.is_complex:
            from ._inplace import _cap
            inferred = "double" if D.default_complex() is D.complex128 else "float"
            raise RuntimeError(f"torch.{name}(): inferred dtype c10::complex<{inferred}> can't "
                               f"be safely cast to passed dtype {_cap(dt)}")
    _refuse_range_dtype(name, dt)
    return dt


def _refuse_range_dtype(name, dt):
    if dt is D.bool_ or (dt.is_complex and name == "arange"):
        from ._inplace import _cap  # lazy: import cycle (at the top it leaves ops._operands half-initialised)
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_cap(dt)}'")


def _like(input, fill, dtype, device, requires_grad):
    dt = D.to_dtype(dtype) if dtype is not None else input.dtype
    x = input._data
    if x.flags.c_contiguous or (device is not None and to_device(device) != input.device):
        dev = device if device is not None else input.device
        return _filled((tuple(input.shape),), fill, dt, dev, requires_grad)
    # PyTorch's preserve_format: a permuted input gives a result with the same strides
    arr = empty_like_layout(input._backend(), x, dt.np)
    if fill is not None:
        arr.fill(fill)
    return _finish(arr, requires_grad)


@register(method=False)
def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """Zeros with the shape (and by default dtype and device) of ``input``."""
    return _like(input, 0, dtype, device, requires_grad)


@register(method=False)
def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """Ones with the shape (and by default dtype and device) of ``input``."""
    return _like(input, 1, dtype, device, requires_grad)


@register(method=False)
def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """Uninitialised, with the shape of ``input``."""
    return _like(input, None, dtype, device, requires_grad)


@register(method=False)
def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """Filled with ``fill_value``, with the shape of ``input``."""
    _checks.check_fits(fill_value, D.to_dtype(dtype) if dtype is not None else input.dtype)
    return _like(input, fill_value, dtype, device, requires_grad)


@register(method=False)
def atleast_1d(*tensors):
    """Views with at least one dim."""
    return _atleast(tensors, 1)


@register(method=False)
def atleast_2d(*tensors):
    """Views with at least two dims."""
    return _atleast(tensors, 2)


@register(method=False)
def atleast_3d(*tensors):
    """Views with at least three dims."""
    return _atleast(tensors, 3)


def _atleast(tensors, n):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(_atleast(tuple(tensors[0]), n))
    out = []
    for t in tensors:
        nd = t.dim()
        if nd >= n:
            out.append(t)
        elif n == 3 and nd == 2:
            out.append(t.unsqueeze(-1))
        elif n == 3 and nd == 1:
            out.append(t.reshape(1, -1, 1))
        else:
            out.append(t.reshape((1,) * (n - nd) + tuple(t.shape)))
    return out[0] if len(out) == 1 else tuple(out)


@register(method=False)
def complex(real, imag, *, out=None):
    """A complex tensor from real and imaginary parts."""
    dt = D.complex128 if real.dtype is D.float64 else D.complex64
    return _out(real.to(dt) + imag.to(dt) * 1j, out)


@register(method=False)
def polar(abs, angle, *, out=None):
    """abs * (cos(angle) + i sin(angle))."""
    return complex(abs * angle.cos(), abs * angle.sin(), out=out)
