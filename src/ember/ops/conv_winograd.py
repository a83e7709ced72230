"""3x3 stride-1 convolution by Winograd's minimal filtering F(2x2, 3x3): 2.25x fewer multiplies.

Each 2x2 output tile is ``A^T [(G w G^T) * (B^T d B)] A`` for the 4x4 input tile ``d`` that
covers it (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2015). With the
16 transformed positions as a batch axis, the channel mixing becomes 16 GEMMs of
(P, Cin) @ (Cin, Cout) over the P tiles of the whole batch, where a direct convolution needs
the equivalent of 36. The transforms are additions over strided views; the input is laid out
channels-last so every view's innermost axis is a contiguous run of channels.

* ``wino_forward``: y = conv(x, w), returning the transformed input ``V`` for the weight
  gradient;
* ``wino_dw``: the weight gradient as the exact adjoint of the same computation:
  ``dU = V^T (A g A^T)`` per position, then ``dw = G^T dU G``;
* the input gradient is a forward pass of ``g`` with the flipped, transposed kernel
  (``conv.conv_dx`` calls ``wino_forward`` for it).

The arithmetic differs from the direct sum only by rounding (relative error ~1e-7 in float32,
measured against a float64 direct convolution in ``tests/test_perf_kernels.py``).
``use_winograd`` picks it where ``benchmarks/bench_conv_kernels.py`` shows it winning.
"""

__all__ = []

ENABLED = True  # switch for tests and benchmarks that compare against the GEMM paths

# F(2x2, 3x3): the kernel transform G (4x3); B^T and A^T are applied as explicit additions.
_G = ((1.0, 0.0, 0.0), (0.5, 0.5, 0.5), (0.5, -0.5, 0.5), (0.0, 0.0, 1.0))


class WinoCols:
    """The forward's transformed input V (16, P, Cin) and the tile grid (th, tw)."""
    __slots__ = ("v", "tiles")

    def __init__(self, v, tiles):
        self.v, self.tiles = v, tiles


def use_winograd(xshape, wshape, stride, pad, dil, groups, dtype):
    """Whether the Winograd kernel applies and is expected to win: 2-d 3x3, stride 1, no
    dilation, one group, float32/float64, at least 32 input and 16 output channels (below
    that the GEMMs are too thin for the transforms to pay off)."""
    return (ENABLED and len(wshape) == 4 and tuple(wshape[2:]) == (3, 3) and groups == 1
            and tuple(stride) == (1, 1) and tuple(dil) == (1, 1)
            and wshape[1] >= 32 and wshape[0] >= 16 and dtype.kind == "f" and dtype.itemsize >= 4
            and all(lo >= 0 and hi >= 0 for lo, hi in pad))


def _kron_g(xp, dtype):
    """G (x) G (16, 9): G w G^T of a flattened 3x3 kernel is one product with it."""
    g = xp.asarray(_G, dtype=dtype)
    return (g[:, None, :, None] * g[None, :, None, :]).reshape(16, 9)


def _kernel_transform(xp, w):
    """U (16, Cin, Cout) = G w G^T for every (out, in) channel pair, as one GEMM."""
    cout, cin = w.shape[:2]
    u = xp.matmul(_kron_g(xp, w.dtype), w.reshape(cout * cin, 9).T)  # (16, Cout*Cin)
    return xp.ascontiguousarray(u.reshape(16, cout, cin).transpose(0, 2, 1))


def _input_transform(xp, x, pad, tiles):
    """V (16, N*th*tw, C) = B^T d B for every 4x4 input tile (stride 2) of zero-padded x."""
    n, c, h, w = x.shape
    th, tw = tiles
    (pt, _), (pl, _) = pad
    X = xp.zeros((n, 2 * th + 2, 2 * tw + 2, c), dtype=x.dtype)
    X[:, pt:pt + h, pl:pl + w] = x.transpose(0, 2, 3, 1)
    # B^T rows (0 -2), (1 2), (-1 2), (1 -3) along the columns first, then along the rows
    cv = [X[:, :, q:q + 2 * tw:2] for q in range(4)]
    cols = (cv[0] - cv[2], cv[1] + cv[2], cv[2] - cv[1], cv[1] - cv[3])
    V = xp.empty((4, 4, n, th, tw, c), dtype=x.dtype)
    for b, t in enumerate(cols):
        r = [t[:, q:q + 2 * th:2] for q in range(4)]
        xp.subtract(r[0], r[2], out=V[0, b])
        xp.add(r[1], r[2], out=V[1, b])
        xp.subtract(r[2], r[1], out=V[2, b])
        xp.subtract(r[1], r[3], out=V[3, b])
    return V.reshape(16, n * th * tw, c)


def _tiles(xshape, pad):
    ho = xshape[2] + pad[0][0] + pad[0][1] - 2
    wo = xshape[3] + pad[1][0] + pad[1][1] - 2
    return (ho, wo), (-(-ho // 2), -(-wo // 2))


def wino_forward(xp, x, w, pad):
    """conv(x, w) for a 3x3 kernel, stride 1; returns (y (N, Cout, Ho, Wo), WinoCols)."""
    n = x.shape[0]
    cout = w.shape[0]
    (ho, wo), (th, tw) = _tiles(x.shape, pad)
    V = _input_transform(xp, x, pad, (th, tw))
    M = xp.matmul(V, _kernel_transform(xp, w)).reshape(4, 4, n, th, tw, cout)
    # A^T = [[1, 1, 1, 0], [0, 1, -1, -1]] over the rows, then over the columns
    rows = (M[0] + M[1] + M[2], M[1] - M[2] - M[3])
    out = xp.empty((n, 2 * th, 2 * tw, cout), dtype=M.dtype)
    for i, r in enumerate(rows):
        xp.add(r[0] + r[1], r[2], out=out[:, i::2, 0::2])
        xp.subtract(r[1] - r[2], r[3], out=out[:, i::2, 1::2])
    y = xp.empty((n, cout, ho, wo), dtype=M.dtype)
    y[...] = out[:, :ho, :wo].transpose(0, 3, 1, 2)
    return y, WinoCols(V, (th, tw))


def wino_cols_of(xp, x, pad):
    """The WinoCols of ``x`` (for a weight gradient without a saved forward buffer)."""
    tiles = _tiles(x.shape, pad)[1]
    return WinoCols(_input_transform(xp, x, pad, tiles), tiles)


def wino_dw(xp, g, wshape, wcols):
    """conv's weight gradient: the adjoint of ``wino_forward`` with respect to ``w``."""
    n, cout, ho, wo = g.shape
    cin = wshape[1]
    th, tw = wcols.tiles
    gp = xp.zeros((n, 2 * th, 2 * tw, cout), dtype=g.dtype)
    gp[:, :ho, :wo] = g.transpose(0, 2, 3, 1)
    # A g A^T: A's rows are (1, 0), (1, 1), (1, -1), (0, -1); over the columns, then the rows
    g0, g1 = gp[:, :, 0::2], gp[:, :, 1::2]
    cols = (g0, g0 + g1, g0 - g1, -g1)
    GM = xp.empty((4, 4, n, th, tw, cout), dtype=g.dtype)
    for b, t in enumerate(cols):
        r0, r1 = t[:, 0::2], t[:, 1::2]
        GM[0, b] = r0
        xp.add(r0, r1, out=GM[1, b])
        xp.subtract(r0, r1, out=GM[2, b])
        xp.negative(r1, out=GM[3, b])
    GM = GM.reshape(16, n * th * tw, cout)
    dU = xp.matmul(wcols.v.transpose(0, 2, 1), GM)  # (16, Cin, Cout)
    dw = xp.matmul(_kron_g(xp, g.dtype).T, dU.reshape(16, cin * cout))  # G^T dU G: (9, Cin*Cout)
    return xp.ascontiguousarray(dw.reshape(3, 3, cin, cout).transpose(3, 2, 0, 1))
