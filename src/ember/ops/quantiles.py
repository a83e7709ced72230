"""Order statistics by interpolation: quantile and nanquantile."""

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ._dims import wrap_dim
from ._operands import dtype_of
from ._inplace import handle_out
from ._registry import register



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


@register
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-quantiles of ``input`` (all elements, or along ``dim``) (``torch.quantile``).

    A 1-d ``q`` adds a leading dim; NaN anywhere in a slice gives NaN.
    """
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile", out)


@register
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``quantile`` ignoring NaN values (``torch.nanquantile``)."""
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile", out)
