"""``torch.special`` functions with no op elsewhere: forward (a kernel of ``_backend.special``)
and derivative side by side. Derivatives are Ember tensor ops, so they differentiate again.

Unary rows: name -> (kernel, derivative(g, x, y) or None, PyTorch's node name, half allowed).
A derivative of None means PyTorch returns a result that does not require grad.
"""
import math

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd.node import Op
from .._backend import special as _sp
from ._operands import dtype_of, float_dtype_for
from ._inplace import handle_out, _cap
from .binary import _binary

__all__ = ["erfcx", "i0e", "i1", "i1e", "ndtr", "ndtri", "log_ndtr", "entr", "bessel_j0",
           "bessel_j1", "xlog1py", "zeta", "gammainc", "gammaincc"]

_SQRT_2PI = math.sqrt(2 * math.pi)
_TWO_OVER_SQRTPI = 2 / math.sqrt(math.pi)


def _sgn(x):
    return x.sign()


def _i1_grad(g, x, y):
    safe = x.masked_fill(x == 0, 1.0)
    return g * (i0_op(x) - y / safe).masked_fill(x == 0, 0.5)


def _i1e_grad(g, x, y):
    safe = x.masked_fill(x == 0, 1.0)
    return g * (i0e(x) - y * (_sgn(x) + 1 / safe)).masked_fill(x == 0, 0.5)


def _entr_forward(xp, x):
    r = -x * xp.log(xp.where(x > 0, x, 1.0))
    r = xp.where(x == 0, 0.0, xp.where(x < 0, -xp.inf, r))
    return xp.where(xp.isnan(x), xp.nan, r).astype(x.dtype, copy=False)


UNARY = {
    "erfcx": (_sp.erfcx, lambda g, x, y: g * (2 * x * y - _TWO_OVER_SQRTPI),
              "SpecialErfcxBackward0", False),
    "i0e": (_sp.i0e, lambda g, x, y: g * (i1e(x) - _sgn(x) * y), "SpecialI0EBackward0", True),
    "i1": (_sp.i1, _i1_grad, "SpecialI1Backward0", True),
    "i1e": (_sp.i1e, _i1e_grad, "SpecialI1EBackward0", True),
    "ndtr": (_sp.ndtr, lambda g, x, y: g * (x * x * -0.5).exp() / _SQRT_2PI,
             "SpecialNdtrBackward0", True),
    "ndtri": (_sp.ndtri, lambda g, x, y: g * _SQRT_2PI * (y * y * 0.5).exp(),
              "SpecialNdtriBackward0", False),
    "log_ndtr": (_sp.log_ndtr, lambda g, x, y: g * (x * x * -0.5 - y).exp() / _SQRT_2PI,
                 "SpecialLogNdtrBackward0", False),
    "entr": (_entr_forward, lambda g, x, y: g * -(1 + x.log()), "SpecialEntrBackward0", True),
    "bessel_j0": (_sp.bessel_j0, None, None, False),
    "bessel_j1": (_sp.bessel_j1, None, None, False),
}


def _as_float(name, input, half):
    """Integer/bool inputs compute in the default float; refuse what PyTorch refuses."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    dt = dtype_of(input)
    if dt._category == D._COMPLEX or (not half and dt in (D.float16, D.bfloat16)):
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_cap(dt)}'")
    return input if dt._category == D._FLOAT else input.to(float_dtype_for(dt))


def _make(name, kernel, grad, node_name, half):
    def compute(xp, x):
        if x.dtype.itemsize == 2:  # float16/bfloat16: compute wide, round once
            return kernel(xp, x.astype(xp.float32)).astype(x.dtype)
        return kernel(xp, x)

    def forward(ctx, x):
        return compute(ctx.xp, x)

    op = type(name.title().replace("_", ""), (Op,), {
        "save": (0, "out"), "_name": node_name, "forward": staticmethod(forward),
        "backward": lambda ctx, g: grad(g, *ctx.saved_tensors)})

    def fn(input, *, out=None):
        x = _as_float(name, input, half)
        if grad is None:  # PyTorch's result never requires grad here
            result = _wrap(compute(x._backend(), x._data))
        else:
            result = op.apply(x)
        return handle_out(result, out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}`` of ``input`` (``torch.special.{name}``)."
    return op, fn


OPS = {}
for _name, _row in UNARY.items():
    OPS[_name], globals()[_name] = _make(_name, *_row)


def i0_op(x):
    """i0 with its derivative (``torch.i0``), used by the i1 derivative."""
    from .bessel import i0  # lazy: import cycle (bessel imports special_ops at its top)
    return i0(x)


# ---- binary: xlog1py, zeta, gammainc ---------------------------------------------------------

class Xlog1py(Op):
    save = (0, 1)
    _name = "SpecialXlog1PyBackward0"

    def forward(ctx, a, b):
        xp = ctx.xp
        with_log = a * xp.log1p(xp.where(a == 0, 0, b))
        return xp.where(xp.isnan(b), xp.nan, xp.where(a == 0, 0, with_log)).astype(a.dtype)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = (g * b.log1p()).masked_fill((a == 0) & ~b.isnan(), 0.0) \
            if ctx.needs_input_grad[0] else None
        return ga, (g * a / (1 + b) if ctx.needs_input_grad[1] else None)


class Zeta(Op):
    save = (0, 1)
    _name = "SpecialZetaBackward0"

    def forward(ctx, x, q):
        return _sp.zeta(ctx.xp, x, q)

    def backward(ctx, g):
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        x, q = ctx.saved_tensors
        return None, g * -x * zeta(x + 1, q)


def _binary_float(name, op, input, other, out, half=True):
    """Promote two operands (tensors or numbers) to a float dtype and run ``op``."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"{name}() expected at least one Tensor argument")
    dt = D.result_type(input, other)
    if dt._category == D._COMPLEX or (not half and dt in (D.float16, D.bfloat16)):
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_cap(dt)}'")
    return _binary(op, input, other, out, float_result=True)


def xlog1py(input, other, *, out=None):
    """input * log1p(other), 0 where input is 0 and other is not nan
    (``torch.special.xlog1py``)."""
    return _binary_float("xlog1py", Xlog1py, input, other, out)


def zeta(input, other, *, out=None):
    """Hurwitz zeta function sum_k (other + k)^-input (``torch.special.zeta``); differentiable
    in ``other`` only, as in PyTorch."""
    return _binary_float("zeta", Zeta, input, other, out, half=False)


class Igamma(Op):
    """Regularized lower incomplete gamma P(a, x); PyTorch differentiates in x only."""
    save = (0, 1)
    upper = False

    def forward(ctx, a, x):
        return (_sp.gammaincc if ctx.upper else _sp.gammainc)(ctx.xp, a, x)

    def backward(ctx, g):
        if ctx.needs_input_grad[0]:
            which = "igammac" if ctx.upper else "igamma"
            raise NotImplementedError(f"the derivative for '{which}: input' is not implemented.")
        a, x = ctx.saved_tensors
        d = ((a - 1) * x.log() - x - a.lgamma()).exp()
        return None, g * (-d if ctx.upper else d)


class Igammac(Igamma):
    upper = True


def _igamma(name, op, input, other, out):
    for t in (input, other):
        if isinstance(t, Tensor) and t.dtype._category < D._FLOAT:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_cap(t.dtype)}'")
    return _binary_float(name, op, input, other, out)


def gammainc(input, other, *, out=None):
    """Regularized lower incomplete gamma function P(input, other)
    (``torch.special.gammainc``, ``torch.igamma``)."""
    return _igamma("igamma", Igamma, input, other, out)


def gammaincc(input, other, *, out=None):
    """Regularized upper incomplete gamma function Q(input, other) = 1 - P
    (``torch.special.gammaincc``, ``torch.igammac``)."""
    return _igamma("igammac", Igammac, input, other, out)
