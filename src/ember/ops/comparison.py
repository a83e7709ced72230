"""Comparisons, logical and bitwise ops, isclose/allclose/equal: elementwise, not differentiable.

The names are also exported from ``binary.py`` (and so bound as Tensor methods from there).
"""
from .._backend.quiet import QUIET, quiet_on, quiet_off
from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ._operands import promote, scalar_tensor, to_tensor, dtype_of, tensors_only as _tensors_only
from ._inplace import handle_out, _cap
from ._dims import check_broadcast
from ._registry import register

_C = D._COMPLEX


def _compare(ufunc):
    def fn(input, other, *, out=None):
        if out is None and type(input) is Tensor:  # fast paths: nothing to promote
            x, tb = input._data, type(other)
            if (tb is Tensor and x.dtype is other._data.dtype and type(x) is type(other._data)
                    and x.dtype.kind != "c") or ((tb is float or (
                        tb is int and -(1 << 63) <= other < (1 << 64))) and x.dtype.kind == "f"):
                token = quiet_on(QUIET)  # 1e308 against float32: no cast warning (PyTorch)
                try:
                    return _wrap(getattr(input._backend(), ufunc)(
                        x, other._data if tb is Tensor else other))
                except ValueError:
                    check_broadcast(input, other)
                    raise
                finally:
                    quiet_off(token)
        if not isinstance(input, Tensor):
            input = to_tensor(input)
        (a, b), dt = promote(input, other)
        if dt._category == _C and ufunc not in ("equal", "not_equal"):
            raise NotImplementedError(f"\"{_KERNEL[ufunc]}_cpu\" not implemented for '{_cap(dt)}'")
        r = _wrap(getattr(a._backend(), ufunc)(a._data, b._data))
        return r if out is None else handle_out(r, out)
    return fn


_KERNEL = {"less": "lt", "less_equal": "le", "greater": "gt", "greater_equal": "ge"}


eq, ne, lt, le, gt, ge = (_compare(u) for u in ("equal", "not_equal", "less", "less_equal",
                                                 "greater", "greater_equal"))
register("ge", ge, inplace=True, dunder="__ge__")
register("gt", gt, inplace=True, dunder="__gt__")
register("le", le, inplace=True, dunder="__le__")
register("lt", lt, inplace=True, dunder="__lt__")
register("ne", ne, inplace=True)
register("eq", eq, inplace=True)
for _f, _n in ((eq, "eq"), (ne, "ne"), (lt, "lt"), (le, "le"), (gt, "gt"), (ge, "ge")):
    _f.__name__ = _n
    _f.__doc__ = f"Elementwise ``{_n}`` comparison giving a bool tensor (``torch.{_n}``)."
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
register("not_equal", not_equal, inplace=True)
register("less_equal", less_equal, inplace=True)
register("less", less, inplace=True)
register("greater_equal", greater_equal, inplace=True)
register("greater", greater, inplace=True)


def _logical(ufunc):
    def fn(input, other, *, out=None):
        _tensors_only(ufunc, input, other)
        other = other if isinstance(other, Tensor) else to_tensor(other, input)
        xp = input._backend()
        r = _wrap(getattr(xp, ufunc)(input._data, other._data))
        return r if out is None else handle_out(r, out)
    fn.__name__ = fn.__qualname__ = ufunc
    fn.__doc__ = f"Elementwise logical {ufunc[8:].upper()}, as a bool tensor (``torch.{ufunc}``)."
    return fn


logical_and, logical_or, logical_xor = (_logical(u) for u in
                                        ("logical_and", "logical_or", "logical_xor"))
register("logical_xor", logical_xor, inplace=True)
register("logical_or", logical_or, inplace=True)
register("logical_and", logical_and, inplace=True)


@register(inplace=True)
def logical_not(input, *, out=None):
    """Elementwise logical NOT, as a bool tensor (``torch.logical_not``)."""
    return handle_out(_wrap(input._backend().logical_not(input._data)), out)


def _bitwise(ufunc, sym):
    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor):
            input = scalar_tensor(input, D.result_type(input, other), other)
        (a, b), dt = promote(input, other)
        if dt._category >= D._FLOAT or (dt is D.bool_ and "shift" in ufunc):
            raise NotImplementedError(f"\"{ufunc}_cpu\" not implemented for '{_cap(dt)}'")
        r = _wrap(getattr(a._backend(), ufunc)(a._data, b._data))
        return r if out is None else handle_out(r, out)
    fn.__name__ = fn.__qualname__ = ufunc
    fn.__doc__ = (f"Elementwise ``{sym}`` of integer or bool tensors "
                  f"(``torch.{ufunc if ufunc.startswith('bitwise') else 'bitwise_' + ufunc}``).")
    return fn


bitwise_and = _bitwise("bitwise_and", "&")
register("bitwise_and", bitwise_and, inplace=True, dunder=("__and__", "__iand__"))
bitwise_or = _bitwise("bitwise_or", "|")
register("bitwise_or", bitwise_or, inplace=True, dunder=("__or__", "__ior__"))
bitwise_xor = _bitwise("bitwise_xor", "^")
register("bitwise_xor", bitwise_xor, inplace=True, dunder=("__xor__", "__ixor__"))
bitwise_left_shift = _bitwise("left_shift", "<<")
register("bitwise_left_shift", bitwise_left_shift, inplace=True, dunder="__lshift__")
bitwise_right_shift = _bitwise("right_shift", ">>")
register("bitwise_right_shift", bitwise_right_shift, inplace=True, dunder="__rshift__")


@register(inplace=True)
def bitwise_not(input, *, out=None):
    """Bitwise NOT of an integer or bool tensor (``torch.bitwise_not``)."""
    if input.dtype._category >= D._FLOAT:
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for "
                                  f"'{_cap(input.dtype)}'")
    return handle_out(_wrap(input._backend().invert(input._data)), out)


@register
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other| elementwise (``torch.isclose``)."""
    _tensors_only("isclose", input, other)
    if dtype_of(input) is not dtype_of(other):
        raise RuntimeError(f"{_cap(dtype_of(input))} did not match {_cap(dtype_of(other))}")
    (a, b), _ = promote(input, other)
    return _wrap(a._backend().isclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


@register
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when all elements are close (``torch.allclose``)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


@register
def equal(input, other):
    """True when both tensors have the same shape and elements (``torch.equal``)."""
    if input._data.shape != other._data.shape:
        return False
    return bool((input._data == other._data).all())
