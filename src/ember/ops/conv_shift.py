"""Stride-1 2-d convolution input gradient on a "padded-width" layout: no windowed col2im.

The zero-padded input is laid out channel-major, ``X`` of shape (C, N, Hp + extra, Wp), and each
image plane is read as one flat row. Output position (i, j) of kernel tap (a, b) then reads
``X.flat[(i + a*d) * Wp + j + b*d]``, so for every tap the inputs of *all* output positions
are one contiguous slice of each (c, n) row, starting at ``a*d*Wp + b*d``. Computing every
output row over the full padded width ``Wp`` (the last ``Wp - Wo`` columns are junk and are
dropped), the input gradient is one GEMM ``(kh*kw*C, Cout) @ (Cout, N*Ho*Wp)`` followed by
kh*kw slice adds back into the padded layout, each over long contiguous rows, where col2im
adds short runs of a strided view.

The cost is the junk columns, a factor ``Wp / Wo`` of extra GEMM work. Measured per shape
(``benchmarks/bench_conv_kernels.py``), this wins for the input gradient of images at least
16 wide (and 1x1 kernels) and loses for the forward and the weight gradient, which therefore
keep the windowed im2col path (or Winograd, ``conv_winograd.py``).
"""

__all__ = []

ENABLED = True  # switch for tests and benchmarks that compare against the windowed path


def use_shift(xshape, wshape, stride, pad, dil, groups):
    """Whether the padded-width input gradient applies and is expected to win (measured in
    ``benchmarks/bench_conv_kernels.py``): 2-d, stride 1, one group, output at least 16 wide
    (or a 1x1 kernel, which has no junk columns)."""
    if not ENABLED or len(wshape) != 4 or groups != 1 or tuple(stride) != (1, 1):
        return False
    wp = xshape[3] + pad[1][0] + pad[1][1]
    wo = wp - dil[1] * (wshape[3] - 1)
    return wo >= 16 or tuple(wshape[2:]) == (1, 1)


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


def _grad_rows(xp, g, wp):
    """Output gradient (N, Cout, Ho, Wo) as (Cout, N*Ho*Wp) with zeros in the junk columns."""
    n, cout, ho, wo = g.shape
    gf = xp.zeros((cout, n, ho, wp), dtype=g.dtype)
    gf[:, :, :, :wo] = g.transpose(1, 0, 2, 3)
    return gf.reshape(cout, n * ho * wp)


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
