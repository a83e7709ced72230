"""Elementwise unary ops: one table row per op, forward and derivative side by side.

Each row: name, forward on the backend module, derivative (grad, *saved) -> input grad,
what is saved (``"x"`` input, ``"y"`` output), and whether integer inputs compute in float.
"""
import math

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd.node import Op
from .._backend import special as _special
from ._operands import dtype_of, float_dtype_for, named
from ._inplace import handle_out, _cap
from ._registry import register
from ._dispatch import on_arrays

_LN2, _LN10 = math.log(2.0), math.log(10.0)


def _sq(t):
    return t * t


# name: (forward(xp, x), backward(g, *saved), save, float_only)
UNARY = {
    "neg": (lambda xp, x: xp.negative(x), lambda g: -g, "", False),
    "abs": (lambda xp, x: xp.abs(x), lambda g, x: g * x.sgn(), "x", False),
    "sign": (lambda xp, x: _sign(xp, x), lambda g: g * 0, "", False),
    "sgn": (lambda xp, x: _sign(xp, x) if not xp.iscomplexobj(x) else
            xp.where(x == 0, 0, x / xp.where(x == 0, 1, xp.abs(x))), lambda g: g * 0, "", False),
    "sqrt": (lambda xp, x: xp.sqrt(x), lambda g, y: g / (2 * y), "y", True),
    "rsqrt": (lambda xp, x: 1 / xp.sqrt(x), lambda g, y: -0.5 * g * y * y * y, "y", True),
    "square": (lambda xp, x: x * x, lambda g, x: 2 * g * x, "x", False),
    "exp": (lambda xp, x: xp.exp(x), lambda g, y: g * y, "y", True),
    "exp2": (lambda xp, x: xp.exp2(x), lambda g, y: g * y * _LN2, "y", True),
    "expm1": (lambda xp, x: xp.expm1(x), lambda g, y: g * (y + 1), "y", True),
    "log": (lambda xp, x: xp.log(x), lambda g, x: g / x, "x", True),
    "log2": (lambda xp, x: xp.log2(x), lambda g, x: g / (x * _LN2), "x", True),
    "log10": (lambda xp, x: xp.log10(x), lambda g, x: g / (x * _LN10), "x", True),
    "log1p": (lambda xp, x: xp.log1p(x), lambda g, x: g / (x + 1), "x", True),
    "sin": (lambda xp, x: xp.sin(x), lambda g, x: g * x.cos(), "x", True),
    "cos": (lambda xp, x: xp.cos(x), lambda g, x: -g * x.sin(), "x", True),
    "tan": (lambda xp, x: xp.tan(x), lambda g, y: g * (1 + _sq(y)), "y", True),
    "asin": (lambda xp, x: xp.arcsin(x), lambda g, x: g * (1 - _sq(x)).rsqrt(), "x", True),
    "acos": (lambda xp, x: xp.arccos(x), lambda g, x: -g * (1 - _sq(x)).rsqrt(), "x", True),
    "atan": (lambda xp, x: xp.arctan(x), lambda g, x: g / (1 + _sq(x)), "x", True),
    "sinh": (lambda xp, x: xp.sinh(x), lambda g, x: g * x.cosh(), "x", True),
    "cosh": (lambda xp, x: xp.cosh(x), lambda g, x: g * x.sinh(), "x", True),
    "tanh": (lambda xp, x: xp.tanh(x), lambda g, y: g * (1 - _sq(y)), "y", True),
    "asinh": (lambda xp, x: xp.arcsinh(x), lambda g, x: g * (_sq(x) + 1).rsqrt(), "x", True),
    "acosh": (lambda xp, x: xp.arccosh(x), lambda g, x: g * (_sq(x) - 1).rsqrt(), "x", True),
    "atanh": (lambda xp, x: xp.arctanh(x), lambda g, x: g / (1 - _sq(x)), "x", True),
    "sigmoid": (lambda xp, x: _sigmoid(xp, x), lambda g, y: g * y * (1 - y), "y", True),
    "erf": (lambda xp, x: _special.erf(xp, x),
            lambda g, x: g * (2 / math.sqrt(math.pi)) * (-_sq(x)).exp(), "x", True),
    "erfc": (lambda xp, x: _special.erfc(xp, x),
             lambda g, x: g * (-2 / math.sqrt(math.pi)) * (-_sq(x)).exp(), "x", True),
    "erfinv": (lambda xp, x: _special.erfinv(xp, x),
               lambda g, y: g * (math.sqrt(math.pi) / 2) * _sq(y).exp(), "y", True),
    "lgamma": (lambda xp, x: _special.lgamma(xp, x), lambda g, x: g * x.digamma(), "x", True),
    "digamma": (lambda xp, x: _special.digamma(xp, x), lambda g, x: g * polygamma(1, x), "x", True),
    "reciprocal": (lambda xp, x: 1 / x, lambda g, y: -g * y * y, "y", True),
    "floor": (lambda xp, x: xp.floor(x), lambda g: g * 0, "", False),
    "ceil": (lambda xp, x: xp.ceil(x), lambda g: g * 0, "", False),
    "trunc": (lambda xp, x: xp.trunc(x), lambda g: g * 0, "", False),
    "frac": (lambda xp, x: x - xp.trunc(x), lambda g: g, "", False),
    "relu": (lambda xp, x: xp.maximum(x, 0).astype(x.dtype, copy=False),
             lambda g, y: g * (y > 0), "y", False),
    "conj_physical": (lambda xp, x: xp.conj(x), lambda g: g.conj_physical(), "", False),
    "angle": (lambda xp, x: xp.angle(x).astype(x.dtype.type(0).real.dtype) if xp.iscomplexobj(x)
              else xp.where(x < 0, math.pi, xp.where(x == x, 0.0, x)).astype(x.dtype),  # nan stays
              lambda g: g * 0, "", True),
}
UNARY["fix"] = UNARY["trunc"]
UNARY["negative"] = UNARY["neg"]
UNARY["absolute"] = UNARY["abs"]
UNARY["arcsin"], UNARY["arccos"], UNARY["arctan"] = UNARY["asin"], UNARY["acos"], UNARY["atan"]
UNARY["arcsinh"], UNARY["arccosh"], UNARY["arctanh"] = UNARY["asinh"], UNARY["acosh"], UNARY["atanh"]


def _sign(xp, x):
    """-1, 0 or 1; PyTorch maps NaN to 0 and bool to itself."""
    if x.dtype.kind in "biu":
        return x.copy() if x.dtype.kind == "b" else xp.sign(x)
    r = xp.sign(x)
    return xp.where(r != r, 0, r).astype(x.dtype, copy=False)


def _sigmoid(xp, x):
    # 1 / (1 + exp(-x)), PyTorch's formula (exp overflowing to inf gives its 0 below -88)
    if hasattr(xp, "errstate"):  # NumPy warns on the overflow; CuPy never checks
        with xp.errstate(over="ignore"):
            e = xp.exp(-x)
    else:
        e = xp.exp(-x)
    e += 1
    return 1 / e


def _keep_dtype(forward):
    def fwd(ctx, x):
        if x.dtype.itemsize == 2 and x.dtype.kind in "fV":  # float16/bfloat16: PyTorch's opmath
            return forward(ctx.xp, x.astype(ctx.xp.float32)).astype(x.dtype)
        y = forward(ctx.xp, x)
        if y.dtype == x.dtype or (x.dtype.kind == "c" and y.dtype.kind == "f"):  # abs of complex
            return y
        return y.astype(x.dtype)
    return fwd


# (category, op) pairs PyTorch refuses, with the exception type it raises
_UNSUPPORTED = {
    **{(D._BOOL, n): NotImplementedError for n in ("floor", "ceil", "trunc", "fix", "frac")},
    (D._BOOL, "relu"): RuntimeError,
    (D._INT, "frac"): NotImplementedError,
    **{(D._COMPLEX, n): NotImplementedError for n in (
        "sign", "erf", "erfc", "erfinv", "lgamma", "digamma", "floor", "ceil", "trunc", "fix",
        "frac", "relu")},
}


_NODE_NAMES = {"square": "PowBackward0", "log1p": "Log1PBackward0"}  # PyTorch's, where they differ
# the node of a first derivative, as PyTorch names it (seen under create_graph=True)
_GRAD_NAMES = {"tanh": "TanhBackwardBackward0", "sigmoid": "SigmoidBackwardBackward0",
               "relu": "ThresholdBackwardBackward0"}


# The hot activations whose derivative is plain arithmetic on the saved output: on a plain
# ``backward()`` (``_dispatch.on_arrays``) the row's own formula runs on the arrays, one
# NumPy call per operator and no Tensor in between; the same bits as on tensors.
_ON_ARRAYS = frozenset(("tanh", "sigmoid", "relu"))


def _array_backward(tensor_backward, formula):
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        if on_arrays(g, y):
            return _wrap(formula(g._data, y._data))
        return tensor_backward(ctx, g)
    return backward


def _make_unary(name, forward, backward, save, float_only):
    saves = tuple({"x": 0, "y": "out"}[c] for c in save)
    cls_name = "".join(p.capitalize() for p in name.split("_"))
    tensor_backward = ((lambda ctx, g: backward(g, *ctx.saved_tensors)) if name not in _GRAD_NAMES
                       else (lambda ctx, g: named(backward(g, *ctx.saved_tensors),
                                                  _GRAD_NAMES[name])))
    op = type(cls_name, (Op,), {
        "save": saves,
        "forward": staticmethod(_keep_dtype(forward)),
        "_name": _NODE_NAMES.get(name),
        "backward": tensor_backward if name not in _ON_ARRAYS
        else _array_backward(tensor_backward, backward),
    })

    def fn(input, *, out=None):
        if out is None and type(input) is Tensor and input._data.dtype.kind == "f":
            return op.apply(input)  # a float tensor: no refusal or integer cast applies
        dt = dtype_of(input)
        if dt._category != D._FLOAT and (dt._category, name) in _UNSUPPORTED:
            raise _UNSUPPORTED[dt._category, name](
                f"\"{name}_cpu\" not implemented for '{_cap(dt)}'")
        if float_only and dt._category < D._FLOAT:
            input = input.to(float_dtype_for(dt))
        elif dt is D.bool_ and name == "square":
            input = input.to(D.int64)
        elif dt is D.bool_ and name in ("abs", "absolute"):
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
        elif dt is D.bool_ and name in ("neg", "negative"):
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        result = op.apply(input)
        return result if out is None else handle_out(result, out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}`` of ``input`` (``torch.{name}``), differentiable."
    return op, fn


# Every row is ``torch.<name>`` and ``Tensor.<name>``; these differ in their in-place twins:
_NO_INPLACE = ("angle",)  # no Tensor.angle_
_NO_TOP_LEVEL_INPLACE = ("sign", "sgn", "erfinv", "lgamma", "digamma", "absolute")  # no torch.X_

_DUNDER = {"neg": "__neg__", "abs": "__abs__"}  # -t, abs(t)

OPS = {}
for _name, _row in UNARY.items():
    OPS[_name], globals()[_name] = _make_unary(_name, *_row)
    register(_name, globals()[_name], inplace=_name not in _NO_INPLACE,
             inplace_function=_name not in _NO_INPLACE + _NO_TOP_LEVEL_INPLACE,
             dunder=_DUNDER.get(_name, ()))


def polygamma(n, input, *, out=None):
    """The n-th derivative of digamma (``torch.polygamma``)."""
    return handle_out(Polygamma.apply(input.float() if dtype_of(input)._category < D._FLOAT
                                      else input, n=n), out)


class Polygamma(Op):
    save = (0,)

    def forward(ctx, x, n):
        ctx.n = n
        return _special.polygamma(ctx.xp, n, x)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * polygamma(ctx.n + 1, x)


def _polygamma_method(self, n):
    """``Tensor.polygamma(n)``: the method takes ``n`` after ``self``."""
    return polygamma(n, self)


register("polygamma", polygamma, method=_polygamma_method)


@register(inplace=True, inplace_function=True)
def logit(input, eps=None, *, out=None):
    """log(p / (1 - p)), with ``input`` clamped to [eps, 1 - eps] when eps is given."""
    if dtype_of(input)._category < D._FLOAT:
        input = input.float()
    x = input if eps is None else input.clamp(eps, 1 - eps)
    return handle_out(named((x / (1 - x)).log(), "LogitBackward0"), out)


@register(inplace=True, inplace_function=True)
def sinc(input, *, out=None):
    """sin(pi x) / (pi x), 1 at 0 (``torch.sinc``)."""
    dt = dtype_of(input)
    if dt._category < D._FLOAT:
        input = input.float()
    elif dt in (D.float16, D.bfloat16):  # PyTorch's opmath: compute in float32, round once
        return handle_out(sinc(input.float()).to(dt), out)
    px = input * math.pi
    safe = px.where(px != 0, 1.0)
    return handle_out((safe.sin() / safe).where(px != 0, 1.0), out)




@register(dunder="__pos__")  # +t
def positive(input):
    """``input`` itself (``torch.positive``); refused for bool tensors like PyTorch."""
    if dtype_of(input) is D.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input
