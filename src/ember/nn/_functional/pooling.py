"""Pooling (``F.max_pool*``, ``F.avg_pool*``, adaptive, LP, ``F.max_unpool*``) over ``ops.pooling``."""
from ... import _checks
from ..._tensor import _wrap
from ...ops._dispatch import records
from ...ops.pooling import (pool_out_size, max_pool_indices, max_pool_values, PlaneGather,
                            PlaneScatter, WindowSum)
from ...ops.conv import prod
from .conv import ntuple, _fmt

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
           "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d",
           "lp_pool1d", "lp_pool2d"]


def _batch(input, nd, name):
    """Add a batch dim to unbatched input; check the rank like PyTorch."""
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with "
                           f"optional 0 dim batch size for input, but got:{_fmt(input.shape)}")
    return (input, True) if input.dim() == nd + 2 else (input.unsqueeze(0), False)


def _geometry(input, nd, kernel_size, stride, padding, dilation, ceil_mode):
    k = ntuple(kernel_size, nd, "kernel_size")
    s = k if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) \
        else ntuple(stride, nd, "stride")
    p, d = ntuple(padding, nd, "padding"), ntuple(dilation, nd, "dilation")
    if any(v <= 0 for v in d):
        raise RuntimeError("dilation should be greater than zero, but got "
                           f"{'x'.join(map(str, d))}")
    if any(v <= 0 for v in s):
        raise RuntimeError("stride should be greater than zero, but got "
                           f"{'x'.join(map(str, s))}")
    for pp, kk, dd in zip(p, k, d):
        if pp > (dd * (kk - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={pp}, kernel_size={kk} and dilation={dd}")
    sp = tuple(input.shape[2:])
    osz = tuple(pool_out_size(L, kk, ss, pp, dd, ceil_mode)
                for L, kk, ss, pp, dd in zip(sp, k, s, p, d))
    if any(o < 1 for o in osz):
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, input.shape[1:]))}). "
                           f"Calculated output size: "
                           f"({'x'.join(map(str, (input.shape[1],) + osz))}). "
                           f"Output size is too small")
    return k, s, p, d, osz


def _max_pool(input, nd, kernel_size, stride, padding, dilation, ceil_mode, name,
              indices=True):
    x, batched = _batch(input, nd, name)
    k, s, p, d, osz = _geometry(x, nd, kernel_size, stride, padding, dilation, ceil_mode)
    xp = x._backend()
    if not indices and not records(x):
        # neither asked for nor needed by a backward: the values alone
        out = _wrap(max_pool_values(xp, x._data, k, s, p, d, osz))
        return (out if batched else out.squeeze(0)), None
    idx, vals = max_pool_indices(xp, x._data, k, s, p, d, osz)
    unique = all(ss >= dd * (kk - 1) + 1 for ss, dd, kk in zip(s, d, k))
    out = PlaneGather.apply(x, idx=idx, unique=unique, values=vals)
    idx = _wrap(idx)
    if not batched:
        out, idx = out.squeeze(0), idx.squeeze(0)
    return out, idx


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """1-d max pooling returning (values, flat indices into each input row)."""
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode, "max_pool1d")


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """2-d max pooling returning (values, flat indices into each H*W plane)."""
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """3-d max pooling returning (values, flat indices into each D*H*W volume)."""
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, "max_pool3d")


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over sliding windows of (N, C, L) input (``stride`` defaults to ``kernel_size``)."""
    out, idx = _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode,
                         "max_pool1d", indices=return_indices)
    return (out, idx) if return_indices else out


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over sliding windows of (N, C, H, W) input; padding counts as -inf.

    >>> F.max_pool2d(x, 2)   # halves H and W
    """
    out, idx = _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode,
                         "max_pool2d", indices=return_indices)
    return (out, idx) if return_indices else out


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over sliding windows of (N, C, D, H, W) input."""
    out, idx = _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode,
                         "max_pool3d", indices=return_indices)
    return (out, idx) if return_indices else out


def _avg_pool(input, nd, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override, name):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with "
                           f"optional 0 dim batch size for input, but got:{_fmt(input.shape)}")
    batched = input.dim() == nd + 2
    x = input if batched else input.unsqueeze(0)
    k, s, p, _, osz = _geometry(x, nd, kernel_size, stride, padding, 1, ceil_mode)
    xp = x._backend()
    sp = tuple(x.shape[2:])
    his = tuple(max((o - 1) * ss + kk - L - pp, 0) for o, ss, kk, L, pp in zip(osz, s, k, sp, p))
    if divisor_override:
        scale = xp.asarray(1.0 / divisor_override, dtype=x._data.dtype)
    else:
        div = None
        for i in range(nd):
            start = xp.arange(osz[i]) * s[i] - p[i]
            if count_include_pad:
                cnt = xp.minimum(start + k[i], sp[i] + p[i]) - start
            else:
                cnt = xp.minimum(start + k[i], sp[i]) - xp.maximum(start, 0)
            shp = [1] * nd
            shp[i] = osz[i]
            cnt = cnt.reshape(shp)
            div = cnt if div is None else div * cnt
        scale = (1.0 / div).astype(x._data.dtype)
        if count_include_pad and not ceil_mode:
            scale = xp.asarray(1.0 / prod(k), dtype=x._data.dtype)
    out = WindowSum.apply(x, k=k, stride=s, pad=tuple(zip(p, his)), osz=osz, scale=scale)
    return out if batched else out.squeeze(0)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Mean over sliding windows of (N, C, L) input."""
    return _avg_pool(input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None,
                     "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over sliding windows of (N, C, H, W) input; zero padding counted unless
    ``count_include_pad=False``; ``divisor_override`` replaces the window size."""
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, "avg_pool2d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over sliding windows of (N, C, D, H, W) input."""
    return _avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, "avg_pool3d")


def _adaptive_bounds(L, o):
    starts = [(i * L) // o for i in range(o)]
    ends = [-(-((i + 1) * L) // o) for i in range(o)]
    return starts, ends


def _out_sizes(output_size, nd, sp):
    osz = ntuple(output_size, nd, "output_size") if not isinstance(output_size, (list, tuple)) \
        else tuple(sp[i] if v is None else int(v) for i, v in enumerate(output_size))
    return osz


def _adaptive_check(input, nd, name, colon=""):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got{colon} "
                           f"{_fmt(input.shape)}")
    return (input, True) if input.dim() == nd + 2 else (input.unsqueeze(0), False)


def _adaptive_avg(input, output_size, nd, name):
    _checks.check_adaptive_size(name, output_size, input.dim(), nd)
    x, batched = _adaptive_check(input, nd, name)
    sp = tuple(x.shape[2:])
    osz = _out_sizes(output_size, nd, sp)
    _checks.check_adaptive_output(name, tuple(x.shape[:2]) + tuple(osz), x.dtype.itemsize)
    if 0 in osz:  # an empty output: nothing to average
        out = x.new_zeros(tuple(x.shape[:2]) + tuple(osz))
        return out if batched else out.squeeze(0)
    if all(L % o == 0 for L, o in zip(sp, osz)):
        k = tuple(L // o for L, o in zip(sp, osz))
        xp = x._backend()
        out = WindowSum.apply(x, k=k, stride=k, pad=((0, 0),) * nd, osz=osz,
                              scale=xp.asarray(1.0 / prod(k), dtype=x._data.dtype))
    else:
        # separable averaging matrices, one matmul per spatial dim
        out = x
        xp = x._backend()
        for i in range(nd):
            L, o = sp[i], osz[i]
            starts, ends = _adaptive_bounds(L, o)
            m = xp.zeros((L, o), dtype=x._data.dtype)
            for j in range(o):
                m[starts[j]:ends[j], j] = 1.0 / (ends[j] - starts[j])
            out = out.movedim(2 + i, -1).matmul(_wrap(m)).movedim(-1, 2 + i)
    return out if batched else out.squeeze(0)


def adaptive_avg_pool1d(input, output_size):
    """Average pooling to a fixed output length (windows cover the input evenly)."""
    return _adaptive_avg(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input, output_size):
    """Average pooling of (N, C, H, W) to a fixed (oH, oW); ``None`` keeps a size."""
    return _adaptive_avg(input, output_size, 2, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input, output_size):
    """Average pooling of (N, C, D, H, W) to a fixed output size."""
    return _adaptive_avg(input, output_size, 3, "adaptive_avg_pool3d")


def _adaptive_max(input, output_size, nd, name):
    _checks.check_adaptive_size(name, output_size, input.dim(), nd, "max")
    x, batched = _adaptive_check(input, nd, name, ":")
    sp = tuple(x.shape[2:])
    osz = _out_sizes(output_size, nd, sp)
    _checks.check_adaptive_output(name, tuple(x.shape[:2]) + tuple(osz), x.dtype.itemsize)
    if 0 in osz:  # an empty output: no windows to take the max of
        shape = tuple(x.shape[:2]) + tuple(osz)
        out, idx = x.new_zeros(shape), _wrap(x._backend().zeros(shape, dtype="int64"))
        return (out, idx) if batched else (out.squeeze(0), idx.squeeze(0))
    xp = x._backend()
    # candidate positions per dim: (o, kmax), short windows repeat their last index
    flat = None
    plane = 1
    cand_shape = []
    for i in range(nd - 1, -1, -1):
        starts, ends = _adaptive_bounds(sp[i], osz[i])
        kmax = max(e - s for s, e in zip(starts, ends))
        st = xp.asarray(starts).reshape(-1, 1)
        en = xp.asarray(ends).reshape(-1, 1)
        pos = xp.minimum(st + xp.arange(kmax).reshape(1, -1), en - 1)
        shp = [1] * (2 * nd)
        shp[i], shp[nd + i] = osz[i], kmax
        term = pos.reshape(shp) * plane
        flat = term if flat is None else flat + term
        plane *= sp[i]
        cand_shape.insert(0, kmax)
    n, c = x.shape[:2]
    cand = xp.broadcast_to(flat, tuple(osz) + tuple(cand_shape)).reshape(prod(osz), -1)
    vals = x._data.reshape(n, c, -1)[:, :, cand]  # (N, C, O, Kmax)
    am = xp.argmax(vals, axis=-1)
    idx = cand[xp.arange(prod(osz)).reshape(1, 1, -1), am].reshape((n, c) + tuple(osz))
    out = PlaneGather.apply(x, idx=idx.astype(xp.int64))
    idx = _wrap(idx.astype(xp.int64))
    if not batched:
        out, idx = out.squeeze(0), idx.squeeze(0)
    return out, idx


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """Adaptive 1-d max pooling returning (values, indices)."""
    return _adaptive_max(input, output_size, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """Adaptive 2-d max pooling returning (values, indices)."""
    return _adaptive_max(input, output_size, 2, "adaptive_max_pool2d")


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling to a fixed output length."""
    out, idx = _adaptive_max(input, output_size, 1, "adaptive_max_pool1d")
    return (out, idx) if return_indices else out


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling of (N, C, H, W) to a fixed (oH, oW)."""
    out, idx = _adaptive_max(input, output_size, 2, "adaptive_max_pool2d")
    return (out, idx) if return_indices else out


def _max_unpool(input, indices, nd, kernel_size, stride, padding, output_size, name):
    k = ntuple(kernel_size, nd, "kernel_size")
    s = k if stride is None else ntuple(stride, nd, "stride")
    p = ntuple(padding, nd, "padding")
    batched = input.dim() == nd + 2
    x = input if batched else input.unsqueeze(0)
    ind = indices if batched else indices.unsqueeze(0)
    if output_size is None:
        osz = tuple((i - 1) * ss - 2 * pp + kk for i, ss, pp, kk in zip(x.shape[2:], s, p, k))
    else:
        osz = tuple(output_size)[-nd:]
    plane = prod(osz)
    idx = ind._data
    if idx.size and (int(idx.max()) >= plane or int(idx.min()) < 0):
        bad = int(idx.max()) if int(idx.max()) >= plane else int(idx.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, osz))}")
    out = PlaneScatter.apply(x, idx=idx, shape=tuple(x.shape[:2]) + osz, accumulate=False)
    return out if batched else out.squeeze(0)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of ``max_pool1d``: values written back at their indices, zeros elsewhere."""
    return _max_unpool(input, indices, 1, kernel_size, stride, padding, output_size,
                       "max_unpool1d")


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of ``max_pool2d``: values written back at their indices, zeros elsewhere."""
    return _max_unpool(input, indices, 2, kernel_size, stride, padding, output_size,
                       "max_unpool2d")


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of ``max_pool3d``."""
    return _max_unpool(input, indices, 3, kernel_size, stride, padding, output_size,
                       "max_unpool3d")


def _lp_pool(input, nd, norm_type, kernel_size, stride, ceil_mode):
    k = ntuple(kernel_size, nd, "kernel_size")
    pool = avg_pool1d if nd == 1 else avg_pool2d
    out = pool(input.pow(norm_type), k, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(prod(k)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: (sum over window of x^p)^(1/p)."""
    return _lp_pool(input, 1, float(norm_type), kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2-d power-average pooling: (sum over window of x^p)^(1/p)."""
    return _lp_pool(input, 2, float(norm_type), kernel_size, stride, ceil_mode)
