"""Pooling ops, vectorised over windows (strided views), never looping over pixels.

* ``window_argmax``: flat per-plane index of each window's maximum (max pooling's indices).
* ``PlaneGather`` / ``PlaneScatter``: take values at per-plane flat indices, and the adjoint
  (scatter-add, or plain writes for ``max_unpool``). Max pooling is ``PlaneGather`` at
  ``window_argmax``'s indices, so its backward is a scatter and its double backward a gather.
* ``WindowSum`` / ``WindowSumT``: scaled sums over windows (average / LP pooling) and the adjoint
  (col2im with one add per kernel position).
"""
import itertools

from ..autograd.node import Op
from .conv import pad_array, windows, col2im, prod

__all__ = []


def pool_out_size(L, k, s, p, d, ceil_mode):
    """PyTorch's pooling output length (the last window must start inside input or left pad)."""
    num = L + 2 * p - d * (k - 1) - 1
    o = (-(-num // s) if ceil_mode else num // s) + 1
    if ceil_mode and (o - 1) * s >= L + p:
        o -= 1
    return o


def window_argmax(xp, x, k, stride, pad, dil, osz):
    """(flat index into each (H*W...) plane, value) of the max of every pooling window.

    ``x`` is (N, C, *S); ``pad`` one int per dim (left; right is what the output size needs).
    """
    nd = len(k)
    sp = x.shape[2:]
    his = tuple(max((o - 1) * s + d * (kk - 1) + 1 - L - p, 0)
                for o, s, d, kk, L, p in zip(osz, stride, dil, k, sp, pad))
    if x.dtype.kind == "f":
        fill = -xp.inf
    elif x.dtype.kind == "b":
        fill = False
    else:
        fill = xp.iinfo(x.dtype).min
    xpad = pad_array(xp, x, tuple(zip(pad, his)), fill)
    w, _ = windows(xp, xpad, k, stride, dil)
    w = w[(slice(None), 0, slice(None)) + tuple(slice(0, o) for o in osz)]
    # kernel positions first, one contiguous copy: each running-max pass is then a fast slab op
    nd2 = w.ndim - nd
    slabs = xp.ascontiguousarray(w.transpose(tuple(range(nd2, w.ndim)) + tuple(range(nd2))))
    slabs = slabs.reshape((prod(k),) + slabs.shape[nd:])
    has_nan = x.dtype.kind == "f" and bool(xp.isnan(slabs).any())
    best = slabs[0].copy()
    am = xp.zeros(best.shape, dtype=xp.int64)
    for j in range(1, slabs.shape[0]):
        v = slabs[j]
        take = v > best  # first maximum wins; NaN propagates (last NaN's index, like PyTorch)
        if has_nan:
            take |= xp.isnan(v)
        am += take * (j - am)
        best = xp.maximum(best, v)
    return _flat_index(xp, am, k, stride, pad, dil, osz, sp), best


def _flat_index(xp, am, k, stride, pad, dil, osz, sp):
    """Flat per-plane input index of each window's maximum from its kernel position ``am``:
    window start (per output position) + kernel offset (per kernel position)."""
    nd = len(k)
    flat = None
    koff = xp.zeros(k, dtype=xp.int64)
    plane_stride = 1
    for i in range(nd - 1, -1, -1):
        shp = [1] * (2 + nd)
        shp[2 + i] = osz[i]
        start = (xp.arange(osz[i], dtype=xp.int64) * stride[i] - pad[i]).reshape(shp)
        term = start * plane_stride
        flat = term if flat is None else flat + term
        kshp = [1] * nd
        kshp[i] = k[i]
        koff = koff + (xp.arange(k[i], dtype=xp.int64) * dil[i] * plane_stride).reshape(kshp)
        plane_stride *= sp[i]
    flat = flat + koff.reshape(-1)[am]
    return flat.astype(xp.int64, copy=False)


def _tile_views(x, k, osz):
    """For each kernel position (row-major), the strided view of ``x`` (N, C, *S) holding that
    position of every non-overlapping window (stride == kernel, no padding)."""
    for kidx in itertools.product(*[range(kk) for kk in k]):
        yield (slice(None), slice(None)) + tuple(
            slice(a, a + o * kk, kk) for a, kk, o in zip(kidx, k, osz))


def tiled_argmax(xp, x, k, osz):
    """``window_argmax`` for non-overlapping windows (stride == kernel, no padding, dilation
    1): a running maximum over the kernel positions' strided views, with no window copy.
    Returns (flat index, values, kernel position of each maximum).

    The position of the first maximum comes after the values, by small-integer arithmetic
    on "not the maximum" masks, innermost position first:
    ``am = ne[0] * (1 + ne[1] * (1 + ... ne[P-2]))``, which is the first j with
    ``views[j] == best``. NaN windows fall back to the generic rule (last NaN's index)."""
    views = [x[v] for v in _tile_views(x, k, osz)]
    best = views[0].copy()
    for v in views[1:]:
        xp.maximum(best, v, out=best)
    if x.dtype.kind == "f" and not bool(xp.isfinite(best.sum())) and bool(xp.isnan(best).any()):
        flat, best = window_argmax(xp, x, k, k, (0,) * len(k), (1,) * len(k), osz)
        am = _local_of(xp, flat, k, osz, x.shape[2:])
        return flat, best, am
    small = xp.uint8 if len(views) < 256 else xp.int32
    if len(views) == 1:
        am = xp.zeros(best.shape, dtype=small)
    else:
        am = xp.not_equal(views[-2], best).astype(small)
        for j in range(len(views) - 3, -1, -1):
            am += small(1)
            am *= xp.not_equal(views[j], best)
    flat = _flat_index(xp, am, k, k, (0,) * len(k), (1,) * len(k), osz, x.shape[2:])
    return flat, best, am


def _local_of(xp, flat, k, osz, sp):
    """The kernel position (row-major) of each flat index of non-overlapping windows."""
    nd = len(k)
    local = xp.zeros(flat.shape, dtype=xp.int64)
    rest = flat
    for i in range(nd - 1, -1, -1):
        coord = rest % sp[i]
        rest = rest // sp[i]
        local += (coord % k[i]) * prod(k[i + 1:])
    return local


def max_pool_values(xp, x, k, stride, pad, dil, osz):
    """Max pooling's values only (no graph, no indices): a running maximum over strided
    views for non-overlapping windows, else ``window_argmax``'s values."""
    if _tiled(x.shape[2:], k, stride, pad, dil, osz):
        views = [x[v] for v in _tile_views(x, k, osz)]
        best = views[0].copy()
        for v in views[1:]:
            xp.maximum(best, v, out=best)
        return best
    return window_argmax(xp, x, k, stride, pad, dil, osz)[1]


def _tiled(sp, k, stride, pad, dil, osz):
    """Whether pooling windows tile the input: stride == kernel, no padding or dilation, and
    every window inside the input."""
    return tuple(stride) == tuple(k) and not any(pad) and all(d == 1 for d in dil) and \
        all(o * kk <= L for o, kk, L in zip(osz, k, sp))


def max_pool_indices(xp, x, k, stride, pad, dil, osz):
    """(flat index, values) of max pooling: ``tiled_argmax`` when windows do not overlap
    (stride == kernel, no padding, no dilation, windows inside the input), else
    ``window_argmax``."""
    if _tiled(x.shape[2:], k, stride, pad, dil, osz):
        return tiled_argmax(xp, x, k, osz)[:2]
    return window_argmax(xp, x, k, stride, pad, dil, osz)


def _global_index(xp, shape, idx):
    """Per-plane flat indices ``idx`` (N, C, ...) as flat indices into an array of ``shape``."""
    nc = shape[0] * shape[1]
    plane = prod(shape[2:])
    return (idx.reshape(nc, prod(idx.shape[2:])) + xp.arange(nc).reshape(nc, 1) * plane).ravel()


class PlaneGather(Op):
    """out[n, c, ...] = x[n, c].flat[idx[n, c, ...]]; backward scatter-adds."""
    _name = "MaxPool2DWithIndicesBackward0"

    def forward(ctx, x, idx, unique=False, values=None):
        ctx.idx, ctx.xshape, ctx.unique = idx, x.shape, unique
        if values is not None:
            return values
        return x.reshape(-1)[_global_index(ctx.xp, x.shape, idx)].reshape(idx.shape)

    def backward(ctx, g):
        return PlaneScatter.apply(g, idx=ctx.idx, shape=ctx.xshape, accumulate=not ctx.unique)


class PlaneScatter(Op):
    """A zero array of ``shape`` with ``src`` added (or written) at per-plane flat ``idx``.

    Writes (``accumulate=False``, indices unique per plane) go through one flat index into
    the whole array, which NumPy scatters about twice as fast as a (row, column) pair."""
    _name = "MaxUnpool2DBackward0"

    def forward(ctx, src, idx, shape, accumulate=True):
        xp = ctx.xp
        ctx.idx = idx
        shape = tuple(shape)
        size = prod(shape)
        glob = _global_index(xp, shape, idx)
        if accumulate:
            out = xp.bincount(glob, weights=src.ravel(), minlength=size)
            return out.astype(src.dtype, copy=False).reshape(shape)
        out = xp.zeros(size, dtype=src.dtype)
        out[glob] = src.ravel()
        return out.reshape(shape)

    def backward(ctx, g):
        return PlaneGather.apply(g, idx=ctx.idx)


class WindowSum(Op):
    """``scale * sum`` over each zero-padded window (average pooling's core)."""
    _name = "AvgPool2DBackward0"

    def forward(ctx, x, k, stride, pad, osz, scale):
        ctx.args = (tuple(x.shape), k, stride, pad, osz, scale)
        xp = ctx.xp
        nd = len(k)
        w, _ = windows(xp, pad_array(xp, x, pad), k, stride, (1,) * nd)
        w = w[(slice(None), 0, slice(None)) + tuple(slice(0, o) for o in osz)]
        s = w.sum(axis=tuple(range(-nd, 0)))
        return s * scale if scale is not None else s

    def backward(ctx, g):
        xshape, k, stride, pad, osz, scale = ctx.args
        return WindowSumT.apply(g, xshape=xshape, k=k, stride=stride, pad=pad, osz=osz,
                                scale=scale)


class WindowSumT(Op):
    """The adjoint of ``WindowSum``: each output's scaled value added back over its window."""
    _name = "AvgPool2DBackwardBackward0"

    def forward(ctx, g, xshape, k, stride, pad, osz, scale):
        ctx.args = (k, stride, pad, osz, scale)
        xp = ctx.xp
        nd = len(k)
        if scale is not None:
            g = g * scale
        n, c = g.shape[:2]
        cols = xp.broadcast_to(g.reshape((n, c) + (1,) * nd + tuple(osz)),
                               (n, c) + tuple(k) + tuple(osz))
        return col2im(xp, cols, xshape, k, stride, pad, (1,) * nd)

    def backward(ctx, gg):
        k, stride, pad, osz, scale = ctx.args
        return WindowSum.apply(gg, k=k, stride=stride, pad=pad, osz=osz, scale=scale)
