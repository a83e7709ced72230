"""Optional Numba kernels for the LSTM recurrence's elementwise work (the ``jit`` extra).

``RNNSeq``'s LSTM runs one BLAS GEMM per step plus ~10 small NumPy calls on strided gate
slices; the two kernels here replace the arithmetic between the GEMM and NumPy's (SIMD)
``tanh`` by one compiled loop each, the GEMMs and the ``tanh`` staying in NumPy:

* ``gates_fwd(a, c_prev, c_new, half)``: ``a`` holds tanh of the (pre-halved) gate
  pre-activations (B, 4H), gate order i, f, g, o; turns i, f, o into sigmoids
  (0.5 tanh(x / 2) + 0.5) in place and writes ``c_new = f * c_prev + i * g``.
* ``step_bwd(a, tc, c_prev, dy, dh, dc, dg, one)``: one BPTT step: with
  ``dha = dh + dy``, ``dcn = (1 - tc^2) o dha + dc``, writes the pre-activation gradients
  ``dg`` (B, 4H) and ``dc <- dcn f`` in place (``dh`` is then overwritten by ``dg @ w_hh``).

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


def _gates_fwd(a, c_prev, c_new, half):
    B, G = a.shape
    H = G // 4
    for b in range(B):
        for j in range(H):
            i = a[b, j] * half + half
            f = a[b, H + j] * half + half
            a[b, j] = i
            a[b, H + j] = f
            a[b, 3 * H + j] = a[b, 3 * H + j] * half + half
            c_new[b, j] = f * c_prev[b, j] + i * a[b, 2 * H + j]


def _step_bwd(a, tc, c_prev, dy, dh, dc, dg, one):
    B, G = a.shape
    H = G // 4
    for b in range(B):
        for j in range(H):
            i = a[b, j]
            f = a[b, H + j]
            g = a[b, 2 * H + j]
            o = a[b, 3 * H + j]
            t = tc[b, j]
            dha = dh[b, j] + dy[b, j]
            dcn = ((one - t * t) * o) * dha + dc[b, j]
            dg[b, j] = (((one - i) * i) * g) * dcn
            dg[b, H + j] = (((one - f) * f) * c_prev[b, j]) * dcn
            dg[b, 2 * H + j] = ((one - g * g) * i) * dcn
            dg[b, 3 * H + j] = (((one - o) * o) * t) * dha
            dc[b, j] = dcn * f


class _Kernels:
    __slots__ = ("gates_fwd", "step_bwd")

    def __init__(self, numba):
        jit = numba.njit(cache=True, nogil=True)
        self.gates_fwd = jit(_gates_fwd)
        self.step_bwd = jit(_step_bwd)


def kernels(xp):
    """The compiled kernels for arrays of module ``xp``, or None: not the host backend,
    ``EMBER_JIT=0``, or Numba not installed (the NumPy path is then used)."""
    if xp is not HOST_MODULE or os.environ.get("EMBER_JIT", "1") == "0":
        return None
    if not _STATE["loaded"]:
        _STATE["loaded"] = True
        try:
            import numba
        except ImportError:
            numba = None
        _STATE["kernels"] = None if numba is None else _Kernels(numba)
    return _STATE["kernels"]
