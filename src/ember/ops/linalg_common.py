"""Shared pieces of the linear-algebra ops: LinAlgError, PyTorch's argument checks, singular-input
errors, batch-shape and tolerance helpers."""

from .. import _dtype as D
from .._tensor import Tensor
from ._inplace import handle_out, _cap
from ._operands import dtype_of, promote
from .creation import eye
from .grids import broadcast_shapes
from .binary import maximum

__all__ = []


class LinAlgError(RuntimeError):
    """Raised when a linear-algebra routine fails (singular or not positive-definite input)."""


def check_matrix(A, fname, square=True, floating=True):
    """PyTorch's argument checks: at least 2-d, (square,) floating or complex."""
    if A.dim() < 2:
        raise RuntimeError(f"{fname}: The input tensor A must have at least 2 dimensions.")
    if floating and dtype_of(A)._category < D._FLOAT:
        raise RuntimeError(f"{fname}: Expected a floating point or complex tensor as input. Got "
                           f"{_cap(dtype_of(A))}")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{fname}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _batch_prefix(xp, a, bad):
    if a.ndim <= 2:
        return ""
    b = int(xp.argmax(bad.reshape(-1)))
    return f"(Batch element {b}): "


def _lu_zero_pivot(xp, m):
    """1-based index of the first zero pivot in partial-pivoting LU of ``m`` (error path only)."""
    m = m.astype(xp.float64).copy()
    n = m.shape[0]
    for k in range(n):
        p = k + int(xp.argmax(xp.abs(m[k:, k])))
        if m[p, k] == 0:
            return k + 1
        m[[k, p]] = m[[p, k]]
        m[k + 1:] -= xp.outer(m[k + 1:, k] / m[k, k], m[k])
    return n


def raise_singular(xp, a, fname):
    """Raise PyTorch's LinAlgError for a singular (batch of) matrix."""
    flat = a.reshape((-1,) + a.shape[-2:])
    dets = xp.linalg.det(flat.astype(xp.float64))
    b = int(xp.argmax(dets == 0)) if (dets == 0).any() else 0
    pre = f"(Batch element {b}): " if a.ndim > 2 else ""
    if fname == "linalg.inv":
        k = _lu_zero_pivot(xp, flat[b])
        raise LinAlgError(f"{pre}linalg.inv: The diagonal element {k} is zero, the inversion could "
                          "not be completed because the input matrix is singular.")
    raise LinAlgError(f"{pre}{fname}: The solver failed because the input matrix is singular.")


def _eye_like(A, n):
    return eye(n, dtype=A.dtype, device=A.device)


def _out2(res, out, rt):
    if out is None:
        return res
    for r, o in zip(res, out):
        handle_out(r, o)
    return rt(*out)


def _vector_case(A, B):
    return B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def _bshape(a, b):
    return broadcast_shapes(tuple(a), tuple(b))


def _promote_pair(A, B):
    return promote(A, B)


def _tol(S, atol, rtol, m, n):
    """max(atol, rtol * largest singular value), PyTorch's defaults when both are None."""
    eps = float(S._backend().finfo(S._data.dtype).eps)
    if rtol is None:
        rtol = eps * max(m, n) if (atol is None or atol == 0) else 0.0
    atol = 0.0 if atol is None else atol
    smax = S.amax(-1, keepdim=True) if S.shape[-1] else S.new_zeros(tuple(S.shape[:-1]) + (1,))
    rt = rtol.unsqueeze(-1) if isinstance(rtol, Tensor) else rtol
    at = atol.unsqueeze(-1) if isinstance(atol, Tensor) else atol
    return maximum(smax * rt, smax * 0 + at)
