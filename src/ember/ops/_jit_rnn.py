"""Optional Numba kernels for the LSTM recurrence's elementwise work (the ``jit`` extra).

``RNNSeq``'s LSTM runs one BLAS GEMM per step plus ~10 small NumPy calls on strided gate
slices; the two kernels here replace the arithmetic between the GEMM and NumPy's (SIMD)
``tanh`` by one compiled loop each, the GEMMs and the ``tanh`` staying in NumPy:

* ``gates_fwd(a, c_prev, c_new, half)``: ``a`` holds tanh of the (pre-halved) gate
  pre-activations (B, 4H), gate order i, f, g, o; turns i, f, o into sigmoids
  (0.5 tanh(x / 2) + 0.5) in place and writes ``c_new = f * c_prev + i * g``.
* ``hidden(a, tc, h)``: ``h = o * tc`` (the o gate's strided columns times tanh(c)).
* ``step_bwd(a, tc, c_prev, dy, dh, dc, dg, one)``: one BPTT step: with
  ``dha = dh + dy``, ``dcn = (1 - tc^2) o dha + dc``, writes the pre-activation gradients
  ``dg`` (B, 4H) and ``dc <- dcn f`` in place; ``dh`` is left holding ``dha`` (the caller
  overwrites it with ``dg @ w_hh``).

The arithmetic is the NumPy path's, operation for operation, in the arrays' dtype (the
constants are passed in as scalars of that dtype), so both paths give the same numbers.
Numba (``pip install ember[jit]``) is imported the first time a cpu LSTM runs, never by
``import ember``; kernels compile lazily with ``cache=True``. ``EMBER_JIT=0`` turns them off,
and every other backend (cuda) keeps the array-module path.
"""
import os

from .._backend import HOST_MODULE

__all__ = []

_STATE = {"loaded": False, "kernels": None}


# Each inner loop below writes one contiguous run of one array: LLVM vectorizes such loops,
# but not one loop storing to four gate columns of the same row (it cannot rule out overlap).
def _gates_fwd(a, c_prev, c_new, half):
    B, G = a.shape
    H = G // 4
    for b in range(B):
        row, cp, cn = a[b], c_prev[b], c_new[b]
        i, f, g, o = row[:H], row[H:2 * H], row[2 * H:3 * H], row[3 * H:]
        for j in range(H):
            i[j] = i[j] * half + half
        for j in range(H):
            f[j] = f[j] * half + half
        for j in range(H):
            o[j] = o[j] * half + half
        for j in range(H):
            cn[j] = f[j] * cp[j] + i[j] * g[j]


def _hidden(a, tc, h):
    B, G = a.shape
    H = G // 4
    for b in range(B):
        o, t, hb = a[b, 3 * H:], tc[b], h[b]
        for j in range(H):
            hb[j] = o[j] * t[j]


def _step_bwd(a, tc, c_prev, dy, dh, dc, dg, one):
    B, G = a.shape
    H = G // 4
    for b in range(B):
        row, t, cp, dhb, dcb, gr = a[b], tc[b], c_prev[b], dh[b], dc[b], dg[b]
        i, f, g, o = row[:H], row[H:2 * H], row[2 * H:3 * H], row[3 * H:]
        di, df, dgg, do = gr[:H], gr[H:2 * H], gr[2 * H:3 * H], gr[3 * H:]
        dyb = dy[b]
        for j in range(H):            # dh <- dh + dy (dh is overwritten by dg @ w_hh next)
            dhb[j] = dhb[j] + dyb[j]
        for j in range(H):            # dc <- dcn = (1 - tanh(c)^2) o dh + dc
            dcb[j] = ((one - t[j] * t[j]) * o[j]) * dhb[j] + dcb[j]
        for j in range(H):
            di[j] = (((one - i[j]) * i[j]) * g[j]) * dcb[j]
        for j in range(H):
            df[j] = (((one - f[j]) * f[j]) * cp[j]) * dcb[j]
        for j in range(H):
            dgg[j] = ((one - g[j] * g[j]) * i[j]) * dcb[j]
        for j in range(H):
            do[j] = (((one - o[j]) * o[j]) * t[j]) * dhb[j]
        for j in range(H):            # dc <- dcn f
            dcb[j] = dcb[j] * f[j]


class _Kernels:
    __slots__ = ("gates_fwd", "hidden", "step_bwd")

    def __init__(self, numba):
        jit = numba.njit(cache=True, nogil=True)
        self.gates_fwd = jit(_gates_fwd)
        self.hidden = jit(_hidden)
        self.step_bwd = jit(_step_bwd)


def kernels(xp):
    """The compiled kernels for arrays of module ``xp``, or None: not the host backend,
    ``EMBER_JIT=0``, or Numba not installed (the NumPy path is then used)."""
    if xp is not HOST_MODULE or os.environ.get("EMBER_JIT", "1") == "0":
        return None
    if not _STATE["loaded"]:
        _STATE["loaded"] = True
        try:
            import numba  # lazy: optional numba, tried at first use
        except ImportError:
            numba = None
        _STATE["kernels"] = None if numba is None else _Kernels(numba)
    return _STATE["kernels"]
