"""Sorting, selection and search: sort, topk, kthvalue, median, mode, cummax, unique, searchsorted.

The positions are found on the backend arrays; values are then read with ``gather`` (whose
derivative scatters the gradient back), so every value output is differentiable without an
``Op`` of its own.
"""
import math

from .. import _checks, _dtype as D
from .._tensor import Tensor, _wrap
from ._dispatch import records
from ._dims import wrap_dim
from ._operands import dtype_of, return_type
from ._inplace import handle_out, _cap
from .indexing import Gather
from ._registry import register



_rt = {n: return_type(n, ["values", "indices"]) for n in
       ("sort", "topk", "kthvalue", "median", "nanmedian", "mode", "cummax", "cummin")}
histogram_rt = return_type("histogram", ["hist", "bin_edges"])


def _argsort(xp, x, d, descending):
    """Stable sort positions along axis ``d``; NaN sorts as the largest value (as in PyTorch)."""
    if x.dtype == xp.bool_:
        x = x.view(xp.uint8)
    if not descending:
        return xp.argsort(x, axis=d, kind="stable")
    n = x.shape[d]
    rev = xp.flip(x, axis=d)
    idx = xp.argsort(rev, axis=d, kind="stable")
    return (n - 1) - xp.flip(idx, axis=d)


def _finish(values, indices, name, out):
    if out is not None:
        handle_out(values, out[0])
        handle_out(indices, out[1])
        return _rt[name](out[0], out[1])
    return _rt[name](values, indices)


def _take(input, d, idx):
    """Values of ``input`` at positions ``idx`` (backend int array) along ``d``, differentiable."""
    if input._data.ndim == 0:
        return input.clone()
    if records(input):
        return Gather.apply(input, _wrap(idx), d=d)  # positions are valid: skip the checks
    return _wrap(input._backend().take_along_axis(input._data, idx, axis=d))


@register
def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """Sort along ``dim``; returns (values, indices), ties kept in input order (``torch.sort``)."""
    if isinstance(dim, bool):  # sort(x, stable=..., ...) positional misuse guard
        raise TypeError("sort(): argument 'dim' must be int, not bool")
    xp = input._backend()
    x = input._data
    if x.ndim == 0:
        return _finish(input.clone(), _wrap(xp.zeros((), dtype=xp.int64)), "sort", out)
    d = wrap_dim(dim, x.ndim)
    idx = _argsort(xp, x, d, descending).astype(xp.int64)
    return _finish(_take(input, d, idx), _wrap(idx), "sort", out)


@register
def argsort(input, dim=-1, descending=False, stable=False):
    """Indices that sort ``input`` along ``dim`` (``torch.argsort``)."""
    return sort(input, dim, descending, stable=stable).indices


@register
def msort(input, *, out=None):
    """Sort along the first dim, values only (``torch.msort``)."""
    return handle_out(sort(input, 0).values, out)


@register
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The ``k`` largest (or smallest) entries along ``dim`` as (values, indices) (``torch.topk``)."""
    k = _checks.check_int("topk", k, "k", 1)
    xp = input._backend()
    x = input._data
    d = wrap_dim(dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if x.ndim == 0:
        return _finish(input.clone(), _wrap(xp.zeros((), dtype=xp.int64)), "topk", out)
    if 0 < k < n // 2 and x.dtype != xp.bool_:  # partition first: O(n) instead of a full sort
        part = xp.argpartition(x, n - k if largest else k - 1, axis=d)
        part = xp.take(part, xp.arange(n - k, n) if largest else xp.arange(k), axis=d)
        sub = xp.take_along_axis(x, part, axis=d)
        idx = xp.take_along_axis(part, _argsort(xp, sub, d, largest), axis=d).astype(xp.int64)
    else:
        idx = xp.take(_argsort(xp, x, d, largest), xp.arange(k), axis=d).astype(xp.int64)
    return _finish(_take(input, d, idx), _wrap(idx), "topk", out)


def _select_sorted(input, dim, keepdim, name, pos_fn, out=None):
    """Pick, per slice along ``dim``, the entry at sorted position ``pos_fn(n, nan_count)``."""
    xp = input._backend()
    x = input._data
    if x.ndim == 0:  # dim 0 or -1 only, as for a 1-d tensor
        wrap_dim(dim, 1)
        return _finish(input.clone(), _wrap(xp.zeros((), dtype=xp.int64)), name, out)
    d = wrap_dim(dim, x.ndim)
    n = x.shape[d]
    if n == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    isnan = xp.isnan(x) if x.dtype.kind in "fc" else None
    nan = isnan.sum(axis=d, keepdims=True) if isnan is not None else xp.zeros(
        [1 if i == d else s for i, s in enumerate(x.shape)], dtype=xp.int64)
    pos = pos_fn(n, nan).astype(xp.int64)
    kth = xp.unique(pos)
    if kth.size <= 8:  # selection, not a full sort; NaN partitions as the largest value
        xs = x.view(xp.uint8) if x.dtype == xp.bool_ else x
        order = xp.argpartition(xs, kth, axis=d)
    else:
        order = _argsort(xp, x, d, False)
    idx = xp.take_along_axis(order, pos, axis=d).astype(xp.int64)
    if isnan is not None and bool((nan > 0).any()):  # a position among the NaNs: the first NaN
        idx = xp.where(pos >= n - nan, xp.argmax(isnan, axis=d, keepdims=True), idx)
    vals = _take(input, d, idx)
    if not keepdim:
        idx = xp.squeeze(idx, d)
        vals = vals.squeeze(d)
    return _finish(vals, _wrap(idx), name, out)


@register
def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The ``k``-th smallest entry (1-based) along ``dim`` as (values, indices) (``torch.kthvalue``)."""
    d = wrap_dim(dim, max(input.dim(), 1))
    n = input.shape[d] if input.dim() else 1
    if input.dtype is D.bool_ and input.dim():
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return _select_sorted(input, dim, keepdim, "kthvalue", lambda n, nan: nan * 0 + (k - 1), out)


def _median(input, dim, keepdim, name, ignore_nan, out):
    if input.dtype is D.bool_:  # no bool kernel (the dim is checked first)
        if dim is not None:
            wrap_dim(dim, max(input.dim(), 1))
        raise NotImplementedError(f"\"median_{'cpu' if dim is None else 'out'}\" not "
                                  f"implemented for 'Bool'")
    if dim is None:
        flat = input.reshape(-1)
        if flat.numel() == 0:
            return flat.new_full((), float("nan"))
        return _median(flat, 0, False, name, ignore_nan, None).values

    def pos(n, nan):
        if ignore_nan:  # lower median of the non-NaN values; all NaN -> the first NaN
            valid = n - nan
            return (valid - 1).clip(0, None) // 2
        # any NaN -> the first NaN (sorted after all numbers), else the lower median
        return (nan > 0) * (n - nan) + (nan == 0) * ((n - 1) // 2)
    return _select_sorted(input, dim, keepdim, name, pos, out)


@register
def median(input, dim=None, keepdim=False, *, out=None):
    """Lower median: of all elements (a 0-d tensor), or along ``dim`` as (values, indices).

    NaN propagates (``torch.median``); see ``nanmedian`` to ignore it.
    """
    return _median(input, dim, keepdim, "median", False, out)


@register
def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """Lower median ignoring NaN values (``torch.nanmedian``)."""
    return _median(input, dim, keepdim, "nanmedian", True, out)


@register
def mode(input, dim=-1, keepdim=False, *, out=None):
    """Most frequent value along ``dim`` (the smallest on ties) and its last index (``torch.mode``)."""
    xp = input._backend()
    x = input._data
    if x.ndim == 0:
        wrap_dim(dim, 1)
        return _finish(input.clone(), _wrap(xp.zeros((), dtype=xp.int64)), "mode", out)
    d = wrap_dim(dim, x.ndim)
    n = x.shape[d]
    if n == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    order = xp.moveaxis(_argsort(xp, x, d, False), d, -1)
    s = xp.take_along_axis(xp.moveaxis(x, d, -1), order, axis=-1)
    j = xp.arange(n)
    start = xp.ones(s.shape, dtype=bool)
    start[..., 1:] = s[..., 1:] != s[..., :-1]
    run_start = xp.maximum.accumulate(xp.where(start, j, 0), axis=-1)
    count = j - run_start  # position within the run of equal values
    end = xp.argmax(count, axis=-1)[..., None]  # first run of the largest size ends here
    idx = xp.moveaxis(xp.take_along_axis(order, end, axis=-1), -1, d).astype(xp.int64)
    vals = _take(input, d, idx)
    if not keepdim:
        idx, vals = xp.squeeze(idx, d), vals.squeeze(d)
    return _finish(vals, _wrap(idx), "mode", out)


def _cum_extreme(input, dim, name, out):
    xp = input._backend()
    x = input._data
    if x.ndim == 0:
        return _finish(input.clone(), _wrap(xp.zeros((), dtype=xp.int64)), name, out)
    d = wrap_dim(dim, x.ndim)
    ufunc = xp.maximum if name == "cummax" else xp.minimum
    acc = ufunc.accumulate(x, axis=d) if x.size else x
    hit = x == acc
    if x.dtype.kind in "fc":
        hit |= xp.isnan(x)
    shape = [1] * x.ndim
    shape[d] = x.shape[d]
    pos = xp.where(hit, xp.arange(x.shape[d], dtype=xp.int32).reshape(shape), xp.int32(0))
    idx = (xp.maximum.accumulate(pos, axis=d) if x.size else pos).astype(xp.int64)
    vals = _take(input, d, idx) if records(input) else _wrap(acc)
    return _finish(vals, _wrap(idx), name, out)


@register
def cummax(input, dim, *, out=None):
    """Running maximum along ``dim`` and the index where it was (last) reached (``torch.cummax``)."""
    return _cum_extreme(input, dim, "cummax", out)


@register
def cummin(input, dim, *, out=None):
    """Running minimum along ``dim`` and the index where it was (last) reached (``torch.cummin``)."""
    return _cum_extreme(input, dim, "cummin", out)


@register(numpy_names=False)  # torch.unique(x, axis=0) is a TypeError in PyTorch
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """Distinct values (sorted), optionally with inverse indices and counts (``torch.unique``).

    With ``dim``, distinct slices along that dim.
    """
    xp = input._backend()
    x = input._data
    if dim is None and x.dtype.kind in "iub" and x.size:
        vals, inv, counts = _unique_small_ints(xp, x)
    elif dim is None:
        vals, inv, counts = xp.unique(x.reshape(-1), return_inverse=True, return_counts=True)
        inv = inv.reshape(x.shape)
    else:
        d = wrap_dim(dim, x.ndim)
        if x.shape[d] == 0 and x.size == 0 and x.ndim > 1:
            raise RuntimeError("Number of zero sized dimensions is more than one, so unique "
                               "cannot be applied ")
        vals, inv, counts = xp.unique(x, return_inverse=True, return_counts=True, axis=d)
        inv = inv.reshape(-1)
    res = [_wrap(vals.astype(x.dtype, copy=False))]
    if return_inverse:
        res.append(_wrap(inv.astype(xp.int64)))
    if return_counts:
        res.append(_wrap(counts.astype(xp.int64)))
    return res[0] if len(res) == 1 else tuple(res)


def _unique_small_ints(xp, x):
    """unique for integers: by counting when the value range is small, else by sorting."""
    flat = x.reshape(-1).astype(xp.int64)
    lo = int(flat.min())
    span = int(flat.max()) - lo + 1
    if span > 2 * flat.size + 1024:
        vals, inv, counts = xp.unique(flat, return_inverse=True, return_counts=True)
        return vals.astype(x.dtype), inv.reshape(x.shape), counts
    off = flat - lo
    full = xp.bincount(off, minlength=span)
    present = full > 0
    vals = (xp.nonzero(present)[0] + lo).astype(x.dtype)
    rank = xp.cumsum(present) - 1
    return vals, rank[off].reshape(x.shape), full[present]


@register
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive values (or slices along ``dim``) (``torch.unique_consecutive``)."""
    xp = input._backend()
    x = input._data
    if dim is None:
        flat = x.reshape(-1)
        change = flat[1:] != flat[:-1]
        d = 0
    else:
        d = wrap_dim(dim, x.ndim)
        flat = x
        a = xp.moveaxis(x, d, 0).reshape(x.shape[d], -1)
        change = (a[1:] != a[:-1]).any(axis=1)
    n = flat.shape[d]
    start = xp.concatenate([xp.ones(min(n, 1), dtype=bool), change])
    keep = xp.nonzero(start)[0]
    vals = xp.take(flat, keep, axis=d)
    res = [_wrap(vals)]
    if return_inverse:
        inv = xp.cumsum(start) - 1
        res.append(_wrap(inv.reshape(x.shape if dim is None else (-1,)).astype(xp.int64)))
    if return_counts:
        res.append(_wrap(xp.diff(xp.concatenate([keep, xp.asarray([n])])).astype(xp.int64)))
    return res[0] if len(res) == 1 else tuple(res)


@register
def bincount(input, weights=None, minlength=0):
    """Count of each value in a 1-d non-negative integer tensor, optionally weighted (``torch.bincount``)."""
    xp = input._backend()
    x = input._data
    if dtype_of(input)._category != D._INT:
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for "
                                  f"'{_cap(dtype_of(input))}'")
    if x.ndim != 1 or dtype_of(input)._category != D._INT or (x.size and int(x.min()) < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return _wrap(xp.bincount(x, minlength=minlength).astype(xp.int64))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != x.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    out_dt = w.dtype if w.dtype.kind == "f" else xp.float64
    return _wrap(xp.bincount(x, weights=w, minlength=minlength).astype(out_dt))


@register
def histc(input, bins=100, min=0, max=0, *, out=None):
    """Histogram with ``bins`` equal bins over [min, max] (data range if equal) (``torch.histc``)."""
    xp = input._backend()
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_cap(dtype_of(input))}'")
    if bins <= 0:
        raise RuntimeError("torch.histc(): bins must be > 0, but got " + str(bins) + " for bins")
    lo, hi = float(min), float(max)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{min:g}, {max:g}] is not finite")
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"torch.histc(): max must be larger than min, but got min {lo} max {hi}")
    v = x.reshape(-1)
    v = v[(v >= lo) & (v <= hi)]
    pos = ((v.astype(xp.float64) - lo) * bins / (hi - lo)).astype(xp.int64)
    pos = xp.minimum(pos, bins - 1)
    return handle_out(_wrap(xp.bincount(pos, minlength=bins).astype(x.dtype)), out)


@register
def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """Histogram and bin edges; ``bins`` an int or a 1-d tensor of edges (``torch.histogram``)."""
    xp = input._backend()
    x = input._data
    if x.dtype.kind != "f":
        raise RuntimeError(f"torch.histogram: input tensor and bins tensors should have the same "
                           f"dtype, but got input {dtype_of(input).name} and bins float")
    b = bins._data if isinstance(bins, Tensor) else bins
    w = None if weight is None else weight._data.reshape(-1)
    hist, edges = xp.histogram(x.reshape(-1), bins=b, range=range, weights=w, density=density)
    res = histogram_rt(_wrap(hist.astype(x.dtype)), _wrap(edges.astype(x.dtype)))
    if out is not None:
        handle_out(res[0], out[0])
        handle_out(res[1], out[1])
        return histogram_rt(out[0], out[1])
    return res


@register(method=False)
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None,
                 out=None):
    """Insertion indices of ``input`` values into the innermost dim of ``sorted_sequence``.

    ``right``/``side='right'`` picks the last valid position (``torch.searchsorted``).
    """
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    xp = sorted_sequence._backend()
    seq = sorted_sequence._data
    scalar = not isinstance(input, Tensor)
    vals = xp.asarray(input._data if not scalar else input)
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter._data, axis=-1)
    s = "right" if right else "left"
    if seq.ndim == 1:
        res = xp.searchsorted(seq, vals, side=s)
    else:
        if scalar or seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or "
                               f"the first N-1 dimensions of boundaries tensor and input value "
                               f"tensor must match, but we got boundaries tensor "
                               f"{list(seq.shape)} and input value tensor {list(vals.shape)}")
        cmp = (seq[..., None, :] <= vals[..., :, None]) if right else \
            (seq[..., None, :] < vals[..., :, None])
        res = cmp.sum(axis=-1)
    res = _wrap(xp.asarray(res).astype(xp.int32 if out_int32 else xp.int64))
    return handle_out(res, out)


@register(method=False)
def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """Index of the bucket of each value given 1-d ``boundaries`` (``torch.bucketize``).

    right=False: boundaries[i-1] < x <= boundaries[i]; right=True: boundaries[i-1] <= x < boundaries[i].
    """
    if boundaries.dim() != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries.dim()})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)
