"""Elementwise binary ops with broadcasting and PyTorch's type promotion.

Each differentiable op is a small ``Op`` class: forward on backend arrays, backward on
tensors. Gradients come back at the broadcast shape; the engine sums them to each input.
"""
import math
import operator as _operator

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd.node import Op
from .._backend.quiet import quiet as _quiet
from ._operands import promote, dtype_of, scalar_tensor, to_tensor, as_operand, tensors_only as _tensors_only
from ._inplace import handle_out, _cap
from ._dims import check_broadcast
from ._dispatch import fast_binary, fast_inplace, on_arrays, records
from ._registry import register



class Add(Op):
    def forward(ctx, a, b):
        return a + b

    def backward(ctx, g):
        return g, g


class Sub(Op):
    def forward(ctx, a, b):
        return a - b

    def backward(ctx, g):
        return g, -g


class Mul(Op):
    save = (0, 1)
    save_if = (1, 0)  # a is needed only for b's grad and vice versa
    bool_mask = True  # fast_binary: float * bool tensor keeps the float dtype (PyTorch's rule)

    def forward(ctx, a, b):
        return a * b

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        gd = g._data
        if on_arrays(g, a, b):  # plain backward, real: on arrays
            return (_wrap(gd * b._data) if need_a else None), \
                (_wrap(gd * a._data) if need_b else None)
        if gd.dtype.kind != "c":  # real: no conjugates (saves two calls on a hot path)
            return (g * b if need_a else None), (g * a if need_b else None)
        return (g * b.conj() if need_a else None), (g * a.conj() if need_b else None)


class Div(Op):
    save = (0, 1)
    save_if = (1, None)

    def forward(ctx, a, b):
        return a / b

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = g / b
        return ga, (-ga * a / b if ctx.needs_input_grad[1] else None)


class Pow(Op):
    save = (0, 1, "out")

    def forward(ctx, a, b):
        if a.dtype.kind == "V" and b.ndim == 0 and b == 3:  # bfloat16 cube: PyTorch's x*x*x
            return a * a * a
        return ctx.xp.power(a, b)

    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            # d/da a^b = b a^(b-1); 0 where b == 0 (PyTorch's convention)
            ga = g * (b * a.pow(b - 1)).masked_fill(b == 0, 0.0)  # outer Mul, as PyTorch
        if ctx.needs_input_grad[1]:
            gb = (g * y * a.log()).masked_fill((a == 0) & (b >= 0), 0.0)
        return ga, gb


class Atan2(Op):
    save = (0, 1)

    def forward(ctx, a, b):
        return ctx.xp.arctan2(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        r = a * a + b * b
        return g * b / r, -g * a / r


class Hypot(Op):
    save = (0, 1, "out")

    def forward(ctx, a, b):
        return ctx.xp.hypot(a, b)

    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        return g * a / y, g * b / y


class _MinMax(Op):
    """maximum/minimum/fmax/fmin: the gradient goes to the chosen input, split on ties."""
    save = (0, 1)
    ufunc = None
    pick_first = None  # comparison selecting where ``a`` wins

    def forward(ctx, a, b):
        return getattr(ctx.xp, ctx.ufunc)(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        first = ctx.pick_first(a, b)
        tie = a == b
        half = g / 2
        ga = g.where(first, 0.0).where(~tie, half)
        gb = g.where(~first & ~tie, 0.0).where(~tie, half)
        return ga, gb


class Maximum(_MinMax):
    ufunc = "maximum"
    pick_first = staticmethod(lambda a, b: (a > b) | b.isnan())


class Minimum(_MinMax):
    ufunc = "minimum"
    pick_first = staticmethod(lambda a, b: (a < b) | b.isnan())


class Fmax(_MinMax):
    ufunc = "fmax"
    pick_first = staticmethod(lambda a, b: (a > b) | b.isnan())


class Fmin(_MinMax):
    ufunc = "fmin"
    pick_first = staticmethod(lambda a, b: (a < b) | b.isnan())


class Remainder(Op):
    save = (0, 1)

    def forward(ctx, a, b):
        return ctx.xp.remainder(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g, -g * floor_divide(a, b)


class Fmod(Op):
    save = (0, 1)

    def forward(ctx, a, b):
        return ctx.xp.fmod(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g, -g * (a / b).trunc()


_LN2 = math.log(2.0)


class Logaddexp(Op):
    save = (0, 1)

    def forward(ctx, a, b):
        xp = ctx.xp
        if xp.iscomplexobj(a):  # NumPy's ufunc is real-only
            return xp.log(xp.exp(a) + xp.exp(b))
        return xp.logaddexp(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * (a - b).sigmoid(), g * (b - a).sigmoid()


class Logaddexp2(Op):
    save = (0, 1)

    def forward(ctx, a, b):
        return ctx.xp.logaddexp2(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * ((a - b) * _LN2).sigmoid(), g * ((b - a) * _LN2).sigmoid()


class Copysign(Op):
    save = (0, 1, "out")

    def forward(ctx, a, b):
        return ctx.xp.copysign(a, b)

    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        return g * (y / a).masked_fill(a == 0, 0.0), None


class Xlogy(Op):
    save = (0, 1)

    def forward(ctx, a, b):
        xp = ctx.xp
        with_log = a * xp.log(xp.where(a == 0, 1, b))
        return xp.where(xp.isnan(b), xp.nan, xp.where(a == 0, 0, with_log)).astype(a.dtype)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = (g * b.log()).masked_fill((a == 0) & ~b.isnan(), 0.0)
        return ga, g * a / b


# ---- helpers -------------------------------------------------------------------------------

@_quiet
def _binary(op, a, b, out, float_result=False):
    """Promote, run ``op`` and honour ``out=``. Integers divide into the default float."""
    if out is None:
        r = fast_binary(op, None, a, b)  # no promotion to work out
        if r is not None:
            return r
    b = as_operand(b)
    if type(b) is int or type(a) is int:  # integer tensor <op> Python int wraps (PyTorch)
        a, b = _wrap_int_scalar(a, b), _wrap_int_scalar(b, a)
    a0, b0 = a, b
    if not isinstance(a, Tensor):
        if not isinstance(b, Tensor):
            a = to_tensor(a)
        else:
            a = scalar_tensor(a, D.result_type(a, b), b) if not isinstance(a, (list, tuple)) \
                else to_tensor(a, b)
    (a, b), dt = promote(a, b)
    if dt in _HALVES and op in _OPMATH and not (isinstance(a0, Tensor) and isinstance(b0, Tensor)):
        a, b, op = _opmath_operands(a, b, a0, b0, op)
    refuse = _REFUSE.get(op)
    if refuse is not None:
        _check_refused(refuse, dt, b)
    if float_result and dt._category < D._FLOAT:
        a, b = a.to(D.get_default_dtype()), b.to(D.get_default_dtype())
    try:
        result = op.apply(a, b)
    except ValueError:
        check_broadcast(a, b)
        raise
    return result if out is None else handle_out(result, out)


_HALVES = (D.float16, D.bfloat16)


def _wrap_int_scalar(value, tensor):
    """A Python int operand of an integer tensor, wrapped into the tensor's dtype the way
    PyTorch converts a "wrapped number" (two's complement, so ``int8 + 200`` is ``int8 - 56``);
    OverflowError past 64 bits, as PyTorch's scalar unpacking."""
    if type(value) is not int or not isinstance(tensor, Tensor):
        return value
    dt = dtype_of(tensor)
    if dt._category != D._INT:
        return value
    if not -(1 << 63) <= value < (1 << 64):
        raise OverflowError("int too big to convert" if value > 0 else
                            "can't convert negative int to unsigned")
    bits = dt.itemsize * 8
    lo = -(1 << (bits - 1)) if dt is not D.uint8 else 0
    if lo <= value < lo + (1 << bits):
        return value
    value &= (1 << bits) - 1
    return value - (1 << bits) if dt is not D.uint8 and value >= 1 << (bits - 1) else value


def _opmath_op(cls):
    """``cls`` computing in float32 and rounding once to the half-precision operand's dtype,
    as PyTorch does for float16/bfloat16 with a Python scalar (its "opmath" type)."""
    def forward(ctx, a, b):
        half = a.dtype if a.dtype.itemsize == 2 else b.dtype
        f32 = ctx.xp.float32
        return cls.forward(ctx, a.astype(f32, copy=False), b.astype(f32, copy=False)).astype(
            half, copy=False)
    return type(cls.__name__, (cls,), {"forward": staticmethod(forward),
                                       "_name": cls._name or cls.__name__ + "Backward0"})


def _opmath_operands(a, b, a0, b0, op):
    """Hold the Python-scalar operand as a float32 0-d tensor and pick ``op``'s opmath twin."""
    if not isinstance(a0, Tensor):
        a = scalar_tensor(a0, D.float32, b)
    else:
        b = scalar_tensor(b0, D.float32, a)
    return a, b, _OPMATH[op]


_OPMATH = {c: _opmath_op(c) for c in (Mul, Div)}  # PyTorch rounds the scalar for +, -
_B, _I, _C = D._BOOL, D._INT, D._COMPLEX
# op -> (PyTorch's kernel name, dtype categories it refuses); checked on the promoted dtype
_REFUSE = {
    Remainder: ("remainder_cpu", (_B, _C)), Fmod: ("fmod_cpu", (_B, _C)),
    Hypot: ("hypot_cpu", (_B, _I, _C)), Logaddexp: ("logaddexp_cpu", (_B, _I)),
    Logaddexp2: ("logaddexp2_cpu", (_B, _I, _C)), Atan2: ("atan2_cpu", (_C,)),
    Copysign: ("copysign_cpu", (_C,)), Xlogy: ("xlogy_cpu", (_C,)), Pow: ("pow", (_B,)),
    Maximum: ("maximum", (_C,)), Minimum: ("minimum", (_C,)), Fmax: ("fmax", (_C,)),
    Fmin: ("fmin", (_C,)),
}


def _check_refused(refuse, dt, divisor=None):
    """Raise PyTorch's error for an op on a dtype it has no kernel for."""
    name, cats = refuse
    if dt._category in cats:
        if dt._category == _C and name in ("maximum", "minimum", "fmax", "fmin"):
            raise RuntimeError(f"{name} not implemented for complex tensors.")
        raise NotImplementedError(f"\"{name}\" not implemented for '{_cap(dt)}'")
    if divisor is not None and dt._category == _I and name in ("remainder_cpu", "fmod_cpu") \
            and bool((divisor._data == 0).any()):
        raise RuntimeError("ZeroDivisionError")


@register(inplace=fast_inplace("add"), dunder=("__add__", "__iadd__"))
def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, with broadcasting and type promotion (``torch.add``)."""
    if out is None and alpha == 1 and type(alpha) is int:
        r = fast_binary(Add, _operator.add, input, other)
        if r is not None:
            return r
    both_bool = dtype_of_maybe(input) is D.bool_ and dtype_of_maybe(other) is D.bool_
    if alpha != 1 or type(alpha) is not int:  # True and 1.0 are checked too
        _check_alpha(input, other, alpha)
        if both_bool:  # bool + alpha * bool stays bool: a or (alpha and b)
            other = to_tensor(other, input)
            if not alpha:
                from .creation import zeros_like
                other = zeros_like(other)
        else:
            other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    if both_bool:
        return handle_out(logical_or(to_tensor(input, other), to_tensor(other, input)), out)
    return _binary(Add, input, other, out)


@register(inplace=fast_inplace("subtract"), dunder=("__sub__", "__isub__"))
def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other (``torch.sub``); bool tensors can't be subtracted."""
    if out is None and alpha == 1 and type(alpha) is int:
        r = fast_binary(Sub, _operator.sub, input, other)
        if r is not None:
            return r
    if dtype_of_maybe(input) is D.bool_ and dtype_of_maybe(other) is D.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if dtype_of_maybe(input) is D.bool_ or dtype_of_maybe(other) is D.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    if alpha != 1 or type(alpha) is not int:
        _check_alpha(input, other, alpha)
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    return _binary(Sub, input, other, out)


subtract = sub
register("subtract", subtract, inplace=True)


@register(method=False)
def rsub(input, other, *, alpha=1):
    """other - alpha * input (``torch.rsub``)."""
    return sub(other, input, alpha=alpha) if isinstance(other, Tensor) else \
        sub(scalar_tensor(_wrap_int_scalar(other, input), D.result_type(input, other), input),
            input, alpha=alpha)


def _check_alpha(input, other, alpha):
    """``alpha`` must suit the result dtype of ``input`` and ``other`` (PyTorch's
    RuntimeErrors): a bool only for bool results, a float not for integral ones, a complex
    number only for complex ones."""
    ta = type(alpha)
    if ta is float:  # the common case (optimizers' add_(g, alpha=-lr))
        if D.result_type(input, other)._category < D._FLOAT:
            raise RuntimeError("For integral input tensors, argument alpha must not be a "
                               "floating point number.")
        return
    if ta is int:
        if not -(1 << 63) <= alpha < (1 << 64):
            from .._checks import check_scalar_int
            check_scalar_int(alpha)
        return
    if isinstance(alpha, Tensor):
        alpha = alpha.item()
    cat = D.result_type(input, other)._category
    if isinstance(alpha, bool):
        if cat != D._BOOL:
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
        return
    if isinstance(alpha, (float, complex)) and cat < D._FLOAT:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if isinstance(alpha, complex) and cat != D._COMPLEX:
        raise RuntimeError("For non-complex input tensors, argument alpha must not be a "
                           "complex number.")


def dtype_of_maybe(x):
    return dtype_of(x) if isinstance(x, Tensor) else (D.bool_ if isinstance(x, bool) else None)


@register(inplace=fast_inplace("multiply"), dunder=("__mul__", "__imul__"))
def mul(input, other, *, out=None):
    """Elementwise product with broadcasting (``torch.mul``)."""
    if out is None:
        r = fast_binary(Mul, _operator.mul, input, other)
        if r is not None:
            return r
    if dtype_of_maybe(input) is D.bool_ and dtype_of_maybe(other) is D.bool_:
        return handle_out(logical_and(to_tensor(input, other), to_tensor(other, input)), out)
    return _binary(Mul, input, other, out)


multiply = mul
register("multiply", multiply, inplace=True)


@register(inplace=fast_inplace("divide"), dunder=("__truediv__", "__itruediv__"))
def div(input, other, *, rounding_mode=None, out=None):
    """input / other; true division unless rounding_mode is 'trunc' or 'floor' (``torch.div``)."""
    if rounding_mode is None:
        if out is None:
            r = fast_binary(Div, _operator.truediv, input, other)
            if r is not None:
                return r
        return _binary(Div, input, other, out, float_result=True)
    if rounding_mode == "floor":
        return floor_divide(input, other, out=out)
    if rounding_mode == "trunc":
        (a, b), dt = promote(to_tensor(input) if not isinstance(input, Tensor) else input, other)
        if dt._category >= D._FLOAT:
            return handle_out((a / b).trunc(), out)
        xp = a._backend()
        q = xp.trunc(a._data / b._data).astype(dt.np)
        return handle_out(_wrap(q), out)
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                       f"found '{rounding_mode}'")


divide = div
register("divide", divide, inplace=True)


@register(inplace=True)
def true_divide(input, other, *, out=None):
    """Same as ``div`` with no rounding."""
    return div(input, other, out=out)


@register(inplace=True, dunder=("__floordiv__", "__ifloordiv__"))
@_quiet
def floor_divide(input, other, *, out=None):
    """Division rounded toward minus infinity (``torch.floor_divide``); not differentiable."""
    (a, b), dt = promote(input if isinstance(input, Tensor) else to_tensor(input), other)
    _check_refused(("div_floor_cpu", (_B, _C)), dt)
    xp = a._backend()
    if dt._category < D._FLOAT and bool((b._data == 0).any()):
        raise RuntimeError("ZeroDivisionError")
    if dt._category >= D._FLOAT:
        r = xp.floor_divide(a._data, b._data)
        # NumPy's floor_divide(x, 0) differs from PyTorch's floor(x / 0)
        r = xp.where(b._data == 0, xp.floor(a._data / b._data), r).astype(dt.np, copy=False)
    else:
        r = xp.floor_divide(a._data, b._data)
    res = _wrap(r)
    if records(a, b):
        res = (a * 0 + b * 0) + res.detach()  # zero gradient, as PyTorch
    return handle_out(res, out)


@register(inplace=True, dunder=("__mod__", "__imod__"))
def remainder(input, other, *, out=None):
    """Python-style modulus: result has the sign of the divisor (``torch.remainder``)."""
    if not isinstance(input, Tensor):
        input = scalar_tensor(input, D.result_type(input, other), other)
    return _binary(Remainder, input, other, out)


@register(inplace=True)
def fmod(input, other, *, out=None):
    """C-style modulus: result has the sign of the dividend (``torch.fmod``)."""
    return _binary(Fmod, input, other, out)


@register(inplace=True, dunder=("__pow__", "__ipow__"))
@_quiet
def pow(input, exponent, *, out=None):
    """input ** exponent elementwise (``torch.pow``); either may be a scalar."""
    scalar_base = not isinstance(input, Tensor)
    if scalar_base and not isinstance(exponent, Tensor):
        raise TypeError(f"pow() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(exponent).__name__}), but expected a "
                        f"Tensor for input or exponent")
    if scalar_base:
        input = scalar_tensor(input, D.result_type(input, exponent), exponent)
    (a, b), dt = promote(input, exponent)
    if dt is D.bool_ and isinstance(exponent, bool):  # x ** True is x, x ** False is all True
        return handle_out(a.clone() if exponent else a | True, out)
    _check_refused(_REFUSE[Pow], dt)
    if dt._category == D._INT and bool((b._data < 0).any()):
        if not isinstance(exponent, Tensor):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        xp, x, e = a._backend(), a._data, b._data
        # PyTorch: 1 ** -n = 1, (-1) ** -n = +-1, any other base ** -n = 0
        neg = xp.where(x == 1, 1, xp.where(x == -1, 1 - 2 * (e & 1), 0))
        return handle_out(_wrap(xp.where(e < 0, neg, xp.power(x, xp.abs(e))).astype(dt.np)), out)
    if not isinstance(exponent, Tensor) and exponent == 2 and not a._rg:
        return handle_out(_wrap(a._data * a._data), out)
    r = Pow.apply(a, b)
    if r.grad_fn is not None and isinstance(exponent, Tensor):  # PyTorch's overload names
        r.grad_fn._name = "PowBackward2" if scalar_base else "PowBackward1"
    return handle_out(r, out)


@register(inplace=True)
def float_power(input, exponent, *, out=None):
    """pow computed in double precision (``torch.float_power``)."""
    dt = D.complex128 if any(isinstance(x, Tensor) and x.is_complex() or isinstance(x, complex)
                             for x in (input, exponent)) else D.float64
    a = input.to(dt) if isinstance(input, Tensor) else input
    b = exponent.to(dt) if isinstance(exponent, Tensor) else exponent
    return pow(a, b, out=out)


@register(inplace=True)
def atan2(input, other, *, out=None):
    """Elementwise arctangent of input / other with quadrant (``torch.atan2``)."""
    _tensors_only("atan2", input, other)
    return _binary(Atan2, input, other, out, float_result=True)


arctan2 = atan2
register("arctan2", arctan2, inplace=True)


@register(inplace=True)
def hypot(input, other, *, out=None):
    """sqrt(input^2 + other^2) elementwise (``torch.hypot``)."""
    _tensors_only("hypot", input, other)
    return _binary(Hypot, input, other, out)


@register
def maximum(input, other, *, out=None):
    """Elementwise maximum, NaN-propagating (``torch.maximum``)."""
    _tensors_only("maximum", input, other)
    return _binary(Maximum, input, other, out)


@register
def minimum(input, other, *, out=None):
    """Elementwise minimum, NaN-propagating (``torch.minimum``)."""
    _tensors_only("minimum", input, other)
    return _binary(Minimum, input, other, out)


@register
def fmax(input, other, *, out=None):
    """Elementwise maximum ignoring NaN (``torch.fmax``)."""
    _tensors_only("fmax", input, other)
    return _binary(Fmax, input, other, out)


@register
def fmin(input, other, *, out=None):
    """Elementwise minimum ignoring NaN (``torch.fmin``)."""
    _tensors_only("fmin", input, other)
    return _binary(Fmin, input, other, out)


@register
def logaddexp(input, other, *, out=None):
    """log(exp(input) + exp(other)), computed stably (``torch.logaddexp``)."""
    _tensors_only("logaddexp", input, other)
    return _binary(Logaddexp, input, other, out, float_result=True)


@register
def logaddexp2(input, other, *, out=None):
    """log2(2^input + 2^other) (``torch.logaddexp2``)."""
    _tensors_only("logaddexp2", input, other)
    return _binary(Logaddexp2, input, other, out, float_result=True)


@register(inplace=True)
def copysign(input, other, *, out=None):
    """Magnitude of input with the sign of other (``torch.copysign``)."""
    return _binary(Copysign, input, other, out, float_result=True)


@register(inplace=True, inplace_function=True)
def xlogy(input, other, *, out=None):
    """input * log(other), 0 where input is 0 (``torch.xlogy``)."""
    if not isinstance(input, Tensor):
        input = scalar_tensor(input, D.result_type(input, other), other)
    return _binary(Xlogy, input, other, out, float_result=True)


# comparisons, logic and bitwise ops live in comparison.py; exported from here as before
from .comparison import (eq, ne, lt, le, gt, ge, greater, greater_equal, less,  # noqa: E402,F401
                         less_equal, not_equal, logical_and, logical_or, logical_xor,
                         logical_not, bitwise_and, bitwise_or, bitwise_xor, bitwise_not,
                         bitwise_left_shift, bitwise_right_shift, isclose, allclose, equal)
