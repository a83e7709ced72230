"""dtype objects and PyTorch's type-promotion rules.

A dtype wraps the NumPy dtype that stores it. bfloat16 comes from ``ml_dtypes``, imported the
first time bfloat16's NumPy dtype is needed (it costs more than NumPy itself to import).
Promotion follows PyTorch: categories bool < integer < floating < complex; among
operands, dimensioned tensors outrank 0-d tensors, which outrank Python scalars,
and a lower-priority operand only matters when its category is higher.
"""
import numpy as np

__all__ = ["dtype", "promote_types", "result_type", "get_default_dtype", "set_default_dtype",
           "can_cast"]

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type, like ``torch.float32``."""
    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_complex", "is_signed",
                 "_category", "_torch_name")

    def __init__(self, name, np_dtype, category, signed=True, itemsize=None):
        self.name = name
        if np_dtype is not None:  # None: filled in on first use (bfloat16)
            self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize if np_dtype is not None else itemsize
        self._category = category
        self.is_floating_point = category == _FLOAT
        self.is_complex = category == _COMPLEX
        self.is_signed = signed
        self._torch_name = name

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    def __getattr__(self, attr):
        # reached only while a slot is unfilled: bfloat16's NumPy dtype before first use
        if attr == "np" and self is bfloat16:
            return _load_bfloat16().np
        raise AttributeError(f"'torch.dtype' object has no attribute '{attr}'")

    def to_real(self):
        """The real counterpart of a complex dtype (itself otherwise)."""
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def to_complex(self):
        """The complex counterpart of a floating dtype."""
        return {"float64": complex128, "complex128": complex128}.get(self.name, complex64)

    @property
    def is_bool(self):
        return self._category == _BOOL


bool_ = dtype("bool", np.bool_, _BOOL, signed=False)
uint8 = dtype("uint8", np.uint8, _INT, signed=False)
int8 = dtype("int8", np.int8, _INT)
int16 = dtype("int16", np.int16, _INT)
int32 = dtype("int32", np.int32, _INT)
int64 = dtype("int64", np.int64, _INT)
float16 = dtype("float16", np.float16, _FLOAT)
bfloat16 = dtype("bfloat16", None, _FLOAT, itemsize=2)
float32 = dtype("float32", np.float32, _FLOAT)
float64 = dtype("float64", np.float64, _FLOAT)
complex64 = dtype("complex64", np.complex64, _COMPLEX)
complex128 = dtype("complex128", np.complex128, _COMPLEX)

ALL_DTYPES = (bool_, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64,
              complex64, complex128)
_BY_NAME = {d.name: d for d in ALL_DTYPES}


class _ByNumpyDtype(dict):
    """NumPy dtype -> ember dtype; a miss loads bfloat16 (arrays made with ml_dtypes directly)."""

    def __missing__(self, key):
        if bfloat16 not in self.values() and getattr(key, "kind", None) == "V":
            _load_bfloat16()
            if key in self:
                return self[key]
        raise KeyError(key)


def _load_bfloat16():
    """Import ml_dtypes and give bfloat16 its NumPy dtype (once)."""
    import ml_dtypes
    bfloat16.np = np.dtype(ml_dtypes.bfloat16)
    _BY_NP[bfloat16.np] = bfloat16
    return bfloat16


_BY_NP = _ByNumpyDtype((d.np, d) for d in ALL_DTYPES if d is not bfloat16)
# PyTorch's aliases
ALIASES = {"half": float16, "float": float32, "double": float64, "short": int16, "int": int32,
           "long": int64, "cfloat": complex64, "cdouble": complex128, "bool": bool_,
           "uint8": uint8, "int8": int8, "int16": int16, "int32": int32, "int64": int64,
           "float16": float16, "bfloat16": bfloat16, "float32": float32, "float64": float64,
           "complex64": complex64, "complex128": complex128}


def _dtype_by_name(name):
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype):
    """The ember dtype that stores NumPy dtype ``np_dtype`` (TypeError if none does)."""
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported "
                        "types are: float64, float32, float16, complex64, complex128, int64, int32, "
                        "int16, int8, uint8, and bool.") from None


def to_dtype(obj):
    """Accept an ember dtype, a Python type (float/int/bool/complex), a NumPy dtype or a name."""
    if type(obj) is dtype:
        return obj
    if obj is float:
        return float64
    if obj is int:
        return int64
    if obj is bool:
        return bool_
    if obj is complex:
        return complex128
    if isinstance(obj, str) and obj in _BY_NAME:
        return _BY_NAME[obj]
    try:
        return from_numpy_dtype(obj)
    except TypeError:
        raise TypeError(f"invalid dtype: {obj!r}") from None


# Promotion lattice within categories (PyTorch's table). uint8 with a signed int goes signed.
_INT_ORDER = (int8, int16, int32, int64)


def promote_types(type1, type2):
    """The smallest dtype both ``type1`` and ``type2`` can be cast to (``torch.promote_types``)."""
    a, b = type1, type2
    if a is b:
        return a
    ca, cb = a._category, b._category
    if ca != cb:
        hi, lo = (a, b) if ca > cb else (b, a)
        if hi.is_complex and lo.is_floating_point and lo is float64:
            return complex128
        return hi
    if ca == _INT:
        if a is uint8 or b is uint8:
            other = b if a is uint8 else a
            return int16 if other is int8 else other
        return a if _INT_ORDER.index(a) > _INT_ORDER.index(b) else b
    if ca == _FLOAT:
        if {a, b} == {float16, bfloat16}:
            return float32
        return a if a.itemsize > b.itemsize else b
    if ca == _COMPLEX:
        return a if a.itemsize > b.itemsize else b
    return a


_default_dtype = [float32]


def get_default_dtype():
    """The default floating dtype (``torch.get_default_dtype``), float32 unless changed."""
    return _default_dtype[0]


def set_default_dtype(d):
    """Set the default floating dtype (``torch.set_default_dtype``); float16/32/64 or bfloat16."""
    if not isinstance(d, dtype):
        raise TypeError(f"invalid dtype object: only floating-point types are supported as the "
                        f"default type, got {getattr(d, '__name__', type(d).__name__)}")
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_dtype[0] = d


def default_complex():
    return complex128 if _default_dtype[0] is float64 else complex64


def scalar_dtype(value):
    """The dtype a Python scalar gets as a tensor of its own (``torch.tensor(value).dtype``)."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return _default_dtype[0]
    if isinstance(value, complex):
        return default_complex()
    if isinstance(value, np.generic):  # NumPy scalars count as Python scalars, like in PyTorch
        return scalar_dtype(value.item())
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def _combine(higher, lower):
    """Let a lower-priority operand class raise the result only when its category is higher."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        return higher.to_complex() if higher.is_floating_point else lower
    if higher.is_floating_point:
        return higher
    if higher is bool_ or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def _promote_opt(a, b):
    return b if a is None else promote_types(a, b)


def result_type(*operands):
    """PyTorch's result dtype for an op over tensors and Python scalars (``torch.result_type``)."""
    from ._tensor import Tensor  # lazy: ember._tensor imports us
    dim_result = zero_result = scalar_result = None
    for x in operands:
        if isinstance(x, Tensor):
            if x._data.ndim:
                dim_result = _promote_opt(dim_result, x.dtype)
            else:
                zero_result = _promote_opt(zero_result, x.dtype)
        elif x is None:
            continue
        else:
            d = scalar_dtype(x)
            if d.is_floating_point:
                d = _default_dtype[0]
            scalar_result = _promote_opt(scalar_result, d)
    return _combine(dim_result, _combine(zero_result, scalar_result))


def can_cast(from_, to):
    """Whether PyTorch's casting rules allow ``from_`` into ``to`` for in-place/out= ops."""
    return from_._category <= to._category
