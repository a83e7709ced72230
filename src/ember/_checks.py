"""Argument checks shared by the public API: PyTorch's exception types and message shapes.

One checker per kind of argument (an int, a list of ints, a size, a dtype, a bool, a
probability, a sequence of tensors, an int64 scalar, an allocation), called at the top of
public functions and constructors so bad input is refused before any work, never answered
silently.
"""
import math
import numbers
import os

import numpy as np

from . import _dtype as D

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _int_of_tensor(value):
    """The int a 0-d integer tensor stands for, else None."""
    from ._tensor import Tensor  # lazy: ember._tensor imports us
    if isinstance(value, Tensor) and value.dim() == 0 and not value.dtype.is_floating_point \
            and not value.dtype.is_complex and value.dtype is not D.bool_:
        return int(value.item())
    return None


def _type_name(value):
    return type(value).__name__


def _where(fn, name, pos):
    return (f"{fn}(): " if fn else "") + f"argument '{name}'" + \
        (f" (position {pos})" if pos else "")


def check_int(fn, value, name, pos=None):
    """``value`` as a Python int for an ``int`` parameter: TypeError for bools, floats,
    strings...; ValueError when it does not fit in int64 (PyTorch's 'Overflow when unpacking
    long long')."""
    as_tensor = _int_of_tensor(value)
    if as_tensor is not None:
        value = as_tensor
    if not _is_int(value):
        raise TypeError(f"{_where(fn, name, pos)} must be int, not {_type_name(value)}")
    value = int(value)
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"{_where(fn, name, pos)}: Overflow when unpacking long long "
                         f"(got {value})")
    return value


def check_int_list(fn, value, name, pos=None, length=None):
    """An int or a sequence of ints for an ``int[N]`` parameter (kernel_size, stride,
    padding...), as a tuple (an int is repeated ``length`` times when given). TypeError for
    bools, floats, strings or overflowing elements."""
    if _is_int(value) or _int_of_tensor(value) is not None:
        v = int(value)
        if not INT64_MIN <= v <= INT64_MAX:  # PyTorch reads a lone int as one long
            raise ValueError(f"{_where(fn, name, pos)}: Overflow when unpacking long long "
                             f"(got {v})")
        return (v,) * length if length else (v,)
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{_where(fn, name, pos)} must be tuple of ints, not "
                        f"{_type_name(value)}")
    out = []
    for i, v in enumerate(value):
        as_tensor = _int_of_tensor(v)
        if as_tensor is not None:
            v = as_tensor
        if not _is_int(v):
            raise TypeError(f"{_where(fn, name, pos)} failed to unpack the object at pos "
                            f"{i + 1} with error \"type must be tuple of ints,but got "
                            f"{_type_name(v)}\"")
        v = int(v)
        if not INT64_MIN <= v <= INT64_MAX:
            raise TypeError(f"{_where(fn, name, pos)} failed to unpack the object at pos "
                            f"{i + 1} with error \"Overflow when unpacking long long\"")
        out.append(v)
    return tuple(out)


def check_size(fn, size, name="size"):
    """The shape a factory was given as ``*size`` or one sequence: a tuple of ints that fit in
    int64. A tensor standing for the whole size is refused with TypeError, as PyTorch does for
    non-integer tensors."""
    from ._tensor import Tensor  # lazy: ember._tensor imports us
    if len(size) == 1 and not _is_int(size[0]):
        only = size[0]
        if isinstance(only, bool):
            raise TypeError(f"{fn}(): argument '{name}' (position 1) must be tuple of ints, "
                            "not bool")
        if isinstance(only, Tensor) and _int_of_tensor(only) is None:
            raise TypeError(f"{fn}(): argument '{name}' (position 1) must be tuple of ints, "
                            f"not {_type_name(only)}")
        if isinstance(only, (tuple, list)):
            size = tuple(only)
    out = []
    for i, v in enumerate(size):
        as_tensor = _int_of_tensor(v)
        if as_tensor is not None:
            v = as_tensor
        if isinstance(v, Tensor):
            raise TypeError(f"{fn}(): argument '{name}' (position 1) must be tuple of ints, "
                            f"but found element of type Tensor at pos {i}")
        if not _is_int(v) and not (isinstance(v, bool) and i):  # PyTorch reads a later bool
            raise TypeError(f"{fn}(): argument '{name}' failed to unpack the object at pos "
                            f"{i + 1} with error \"type must be tuple of ints,but got "
                            f"{_type_name(v)}\"")
        v = int(v)
        if not INT64_MIN <= v <= INT64_MAX:
            raise TypeError(f"{fn}(): argument '{name}' failed to unpack the object at pos "
                            f"{i + 1} with error \"Overflow when unpacking long long\"")
        out.append(v)
    return tuple(out)


def check_numel(shape, itemsize=1):
    """RuntimeError when ``shape``'s element count (times ``itemsize`` bytes) overflows int64
    (PyTorch's 'Storage size calculation overflowed')."""
    n = math.prod(max(s, 0) for s in shape)
    if n * itemsize > INT64_MAX:
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)}")
    return n


def check_alloc(nbytes):
    """RuntimeError (PyTorch's allocator error) for an allocation larger than this machine's
    physical memory, which could never succeed; refused before any work starts."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return
    if nbytes > total:
        raise RuntimeError(f"DefaultCPUAllocator: can't allocate memory: you tried to allocate "
                           f"{nbytes} bytes.")


def check_dtype(fn, dtype, name="dtype"):
    """``dtype`` must be None, an Ember dtype (``torch.dtype``) or one of the Python types
    PyTorch maps to one (float, int, bool, complex): TypeError otherwise (strings and NumPy
    dtypes are refused, as PyTorch does)."""
    if dtype is not None and not isinstance(dtype, D.dtype) and \
            dtype not in (float, int, bool, complex):
        raise TypeError(f"{fn}(): argument '{name}' must be torch.dtype, not "
                        f"{_type_name(dtype)}")
    return dtype


def check_bool(fn, value, name, pos=None):
    """``value`` must be a bool (or a one-element bool tensor): TypeError otherwise."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{_where(fn, name, pos)} must be bool, not {_type_name(value)}")


def check_probability(p, what="dropout probability"):
    """``p`` must be a number in [0, 1]: ValueError outside it, RuntimeError for NaN (both as
    PyTorch's dropout family)."""
    from ._tensor import Tensor  # lazy: ember._tensor imports us
    if isinstance(p, Tensor) and p.numel() == 1:  # compared as a number, as PyTorch does
        p = p.item()
    if not isinstance(p, numbers.Real):
        raise TypeError(f"{what} must be a number, not {_type_name(p)}")
    if p < 0.0 or p > 1.0:
        raise ValueError(f"{what} has to be between 0 and 1, but got {p}")
    if p != p:
        raise RuntimeError(f"{what} has to be between 0 and 1, but got {p}")
    return float(p)


def check_tensor_sequence(fn, tensors, name="tensors", pos=1):
    """``tensors`` must be a tuple or list of tensors (``cat``/``stack``): TypeError for a
    tensor, a number or any other object."""
    from ._tensor import Tensor  # lazy: ember._tensor imports us
    if isinstance(tensors, Tensor) or not isinstance(tensors, (tuple, list)):
        if isinstance(tensors, (str, bytes, Tensor)) or not hasattr(tensors, "__iter__"):
            raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be tuple of "
                            f"Tensors, not {_type_name(tensors)}")
        tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be tuple of "
                            f"Tensors, but found element of type {_type_name(t)} at pos {i}")
    return tensors


def int_dtype_range(dtype):
    """(min, max) representable in an integer or bool dtype, else None."""
    if dtype is D.bool_ or dtype.is_floating_point or dtype.is_complex:
        return None
    info = np.iinfo(dtype.np)
    return int(info.min), int(info.max)


_C_NAMES = {"int64": "int64_t", "int32": "int", "int16": "int16_t", "int8": "int8_t",
            "uint8": "uint8_t", "uint16": "uint16_t", "uint32": "uint32_t",
            "uint64": "uint64_t", "float32": "float", "float64": "double",
            "float16": "c10::Half", "bfloat16": "c10::BFloat16", "bool": "bool"}


def check_fits(value, dtype):
    """RuntimeError when the Python number ``value`` cannot be converted to the integer dtype
    ``dtype`` (NaN, inf, or out of range), as PyTorch's scalar conversion raises."""
    if dtype is None:
        return value
    if isinstance(value, complex) and not isinstance(value, numbers.Real) and value.imag \
            and not dtype.is_complex:  # a complex number with an imaginary part to a real type
        raise RuntimeError(f"value cannot be converted to type "
                           f"{_C_NAMES.get(dtype.name, dtype.name)} without overflow")
    bounds = int_dtype_range(dtype)
    if bounds is None or isinstance(value, bool) or not isinstance(value, numbers.Number):
        return value
    if isinstance(value, complex):
        value = value.real
    if dtype is D.uint8:  # PyTorch lets negative numbers down to -255 wrap into uint8
        bounds = (-bounds[1], bounds[1])
    ok = math.isfinite(value) and bounds[0] <= value <= bounds[1] if isinstance(value, float) \
        else bounds[0] <= value <= bounds[1]
    if not ok:
        cname = _C_NAMES.get(dtype.name, dtype.name)
        if isinstance(value, int):
            _check_python_int(value, cname)
        raise RuntimeError(f"value cannot be converted to type {cname} without overflow")
    if dtype is D.uint8 and value < 0:
        return int(value) % 256 if isinstance(value, int) else value
    return value


def check_scalar_int(v):
    """A Python int read as a Scalar (or a double) must fit in 64 bits, signed or unsigned:
    OverflowError otherwise, with PyTorch's messages."""
    if v > UINT64_MAX:
        raise OverflowError("int too big to convert")
    if v < INT64_MIN:
        raise OverflowError("can't convert negative int to unsigned")
    return v


def _check_python_int(v, cname="int64_t"):
    """Integers past 64 bits cannot even be read (OverflowError); past the target type's
    range they cannot be converted (RuntimeError), as PyTorch's scalar unpacking."""
    if not INT64_MIN <= v <= (1 << 64) - 1:
        raise OverflowError("int too big to convert")
    raise RuntimeError(f"value cannot be converted to type {cname} without overflow")


def check_range_args(start, end, step):
    """``arange``'s bounds: RuntimeError for NaN/inf bounds or a NaN step, and for values
    or lengths past int64 (OverflowError past 64 bits), as PyTorch."""
    nums = [v for v in (start, end, step) if isinstance(v, numbers.Real)
            and not isinstance(v, bool)]
    for v in nums:
        if _is_int(v) and not INT64_MIN <= v <= INT64_MAX:
            _check_python_int(int(v))
    for v in (start, end, step):
        if isinstance(v, complex) and not isinstance(v, numbers.Real):
            raise RuntimeError("value cannot be converted to type double without overflow")
    if isinstance(step, float) and step != step:
        raise RuntimeError("step must be nonzero")
    if any(isinstance(v, float) and not math.isfinite(v) for v in (start, end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if len(nums) == 3 and step and abs((end - start) / step) > INT64_MAX:
        raise RuntimeError("value cannot be converted to type int64_t without overflow")


def check_strided_geometry(size, stride):
    """``as_strided``'s size and stride: ints, same length, no negative stride (RuntimeError
    as PyTorch, which does not support them) and no negative size."""
    size = check_int_list("as_strided", size, "size", 2)
    stride = check_int_list("as_strided", stride, "stride", 3)
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    if any(n < 0 for n in size):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and "
                           f"strides={list(stride)}")
    return size, stride


def check_index_source(fn, input, dim, index, source):
    """``index_add_``'s operands, in PyTorch's order: a 0/1-d integer index, ``dim`` inside
    ``source``, as many indices as ``source`` has along ``dim``, the same dtype, and
    ``source`` shaped like ``input`` elsewhere."""
    from .ops._inplace import _cap
    if index.dim() > 1:
        raise IndexError(f"{fn}(): Index is supposed to be a vector")
    if index.dtype not in (D.int64, D.int32):
        raise RuntimeError(f"{fn}(): Expected dtype int32/int64 for index but got: "
                           f"{_cap(index.dtype)}")
    if source.dim() > 0 or input.dim() > 0:
        if dim >= max(source.dim(), 1) or (source.dim() == 0 and dim > 0):
            raise RuntimeError(f"{fn}(): Indexing dim {dim} is out of bounds of the source "
                               f"tensor with dim {source.dim()}")
    n = index.numel()
    src_dim = source.shape[dim] if source.dim() > 0 else 1
    if n != src_dim:
        raise RuntimeError(f"{fn}(): Number of indices ({n}) should be equal to "
                           f"source.size(dim): ({src_dim}), for dim: {dim}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"{fn}(): self ({_cap(input.dtype)}) and source "
                           f"({_cap(source.dtype)}) must have the same scalar type")
    if source.dim() > 0 and (source.dim() != input.dim() or any(
            a != b for i, (a, b) in enumerate(zip(input.shape, source.shape)) if i != dim)):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(input.shape)} "
                           f"source.shape = {list(source.shape)}")


def check_adaptive_output(fn, out_shape, itemsize):
    """An adaptive pool's output shape: no negative size (RuntimeError naming them), and an
    element count that neither overflows int64 nor exceeds the machine's memory (PyTorch
    fails the allocation; a loop over such a size would never end)."""
    osz = out_shape[2:]
    if any(o < 0 for o in osz):
        raise RuntimeError(f"{fn}: elements of output_size must be greater than or equal to 0 "
                           f"but received {{{', '.join(str(o) for o in osz)}}}")
    n = math.prod(out_shape)
    if n > INT64_MAX:
        raise RuntimeError("numel: integer multiplication overflow")
    check_numel(out_shape, itemsize)
    check_alloc(n * itemsize)


def check_module_int(value, name):
    """A module constructor's size argument (``input_size``...): TypeError unless an int,
    ValueError unless positive, with PyTorch's RNN messages."""
    if not isinstance(value, int):
        raise TypeError(f"{name} should be of type int, got: {_type_name(value)}")
    if value <= 0:
        raise ValueError(f"{name} must be greater than zero")
    return value


def check_module_bool(value, name):
    """A module constructor's flag (``bias``, ``batch_first``...): TypeError unless a bool."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} should be of type bool, got: {_type_name(value)}")
    return value


def check_uniform_bounds(a, b, dtype):
    """``uniform_``'s bounds: finite, ``a <= b`` and a range the dtype can hold (RuntimeError
    as PyTorch)."""
    big = float(np.finfo(dtype.np).max) if dtype.is_floating_point else math.inf
    for v, name in ((a, "from"), (b, "to")):
        if not -big <= v <= big:
            raise RuntimeError(f"{name} is out of bounds for {dtype.name.replace('32', '')}")
    if not a <= b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={a} > to={b}")
    if b - a > big:
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<{dtype.name}>"
                           f"::max(), but found to={b} and from={a} which result in to-from "
                           f"to exceed the limit")


def check_window(what, values, name):
    """Kernel sizes, strides and dilations must be positive (RuntimeError naming them, as
    PyTorch's im2col)."""
    if any(v <= 0 for v in values):
        dims = " ".join(f"{name}_{a}: {v}" for a, v in zip(("height", "width", "depth"), values))
        raise RuntimeError(f"{what} should be greater than zero, but got {dims}")


def check_adaptive_size(fn, output_size, input_dim, nd, kind="avg"):
    """An adaptive pool's ``output_size`` sequence: ``nd`` entries (RuntimeError as PyTorch's
    kernels), and for 2-d/3-d pools fewer entries than the input has dims (ValueError, as
    PyTorch's Python wrapper, which checks first)."""
    if not isinstance(output_size, (tuple, list)):
        return
    n = len(output_size)
    if nd > 1 and input_dim <= n:
        raise ValueError(f"Input dimension should be at least {n + 1}")
    if n != nd:
        if nd == 1:
            raise RuntimeError(f"{fn}() argument 'output_size' should contain one int (got "
                               f"{n})")
        if kind == "max":
            raise RuntimeError(f"{fn}(): internal error: output_size.size() must be {nd}")
        raise RuntimeError(f"{fn}: output_size must be {nd}")


def check_param_dtypes(input, *params):
    """A normalisation's parameters and statistics have the input's dtype (float32 ones are
    allowed with half/bfloat16 input): RuntimeError otherwise, as PyTorch's CPU kernels."""
    for p in params:
        if p is None or p.dtype is input.dtype:
            continue
        if p.dtype is D.float32 and input.dtype in (D.float16, D.bfloat16):
            continue
        from .ops._inplace import _cap
        raise RuntimeError(f"mixed dtype (CPU): expect parameter to have scalar type of "
                           f"{_cap(input.dtype)}")


def check_nonempty_tensors(fn, tensors):
    """``hstack``/``vstack``... need at least one tensor (RuntimeError as PyTorch)."""
    if isinstance(tensors, (tuple, list)) and not tensors:
        raise RuntimeError(f"{fn} expects a non-empty TensorList")


def check_float_kernel(kernel, dtype):
    """A ``dtype=`` asked of a kernel that exists only for floating types (softmax...):
    NotImplementedError naming the kernel, as PyTorch."""
    if dtype is None:
        return
    dt = D.to_dtype(dtype)
    if not (dt.is_floating_point or dt.is_complex):
        from .ops._inplace import _cap
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_cap(dt)}'")


def check_not_tensor_tuple(values):
    """Module constructors read ``kernel_size``/``stride``... with PyTorch's ``_pair``, which
    iterates its argument: a 0-d tensor is a TypeError there."""
    from ._tensor import Tensor  # lazy: ember._tensor imports us
    for v in values:
        if isinstance(v, Tensor) and v.dim() == 0:
            raise TypeError("iteration over a 0-d tensor")
