"""Convolution as a few large BLAS calls: im2col windows (a strided view, one copy) + batched matmul.

Three ops close the derivative family so any order of gradient works:

* ``Conv``   y  = conv(x, w) (+ b)
* ``ConvDx`` dx = conv's input gradient given g and w (col2im; also conv_transpose's forward)
* ``ConvDw`` dw = conv's weight gradient given x and g

Each one's backward is written with the other two. The array kernels pick a path per shape
(measured in ``benchmarks/bench_conv_kernels.py``): Winograd F(2x2, 3x3) for 3x3 stride-1
convs with enough channels (``conv_winograd.py``), a padded-width input gradient for wide
stride-1 ones (``conv_shift.py``), else the im2col / col2im GEMMs below. Geometry (all
tuples, one entry per spatial dim): ``stride``, ``pad`` as ``(lo, hi)`` pairs, ``dil``;
``groups`` an int. Loops run over kernel positions only (col2im), never over batch, channels
or pixels.
"""
import itertools

from ..autograd.node import Op
from .conv_shift import use_shift, shift_dx
from .conv_winograd import WinoCols, use_winograd, wino_forward, wino_dw, wino_cols_of

__all__ = []


def prod(xs):
    """Product of a sequence of ints (1 for an empty one)."""
    n = 1
    for v in xs:
        n *= v
    return n


def pad_array(xp, x, pad, value=0):
    """Pad the trailing spatial dims of ``x`` by ``(lo, hi)`` pairs with a constant."""
    if not any(lo or hi for lo, hi in pad):
        return x
    widths = [(0, 0)] * (x.ndim - len(pad)) + [tuple(p) for p in pad]
    return xp.pad(x, widths, constant_values=value)


def out_size(sp, k, stride, dil):
    """Output lengths for padded lengths ``sp``."""
    return tuple((s - d * (kk - 1) - 1) // st + 1 for s, kk, st, d in zip(sp, k, stride, dil))


def windows(xp, x, k, stride, dil, groups=1):
    """Strided view (N, G, Cg, *O, *K) of padded ``x`` (N, C, *S): every kernel window."""
    n, c = x.shape[:2]
    sp = x.shape[2:]
    o = out_size(sp, k, stride, dil)
    st = x.strides
    shape = (n, groups, c // groups) + o + tuple(k)
    strides = (st[0], st[1] * (c // groups), st[1]) + \
        tuple(st[2 + i] * stride[i] for i in range(len(k))) + \
        tuple(st[2 + i] * dil[i] for i in range(len(k)))
    return xp.lib.stride_tricks.as_strided(x, shape, strides), o


def im2col(xp, x, k, stride, pad, dil, groups):
    """Columns (N, G, Cg*K, O) of zero-padded ``x``: one contiguous copy of all windows."""
    x = pad_array(xp, x, pad)
    w, o = windows(xp, x, k, stride, dil, groups)
    nd = len(k)
    # (N, G, Cg, *O, *K) -> (N, G, Cg, *K, *O)
    perm = (0, 1, 2) + tuple(range(3 + nd, 3 + 2 * nd)) + tuple(range(3, 3 + nd))
    n, g, cg = w.shape[:3]
    cols = xp.ascontiguousarray(w.transpose(perm)).reshape(n, g, cg * prod(k), prod(o))
    return cols, o


def col2im(xp, cols, xshape, k, stride, pad, dil):
    """Sum columns (N, C, *K, *O) back into an array of ``xshape`` (inverse layout of im2col)."""
    nd = len(k)
    o = cols.shape[2 + nd:]
    sp = tuple(s + lo + hi for s, (lo, hi) in zip(xshape[2:], pad))
    out = xp.zeros(tuple(xshape[:2]) + sp, dtype=cols.dtype)
    for kidx in itertools.product(*[range(kk) for kk in k]):
        sl = (slice(None), slice(None)) + tuple(
            slice(ki * d, ki * d + st * (oo - 1) + 1, st)
            for ki, d, st, oo in zip(kidx, dil, stride, o))
        out[sl] += cols[(slice(None), slice(None)) + kidx]
    if any(lo or hi for lo, hi in pad):
        out = out[(slice(None), slice(None)) + tuple(slice(lo, lo + s)
                                                     for (lo, _), s in zip(pad, xshape[2:]))]
    return out


def conv_forward(xp, x, w, stride, pad, dil, groups, cols=None):
    """conv(x, w) on arrays; returns (y, cols)."""
    if cols is None and use_winograd(x.shape, w.shape, stride, pad, dil, groups, x.dtype):
        return wino_forward(xp, x, w, pad)
    k = w.shape[2:]
    if cols is None:
        cols, o = im2col(xp, x, k, stride, pad, dil, groups)
    else:
        o = out_size(tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pad)), k, stride, dil)
    n = x.shape[0]
    cout = w.shape[0]
    wm = xp.ascontiguousarray(w).reshape(groups, cout // groups, -1)
    y = xp.matmul(wm, cols)  # (N, G, Cout_g, O)
    return y.reshape((n, cout) + o), cols


def conv_dx(xp, g, w, xshape, stride, pad, dil, groups):
    """The input gradient of conv for output gradient ``g``: one GEMM per group, then col2im.

    Works batch-last, (C, *K, *O, N), so each kernel position's add runs over long rows.
    3x3 stride-1 convs take the Winograd forward of ``g`` with the flipped, transposed kernel,
    other wide stride-1 2-d ones the padded-width kernel (``conv_shift``).
    """
    exact = tuple(g.shape[2:]) == out_size(
        tuple(s + lo + hi for s, (lo, hi) in zip(xshape[2:], pad)), w.shape[2:], stride, dil)
    if exact and len(xshape) == 4 and tuple(w.shape[2:]) == (3, 3):
        flipped_pad = tuple((2 - lo, 2 - hi) for lo, hi in pad)
        wf_shape = (w.shape[1], w.shape[0], 3, 3)
        if use_winograd(g.shape, wf_shape, stride, flipped_pad, dil, groups, g.dtype):
            wf = xp.ascontiguousarray(w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])
            return wino_forward(xp, g, wf, flipped_pad)[0]
    if exact and use_shift(xshape, w.shape, stride, pad, dil, groups):
        return shift_dx(xp, g, w, xshape, pad, dil)
    n, cout = g.shape[:2]
    o = tuple(g.shape[2:])
    k = tuple(w.shape[2:])
    nd = len(k)
    cg = w.shape[1]
    gt = xp.ascontiguousarray(g.transpose(tuple(range(1, nd + 2)) + (0,)))
    gt = gt.reshape(groups, cout // groups, prod(o) * n)
    wt = xp.ascontiguousarray(w.reshape(groups, cout // groups, -1).transpose(0, 2, 1))
    cols = xp.matmul(wt, gt).reshape((groups * cg,) + k + o + (n,))
    sp = tuple(s + lo + hi for s, (lo, hi) in zip(xshape[2:], pad))
    out = xp.zeros((groups * cg,) + sp + (n,), dtype=cols.dtype)
    for kidx in itertools.product(*[range(kk) for kk in k]):
        sl = (slice(None),) + tuple(slice(ki * d, ki * d + st * (oo - 1) + 1, st)
                                    for ki, d, st, oo in zip(kidx, dil, stride, o))
        out[sl] += cols[(slice(None),) + kidx]
    if any(lo or hi for lo, hi in pad):
        out = out[(slice(None),) + tuple(slice(lo, lo + s)
                                         for (lo, _), s in zip(pad, xshape[2:]))]
    return xp.ascontiguousarray(out.transpose((nd + 1, 0) + tuple(range(1, nd + 1))))


def conv_dw(xp, x, g, wshape, stride, pad, dil, groups, cols=None):
    """The weight gradient of conv for input ``x`` and output gradient ``g``:
    sum over the batch of g[n] @ cols[n]^T (batched GEMM, then one reduction)."""
    if isinstance(cols, WinoCols):
        return wino_dw(xp, g, wshape, cols)
    if cols is None and use_winograd(x.shape, wshape, stride, pad, dil, groups, x.dtype):
        return wino_dw(xp, g, wshape, wino_cols_of(xp, x, pad))
    k = wshape[2:]
    if cols is None:
        cols, _ = im2col(xp, x, k, stride, pad, dil, groups)
    n, cout = g.shape[:2]
    gm = g.reshape(n, groups, cout // groups, prod(g.shape[2:]))
    return xp.matmul(gm, cols.transpose(0, 1, 3, 2)).sum(0).reshape(wshape)


class Conv(Op):
    """N-d convolution (cross-correlation) with optional bias, PyTorch's ``convolution``."""
    _name = "ConvolutionBackward0"
    save = (0, 1)

    def forward(ctx, x, w, b, geom):
        ctx.geom = geom
        y, cols = conv_forward(ctx.xp, x, w, *geom)
        ctx.cols = cols
        if b is not None:
            y += b.reshape((1, -1) + (1,) * (y.ndim - 2))
        return y

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad
        gx = ConvDx.apply(g, w, xshape=x.shape, geom=ctx.geom) if nx else None
        gw = ConvDw.apply(x, g, wshape=w.shape, geom=ctx.geom, cols=ctx.cols) if nw else None
        gb = g.sum((0,) + tuple(range(2, g.dim()))) if nb else None
        return gx, gw, gb

    def _release(self):
        super()._release()
        self.cols = None  # the im2col buffer goes with the saved tensors


class ConvDx(Op):
    """conv's input gradient (= transposed convolution of ``g`` with ``w``)."""
    _name = "ConvolutionBackward0"
    save = (0, 1)

    def forward(ctx, g, w, xshape, geom):
        ctx.xshape, ctx.geom = tuple(xshape), geom
        return conv_dx(ctx.xp, g, w, tuple(xshape), *geom)

    def backward(ctx, gg):
        g, w = ctx.saved_tensors
        ng, nw = ctx.needs_input_grad
        r_g = Conv.apply(gg, w, None, geom=ctx.geom) if ng else None
        r_w = ConvDw.apply(gg, g, wshape=w.shape, geom=ctx.geom) if nw else None
        return r_g, r_w


class ConvDw(Op):
    """conv's weight gradient given input ``x`` and output gradient ``g``."""
    _name = "ConvolutionBackward0"
    save = (0, 1)

    def forward(ctx, x, g, wshape, geom, cols=None):
        ctx.wshape, ctx.geom = tuple(wshape), geom
        return conv_dw(ctx.xp, x, g, tuple(wshape), *geom, cols=cols)

    def backward(ctx, gg):
        x, g = ctx.saved_tensors
        nx, ng = ctx.needs_input_grad
        r_x = ConvDx.apply(g, gg, xshape=x.shape, geom=ctx.geom) if nx else None
        r_g = Conv.apply(x, gg, None, geom=ctx.geom) if ng else None
        return r_x, r_g


class ConvTransposeBias(Op):
    """conv_transpose: ``ConvDx`` of the input plus a per-channel bias, in one node."""
    _name = "ConvolutionBackward0"
    save = (0, 1)

    def forward(ctx, x, w, b, xshape, geom):
        ctx.geom = geom
        y = conv_dx(ctx.xp, x, w, tuple(xshape), *geom)
        if b is not None:
            y += b.reshape((1, -1) + (1,) * (y.ndim - 2))
        return y

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad
        rx = Conv.apply(g, w, None, geom=ctx.geom) if nx else None
        rw = ConvDw.apply(g, x, wshape=w.shape, geom=ctx.geom) if nw else None
        rb = g.sum((0,) + tuple(range(2, g.dim()))) if nb else None
        return rx, rw, rb


class Im2Col(Op):
    """``F.unfold``: (N, C, *S) -> (N, C*K, L) sliding blocks; backward is ``Col2Im``."""
    _name = "Im2ColBackward0"

    def forward(ctx, x, k, stride, pad, dil):
        ctx.args = (tuple(x.shape), k, stride, pad, dil)
        cols, o = im2col(ctx.xp, x, k, stride, pad, dil, 1)
        return cols.reshape(x.shape[0], -1, prod(o))

    def backward(ctx, g):
        xshape, k, stride, pad, dil = ctx.args
        return Col2Im.apply(g, xshape=xshape, k=k, stride=stride, pad=pad, dil=dil)


class Col2Im(Op):
    """``F.fold``: sums (N, C*K, L) blocks into (N, C, *S); backward is ``Im2Col``."""
    _name = "Col2ImBackward0"

    def forward(ctx, cols, xshape, k, stride, pad, dil):
        ctx.args = (k, stride, pad, dil)
        sp = tuple(s + lo + hi for s, (lo, hi) in zip(xshape[2:], pad))
        o = out_size(sp, k, stride, dil)
        c = cols.reshape((xshape[0], xshape[1]) + tuple(k) + o)
        return col2im(ctx.xp, c, xshape, k, stride, pad, dil)

    def backward(ctx, g):
        k, stride, pad, dil = ctx.args
        return Im2Col.apply(g, k=k, stride=stride, pad=pad, dil=dil)
