"""Stride-1 2-d convolution kernels on a "padded-width" layout: no windowed im2col copy.

The zero-padded input is laid out channel-major, ``X`` of shape (C, N, Hp + extra, Wp), and each
image plane is read as one flat row. Output position (i, j) of kernel tap (a, b) then reads
``X.flat[(i + a*d) * Wp + j + b*d]``, so for every tap the inputs of *all* output positions
are one contiguous slice of each (c, n) row, starting at ``a*d*Wp + b*d``. Computing every
output row over the full padded width ``Wp`` (the last ``Wp - Wo`` columns are junk and are
dropped) turns the convolution into

* forward: ``cols[tap] = X[..., off(tap) : off(tap) + Ho*Wp]`` (kh*kw plain slice copies),
  then one GEMM ``(Cout, kh*kw*C) @ (kh*kw*C, N*Ho*Wp)``;
* weight gradient: one GEMM of the zero-extended output gradient with the same ``cols``;
* input gradient: one GEMM ``(kh*kw*C, Cout) @ (Cout, N*Ho*Wp)``, then kh*kw slice adds back
  into the padded layout (the adjoint of the slice copies).

Every copy and add runs over long contiguous rows, where the windowed im2col copies short
runs of a 7-d strided view. The cost is the junk columns, a factor ``Wp / Wo`` of extra GEMM
work, so ``use_shift`` keeps the old path for narrow images and strided or grouped convs.
"""

__all__ = []

ENABLED = True  # switch for tests and benchmarks that compare against the windowed path


class ShiftCols:
    """The forward's column buffer (kh*kw*C, N*Ho*Wp) and the geometry that produced it."""
    __slots__ = ("cols", "wp")

    def __init__(self, cols, wp):
        self.cols, self.wp = cols, wp


def use_shift(xshape, wshape, stride, pad, dil, groups):
    """Whether the padded-width kernels apply and are expected to win (measured in
    ``benchmarks/bench_conv_kernels.py``): 2-d, stride 1, one group, output at least 8 wide
    and more than one input channel (with one channel the windowed copy is already cheap)."""
    if not ENABLED or len(wshape) != 4 or groups != 1 or stride != (1, 1):
        return False
    cin = wshape[1]
    wp = xshape[3] + pad[1][0] + pad[1][1]
    wo = wp - dil[1] * (wshape[3] - 1)
    return cin > 1 and wo >= 8


def _geometry(xshape, wshape, pad, dil):
    """(Hp, Wp, Ho, Wo, rows) where ``rows`` >= Hp leaves room for the last tap's overrun."""
    h, w = xshape[2:]
    kh, kw = wshape[2:]
    hp = h + pad[0][0] + pad[0][1]
    wp = w + pad[1][0] + pad[1][1]
    ho, wo = hp - dil[0] * (kh - 1), wp - dil[1] * (kw - 1)
    rows = hp + -(-dil[1] * (kw - 1) // wp)
    return hp, wp, ho, wo, rows


def _offsets(wshape, dil, wp):
    kh, kw = wshape[2:]
    return [a * dil[0] * wp + b * dil[1] for a in range(kh) for b in range(kw)]


def shift_forward(xp, x, w, pad, dil):
    """conv(x, w) for stride 1, one group; returns (y (N, Cout, Ho, Wo), ShiftCols)."""
    n = x.shape[0]
    cout = w.shape[0]
    scols = shift_cols_of(xp, x, w.shape, pad, dil)
    wp = scols.wp
    ho, wo = scols.cols.shape[1] // (n * wp), _geometry(x.shape, w.shape, pad, dil)[3]
    wm = xp.ascontiguousarray(w.transpose(0, 2, 3, 1)).reshape(cout, -1)
    y = xp.matmul(wm, scols.cols).reshape(cout, n, ho, wp)
    out = xp.empty((n, cout, ho, wo), dtype=y.dtype)
    out[...] = y[:, :, :, :wo].transpose(1, 0, 2, 3)
    return out, scols


def _grad_rows(xp, g, wp):
    """Output gradient (N, Cout, Ho, Wo) as (Cout, N*Ho*Wp) with zeros in the junk columns."""
    n, cout, ho, wo = g.shape
    gf = xp.zeros((cout, n, ho, wp), dtype=g.dtype)
    gf[:, :, :, :wo] = g.transpose(1, 0, 2, 3)
    return gf.reshape(cout, n * ho * wp)


def shift_dw(xp, g, wshape, scols):
    """conv's weight gradient from the forward's ShiftCols: one GEMM."""
    cout, c, kh, kw = wshape
    gf = _grad_rows(xp, g, scols.wp)
    dw = xp.matmul(gf, scols.cols.T).reshape(cout, kh, kw, c)
    return xp.ascontiguousarray(dw.transpose(0, 3, 1, 2))


def shift_cols_of(xp, x, wshape, pad, dil):
    """The ShiftCols of ``x`` (for a weight gradient without a saved forward buffer)."""
    n, c = x.shape[:2]
    hp, wp, ho, wo, rows = _geometry(x.shape, wshape, pad, dil)
    (pt, _), (pl, _) = pad
    X = xp.zeros((c, n, rows, wp), dtype=x.dtype)
    X[:, :, pt:pt + x.shape[2], pl:pl + x.shape[3]] = x.transpose(1, 0, 2, 3)
    X = X.reshape(c, n, rows * wp)
    length = ho * wp
    offs = _offsets(wshape, dil, wp)
    cols = xp.empty((len(offs), c, n, length), dtype=x.dtype)
    for k, off in enumerate(offs):
        cols[k] = X[:, :, off:off + length]
    return ShiftCols(cols.reshape(len(offs) * c, n * length), wp)


def shift_dx(xp, g, w, xshape, pad, dil):
    """conv's input gradient for stride 1, one group: one GEMM, then one slice add per tap."""
    n, c, h, wd = xshape
    cout = w.shape[0]
    hp, wp, ho, wo, rows = _geometry(xshape, w.shape, pad, dil)
    gf = _grad_rows(xp, g, wp)
    wt = xp.ascontiguousarray(w.transpose(2, 3, 1, 0)).reshape(-1, cout)
    length = ho * wp
    offs = _offsets(w.shape, dil, wp)
    dcols = xp.matmul(wt, gf).reshape(len(offs), c, n, length)
    dX = xp.zeros((c, n, rows * wp), dtype=dcols.dtype)
    for k, off in enumerate(offs):
        dX[:, :, off:off + length] += dcols[k]
    (pt, _), (pl, _) = pad
    dX = dX.reshape(c, n, rows, wp)[:, :, pt:pt + h, pl:pl + wd]
    out = xp.empty((n, c, h, wd), dtype=dX.dtype)
    out[...] = dX.transpose(1, 0, 2, 3)
    return out
