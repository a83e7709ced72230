"""More reductions and scans: vector norms (``torch.norm``), quantile, diff, logcumsumexp."""
import math

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd.node import Op
from ._helpers import wrap_dim, wrap_dims, dtype_of, handle_out, _cap
from .reduce import _restore

__all__ = ["norm", "quantile", "nanquantile", "diff", "logcumsumexp"]

_FUNCTIONS_ONLY = ()


class VectorNorm(Op):
    """(sum |x|^p)^(1/p) over ``dims``; p = inf/-inf is max/min |x|, p = 0 counts nonzeros.

    The derivative is g * sign(x) |x|^(p-1) / norm^(p-1), zero where the norm is zero
    (PyTorch's subgradient); for inf-norms it is shared among the tied extreme entries.
    """
    save = (0, "out")

    def forward(ctx, x, ord, dims, keepdim):
        ctx.args = (x.shape, dims, keepdim)
        ctx.ord = ord
        xp = ctx.xp
        a = xp.abs(x)
        if ord == math.inf or ord == -math.inf:
            if x.size == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an "
                                   "empty tensor because the operation does not have an identity")
            return (xp.max if ord > 0 else xp.min)(a, axis=dims, keepdims=keepdim)
        if ord == 0:
            return xp.sum(a != 0, axis=dims, keepdims=keepdim).astype(x.dtype)
        if ord == 1:
            return xp.sum(a, axis=dims, keepdims=keepdim)
        if ord == 2:
            return xp.sqrt(xp.sum(a * a, axis=dims, keepdims=keepdim))
        return xp.sum(a ** ord, axis=dims, keepdims=keepdim) ** (1.0 / ord)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        shape, dims, keepdim = ctx.args
        p = ctx.ord
        g = _restore(g, shape, dims, keepdim)
        y = _restore(y, shape, dims, keepdim)
        if p == 0:
            return g * 0 * x
        if p == 1:
            return g * x.sign()
        if p == 2:
            if not bool((y._data == 0).any()):
                return g * (x / y)
            return (g * x / y.masked_fill(y == 0, 1.0)).masked_fill(y == 0, 0.0)
        if p == math.inf or p == -math.inf:
            mask = (x.abs() == y).to(g.dtype)
            return g * x.sign() * mask / mask.sum(dims, keepdim=True)
        ax = x.abs()
        zero = (y == 0) | (ax == 0)
        ratio = (ax / y.masked_fill(zero, 1.0)).masked_fill(zero, 0.0)
        return g * x.sign() * ratio.pow(p - 1)


def _check_float(input, fname):
    if dtype_of(input)._category < D._FLOAT:
        raise RuntimeError(f"{fname}: Expected a floating point or complex tensor as input. "
                           f"Got {_cap(dtype_of(input))}")


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The ``ord``-norm of ``x`` as a vector over ``dim`` (``torch.linalg.vector_norm``)."""
    if dtype is not None:
        x = x.to(D.to_dtype(dtype))
    _check_float(x, "linalg.vector_norm")
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, but got {ord}")
    if x.is_complex():
        x = x.abs()
    dims = wrap_dims(dim, x._data.ndim)
    if x._data.ndim == 0:
        dims = ()
    return handle_out(VectorNorm.apply(x, ord=float(ord), dims=dims, keepdim=keepdim), out)


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """Matrix or vector norm (``torch.norm``): 'fro' / numbers are vector norms over ``dim``
    (all elements if None), 'nuc' is the nuclear norm of the matrices in ``dim``."""
    if isinstance(dim, int):
        dim = (dim,)
    if p == "nuc":
        from .linalg_extra import matrix_norm
        dims = (-2, -1) if dim is None else dim
        return handle_out(matrix_norm(input, "nuc", dims, keepdim, dtype=dtype), out)
    if p == "fro" or p is None:
        if dim is not None and len(dim) > 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {list(dim)}")
        p = 2
    elif isinstance(p, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, but got {p}")
    return vector_norm(input, p, dim, keepdim, dtype=dtype, out=out)


# ---- quantile ---------------------------------------------------------------------------------
_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, name, out):
    xp = input._backend()
    if dtype_of(input) not in (D.float32, D.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if interpolation not in _MODES:
        raise ValueError(f"{name}() interpolation must be one of linear, lower, higher, "
                         f"midpoint or nearest. Got {interpolation}")
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    scalar_q = not isinstance(q, Tensor) or q.dim() == 0
    if isinstance(q, Tensor):
        if q.dim() > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype is not input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qa = q._data.reshape(-1).astype(xp.float64)
    else:
        qa = xp.asarray([float(q)])
    if qa.size and (qa.min() < 0 or qa.max() > 1):
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    nd = input.dim()
    if dim is None:
        x, d = input.reshape(-1), 0
    else:
        d = wrap_dim(dim, nd)
        x = input if nd else input.reshape(1)
    x = x.movedim(d, -1)
    s = x.sort(-1).values
    n = s.shape[-1]
    nan = xp.isnan(x._data).sum(axis=-1)  # rows (R,)
    if ignore_nan:
        ranks = qa.reshape((-1,) + (1,) * nan.ndim) * xp.maximum(n - nan - 1, 0)
    else:
        ranks = qa.reshape((-1,) + (1,) * nan.ndim) * (n - 1) + 0 * nan
        ranks = xp.where(nan > 0, n - 1, ranks)
    lo, hi = xp.floor(ranks), xp.ceil(ranks)
    if interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    elif interpolation == "nearest":
        lo = hi = xp.round(ranks)
    w = ranks - lo if interpolation == "linear" else xp.full(ranks.shape, 0.5)
    Q = qa.shape[0]
    big = s.unsqueeze(0).expand((Q,) + tuple(s.shape))
    v_lo = big.gather(-1, _wrap(lo.astype(xp.int64)[..., None])).squeeze(-1)
    v_hi = big.gather(-1, _wrap(hi.astype(xp.int64)[..., None])).squeeze(-1)
    wt = _wrap(w.astype(input._data.dtype))
    r = (v_lo + wt * (v_hi - v_lo)).where(wt < 0.5, v_hi - (v_hi - v_lo) * (1 - wt))
    if keepdim:
        if dim is None:
            r = r.reshape((Q,) + (1,) * nd)
        elif nd:
            r = r.unsqueeze(d + 1)
    if scalar_q:
        r = r.squeeze(0)
    return handle_out(r, out)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-quantiles of ``input`` (all elements, or along ``dim``) (``torch.quantile``).

    A 1-d ``q`` adds a leading dim; NaN anywhere in a slice gives NaN.
    """
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile", out)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``quantile`` ignoring NaN values (``torch.nanquantile``)."""
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile", out)


# ---- diff, logcumsumexp --------------------------------------------------------------------
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim`` (``torch.diff``); bool inputs use xor."""
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    d = wrap_dim(dim, input.dim())
    if prepend is not None or append is not None:
        from .joining import cat
        parts = [t for t in (prepend, input, append) if t is not None]
        input = cat([t if isinstance(t, Tensor) else input.new_tensor(t).expand(
            tuple(1 if i == d else s for i, s in enumerate(input.shape))) for t in parts], d)
    x = input
    for _ in range(n):
        m = x.shape[d]
        if m == 0:
            break
        a, b = x.narrow(d, 1, m - 1), x.narrow(d, 0, m - 1)
        x = a.logical_xor(b) if x.dtype is D.bool_ else a - b
    return x


class LogCumSumExp(Op):
    save = (0, "out")

    def forward(ctx, x, d):
        ctx.d = d
        return ctx.xp.logaddexp.accumulate(x, axis=d) if x.size else x.copy()

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        d = ctx.d

        def rev(z):
            return z.flip(d).logcumsumexp(d).flip(d)

        def log_part(gg):  # log(gg) where gg > 0, else a finite stand-in for -inf (keeps
            # the double backward free of inf - inf)
            return gg.where(gg > 0, 1.0).log().masked_fill(gg <= 0, -1e30)
        return (rev(log_part(g) - y) + x).exp() - (rev(log_part(-g) - y) + x).exp()


def logcumsumexp(input, dim, *, out=None):
    """log(cumsum(exp(input))) along ``dim``, computed stably (``torch.logcumsumexp``)."""
    if dtype_of(input)._category < D._FLOAT:
        raise RuntimeError(f"\"logcumsumexp_out_cpu\" not implemented for "
                           f"'{_cap(dtype_of(input))}'")
    d = wrap_dim(dim, input.dim())
    if input.dim() == 0:
        return handle_out(input.clone(), out)
    return handle_out(LogCumSumExp.apply(input, d=d), out)
