"""Pooling ops, vectorised over windows (strided views), never looping over pixels.

* ``window_argmax``: flat per-plane index of each window's maximum (max pooling's indices).
* ``PlaneGather`` / ``PlaneScatter``: take values at per-plane flat indices, and the adjoint
  (scatter-add, or plain writes for ``max_unpool``). Max pooling is ``PlaneGather`` at
  ``window_argmax``'s indices, so its backward is a scatter and its double backward a gather.
* ``WindowSum`` / ``WindowSumT``: scaled sums over windows (average / LP pooling) and the adjoint
  (col2im with one add per kernel position).
"""
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
    # flat index = window start (per output position) + kernel offset (per kernel position)
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
    return flat.astype(xp.int64), best


def _rows(xp, shape, idx):
    nc = shape[0] * shape[1]
    return xp.arange(nc).reshape(nc, 1), idx.reshape(nc, prod(idx.shape[2:]))


class PlaneGather(Op):
    """out[n, c, ...] = x[n, c].flat[idx[n, c, ...]]; backward scatter-adds."""
    _name = "MaxPool2DWithIndicesBackward0"

    def forward(ctx, x, idx, unique=False, values=None):
        ctx.idx, ctx.xshape, ctx.unique = idx, x.shape, unique
        if values is not None:
            return values
        r, i = _rows(ctx.xp, x.shape, idx)
        return x.reshape(r.shape[0], prod(x.shape[2:]))[r, i].reshape(idx.shape)

    def backward(ctx, g):
        return PlaneScatter.apply(g, idx=ctx.idx, shape=ctx.xshape, accumulate=not ctx.unique)


class PlaneScatter(Op):
    """A zero array of ``shape`` with ``src`` added (or written) at per-plane flat ``idx``."""
    _name = "MaxUnpool2DBackward0"

    def forward(ctx, src, idx, shape, accumulate=True):
        xp = ctx.xp
        ctx.idx = idx
        shape = tuple(shape)
        nc = shape[0] * shape[1]
        plane = prod(shape[2:])
        if accumulate:
            glob = (idx.reshape(nc, prod(idx.shape[2:])) +
                    xp.arange(nc).reshape(nc, 1) * plane).ravel()
            out = xp.bincount(glob, weights=src.ravel(), minlength=nc * plane)
            return out.astype(src.dtype, copy=False).reshape(shape)
        out = xp.zeros((nc, plane), dtype=src.dtype)
        r, i = _rows(xp, shape, idx)
        out[r, i] = src.reshape(nc, prod(src.shape[2:]))
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
