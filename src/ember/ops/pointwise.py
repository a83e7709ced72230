"""Other elementwise ops: where, clamp, lerp, addcmul/addcdiv, rounding, NaN handling, casts."""
from .. import _dtype as D
from .._finfo import bfloat16_finfo
from .._tensor import Tensor, _wrap
from ..autograd.node import Op
from ._operands import promote, dtype_of, to_tensor, scalar_tensor, named
from ._inplace import handle_out, _cap
from ._dims import empty_like_layout, check_broadcast
from .._dtype import from_numpy_dtype
from ._registry import register



class Where(Op):
    save = (0,)

    def forward(ctx, cond, a, b):
        return ctx.xp.where(cond, a, b)

    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        need = ctx.needs_input_grad
        zero = g.new_zeros(())
        return (None, where(cond, g, zero) if need[1] else None,
                where(cond, zero, g) if need[2] else None)


def where(condition, input=None, other=None, *, out=None):
    """Elements of input where condition holds, else of other (``torch.where``).

    With only ``condition`` it returns the indices of nonzero elements, like ``nonzero(as_tuple=True)``.
    """
    if input is None and other is None:
        from .indexing import nonzero  # lazy: ember.ops.indexing imports us
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        condition = to_tensor(condition)
    if condition.dtype is not D.bool_:
        if condition.dtype is D.uint8:
            condition = condition.bool()
        else:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                               f"with dtype {condition.dtype.name.capitalize()}")
    ref = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else condition
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        dt = D.result_type(input, other)
        a, b = scalar_tensor(input, dt, ref), scalar_tensor(other, dt, ref)
    else:
        (a, b), dt = promote(input if isinstance(input, Tensor) else input,
                             other if isinstance(other, Tensor) else other)
    try:
        return handle_out(Where.apply(condition, a, b), out)
    except ValueError:
        check_broadcast(condition, a)
        check_broadcast(a, b)
        check_broadcast(condition, b)
        raise


def _where_method(self, condition, other):
    """``Tensor.where(condition, other)``: ``self`` where ``condition`` holds, else ``other``."""
    return where(condition, self, other)


register("where", where, method=_where_method)


class Clamp(Op):
    save = (0,)

    def forward(ctx, x, lo, hi):
        xp = ctx.xp
        y = x
        if lo is not None:
            y = xp.maximum(y, lo)
        if hi is not None:
            y = xp.minimum(y, hi)
        return y.astype(x.dtype, copy=False)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        mask = None
        if lo is not None:
            mask = x >= lo
        if hi is not None:
            m = x <= hi
            mask = m if mask is None else mask & m
        return g * mask, None, None


@register(inplace=True)
def clamp(input, min=None, max=None, *, out=None):
    """Clamp elements into [min, max]; bounds may be numbers or tensors (``torch.clamp``)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    operands = [input] + [b for b in (min, max) if b is not None]
    dt = D.result_type(*operands)
    if dt.is_complex:
        raise NotImplementedError("clamp is not supported for complex types")
    if dt is D.bool_ and (min is not None and max is not None or not isinstance(
            min if min is not None else max, Tensor)):  # bool min/max alone are maximum/minimum
        raise NotImplementedError("\"clamp_cpu\" not implemented for 'Bool'")
    x = input if dtype_of(input) is dt else input.to(dt)
    lo = None if min is None else (min.to(dt) if isinstance(min, Tensor) else scalar_tensor(min, dt, x))
    hi = None if max is None else (max.to(dt) if isinstance(max, Tensor) else scalar_tensor(max, dt, x))
    node_cls = _ClampT
    return handle_out(node_cls.apply(x, lo, hi), out)


class _ClampT(Clamp):
    """Clamp whose bounds are tensors: gradients flow to the bounds where they bind."""
    _name = "ClampBackward1"
    save = (0, 1, 2)

    def backward(ctx, g):
        # clamp(x, lo, hi) = min(max(x, lo), hi): each bound gets the gradient where it wins
        x, lo, hi = ctx.saved_tensors
        gx = g
        glo = ghi = None
        low = x
        if lo is not None:
            below = x < lo
            if hi is not None:
                below = below & (lo <= hi)
            gx = gx.masked_fill(x < lo, 0.0)
            glo = g * below if ctx.needs_input_grad[1] else None
            low = x.where(x >= lo, lo)
        if hi is not None:
            above = low > hi
            gx = gx.masked_fill(x > hi, 0.0)
            ghi = g * above if ctx.needs_input_grad[2] else None
        return gx, glo, ghi


clip = clamp
register("clip", clip, inplace=True, inplace_function=True)


@register(inplace=True, inplace_function=True)
def clamp_min(input, min):
    """clamp(input, min=min)."""
    return clamp(input, min=min)


@register(inplace=True, inplace_function=True)
def clamp_max(input, max):
    """clamp(input, max=max)."""
    return clamp(input, max=max)


@register(inplace=True)
def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input) (``torch.lerp``); all tensors share one floating dtype."""
    from .indexing import _C_NAMES  # lazy: ember.ops.indexing imports us
    dt = input.dtype
    if dt._category < D._FLOAT:
        raise NotImplementedError(f"\"lerp_kernel_scalar\" not implemented for '{_cap(dt)}'")
    for name, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t.dtype is not dt:
            raise RuntimeError(f"expected dtype {_C_NAMES.get(dt, 'c10::complex<float>')} for "
                               f"`{name}` but got dtype {_C_NAMES.get(t.dtype, t.dtype.name)}")
    return handle_out(named(input + weight * (end - input), "LerpBackward0"), out)


@register(inplace=True)
def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2 (``torch.addcmul``), computed in the promoted dtype
    of the three tensors (an integer result truncates ``value``)."""
    (input, tensor1, tensor2), dt = promote(input, tensor1, tensor2)
    if dt is D.bool_:
        raise NotImplementedError("\"addcmul_cpu_out\" not implemented for 'Bool'")
    if dt._category < D._FLOAT:
        value = int(value)
    return handle_out(named(input + value * (tensor1 * tensor2), "AddcmulBackward0"), out)


@register(inplace=True)
def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2 (``torch.addcdiv``)."""
    if tensor1.dtype._category < D._FLOAT and tensor2.dtype._category < D._FLOAT:
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future "
                           "release addcdiv will perform a true division of tensor1 and tensor2.")
    (input, tensor1, tensor2), dt = promote(input, tensor1, tensor2)
    return handle_out(named(input + value * (tensor1 / tensor2), "AddcdivBackward0"), out)


class Round(Op):
    def forward(ctx, x, decimals=0):
        if x.dtype.kind in "iub":
            return x.copy()
        return ctx.xp.round(x, decimals)

    def backward(ctx, g):
        return g * 0


@register(inplace=True, inplace_function=True)
def round(input, *, decimals=0, out=None):
    """Round half to even, optionally to ``decimals`` places (``torch.round``)."""
    if input.dtype._category in (D._BOOL, D._COMPLEX):
        raise NotImplementedError(f"\"round_cpu\" not implemented for '{_cap(input.dtype)}'")
    return handle_out(Round.apply(input, decimals=decimals), out)


def _finfo_of(dtype, xp):
    return bfloat16_finfo() if dtype is D.bfloat16 else xp.finfo(dtype.np)


@register(inplace=True, inplace_function=True)
def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN, +inf, -inf by finite numbers (``torch.nan_to_num``)."""
    if input.dtype._category < D._FLOAT:
        return handle_out(input.clone(), out)
    xp = input._backend()
    info = _finfo_of(input.dtype, xp)
    pos = info.max if posinf is None else posinf
    neg = info.min if neginf is None else neginf
    x = input._data
    bad = xp.isnan(x) | xp.isinf(x)
    fill = xp.where(xp.isnan(x), nan, xp.where(x > 0, pos, neg)).astype(x.dtype)
    mask = _wrap(bad)
    return handle_out(input.masked_fill(mask, 0.0) + _wrap(xp.where(bad, fill, 0).astype(x.dtype)), out)


def _predicate(name, fn):
    # NumPy stores bfloat16 (ml_dtypes) with dtype kind "V", so the checks list "fV"
    def pred(input):
        xp = input._backend()
        if name in ("isposinf", "isneginf", "signbit") and input._data.dtype.kind == "c":
            raise (RuntimeError if name != "signbit" else NotImplementedError)(
                f"{name} does not support complex inputs.")
        return _wrap(fn(xp, input._data))
    pred.__name__ = name
    pred.__doc__ = f"Elementwise ``{name}`` as a bool tensor (``torch.{name}``)."
    return pred


isnan = _predicate("isnan", lambda xp, x: xp.isnan(x) if x.dtype.kind in "fcV" else xp.zeros(x.shape, bool))
register("isnan", isnan)
isinf = _predicate("isinf", lambda xp, x: xp.isinf(x) if x.dtype.kind in "fcV" else xp.zeros(x.shape, bool))
register("isinf", isinf)
isfinite = _predicate("isfinite", lambda xp, x: xp.isfinite(x) if x.dtype.kind in "fcV" else xp.ones(x.shape, bool))
register("isfinite", isfinite)
isposinf = _predicate("isposinf", lambda xp, x: xp.isposinf(x) if x.dtype.kind in "fV" else xp.zeros(x.shape, bool))
register("isposinf", isposinf)
isneginf = _predicate("isneginf", lambda xp, x: xp.isneginf(x) if x.dtype.kind in "fV" else xp.zeros(x.shape, bool))
register("isneginf", isneginf)
isreal = _predicate("isreal", lambda xp, x: xp.isreal(x))
register("isreal", isreal)
signbit = _predicate("signbit", lambda xp, x: xp.signbit(x) if x.dtype.kind in "fV" else x < 0)
register("signbit", signbit)


@register(inplace=True)
def heaviside(input, values, *, out=None):
    """Step function: 0 below zero, 1 above, ``values`` at zero (``torch.heaviside``)."""
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside(): argument 'values' (position 2) must be Tensor, not "
                        f"{type(values).__name__}")
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    if input.dtype.is_complex:
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    (a, b), dt = promote(input, values)
    return handle_out(_wrap(a._backend().heaviside(a._data, b._data).astype(dt.np, copy=False)),
                      out)


class Real(Op):
    def forward(ctx, x):
        return x.real

    def backward(ctx, g):
        return g.to(ctx.cdt)


@register
def real(input):
    """The real part (a view for complex tensors)."""
    if not input.is_complex():
        return input
    r = Real.apply(input)
    if r.grad_fn is not None:
        r.grad_fn.cdt = input.dtype
    return r


@register
def imag(input):
    """The imaginary part of a complex tensor."""
    if not input.is_complex():
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _wrap(input._data.imag)


@register
def conj(input):
    """Complex conjugate (identity on real tensors)."""
    return input if not input.is_complex() else input.conj_physical()


class ToDtype(Op):
    _name = "ToCopyBackward0"

    def forward(ctx, x, dtype):
        ctx.src = x.dtype
        return x.astype(dtype.np)

    def backward(ctx, g):
        return g.to(from_numpy_dtype(ctx.src))


@register
def to_dtype(input, dtype, copy=False):
    """``input`` converted to ``dtype`` (itself when the dtype already matches and not copy)."""
    if dtype_of(input) is dtype and not copy:
        return input
    if input._rg and not (dtype.is_floating_point or dtype.is_complex):
        return _wrap(input._data.astype(dtype.np))
    return ToDtype.apply(input, dtype=dtype)


class Clone(Op):
    def forward(ctx, x, order=None):
        if x.flags.c_contiguous or order == "C":
            return x.copy(order="C")
        out = empty_like_layout(ctx.xp, x)
        out[...] = x
        return out

    def backward(ctx, g):
        return g


@register
def clone(input, *, memory_format=None):
    """A copy of ``input`` with its own storage, differentiable (``torch.clone``).

    Like PyTorch's preserve_format, a dense permuted input keeps its strides; an
    overlapping (expanded) one becomes contiguous.
    """
    return Clone.apply(input)
