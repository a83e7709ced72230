"""Inverses and linear solves with derivatives: inv, solve, solve_triangular, cholesky_solve,
cholesky_inverse, tensorinv, tensorsolve (torch.linalg and the old top-level forms)."""
import math

from .._tensor import _wrap
from ..autograd.node import Op
from ._dims import wrap_dim
from ._inplace import handle_out
from ._operands import return_type
from .linalg_common import (LinAlgError, _bshape, _lu_zero_pivot, _promote_pair, _vector_case,
                             check_matrix, raise_singular)
from ._registry import register



# ---- inverse, determinants, solve ----------------------------------------------------------
class Inv(Op):
    save = ("out",)
    _name = "LinalgInvExBackward0"

    def forward(ctx, a):
        xp = ctx.xp
        try:
            return xp.linalg.inv(a)
        except xp.linalg.LinAlgError:
            raise_singular(xp, a, "linalg.inv")

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        yh = y.mH
        return -(yh @ g @ yh)


class Solve(Op):
    """X = A^{-1} B for a batch of matrices B; gB = A^{-H} g, gA = -gB X^H."""
    save = (0, "out")
    _name = "LinalgSolveExBackward0"

    def forward(ctx, a, b):
        xp = ctx.xp
        try:
            return xp.linalg.solve(a, b)
        except xp.linalg.LinAlgError:
            raise_singular(xp, a, "torch.linalg.solve")

    def backward(ctx, g):
        a, x = ctx.saved_tensors
        gb = Solve.apply(a.mH, g) if any(ctx.needs_input_grad) else None
        ga = -(gb @ x.mH) if ctx.needs_input_grad[0] else None
        return ga, gb


inv_ex_rt = return_type("linalg_inv_ex", ["inverse", "info"])


def inv(A, *, out=None):
    """Inverse of a (batch of) square matrix (``torch.linalg.inv``); singular input raises LinAlgError."""
    check_matrix(A, "linalg.inv")
    return handle_out(Inv.apply(A), out)


@register
def inverse(input, *, out=None):
    """Same as ``linalg.inv`` (``torch.inverse``)."""
    return inv(input, out=out)


def inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info) where info is 0 for invertible matrices, else the LAPACK-style index of
    the zero pivot; raises only when ``check_errors`` (``torch.linalg.inv_ex``)."""
    check_matrix(A, "linalg.inv_ex")
    xp = A._backend()
    try:
        res = Inv.apply(A)
        info = xp.zeros(A.shape[:-2], dtype=xp.int32)
    except LinAlgError:
        if check_errors:
            raise
        flat = A._data.reshape((-1,) + tuple(A.shape[-2:]))
        codes = xp.asarray([0 if xp.linalg.det(m) != 0 else _lu_zero_pivot(xp, m) for m in flat],
                           dtype=xp.int32)
        out_flat = xp.full(flat.shape, xp.nan, dtype=flat.dtype)  # failed entries: NaN
        ok = codes == 0
        if ok.any():
            out_flat[ok] = xp.linalg.inv(flat[ok])
        info = codes.reshape(A.shape[:-2])
        res = _wrap(out_flat.reshape(A.shape))
    return inv_ex_rt(res, _wrap(info))


def solve(A, B, *, left=True, out=None):
    """X with A X = B (or X A = B when ``left=False``) (``torch.linalg.solve``)."""
    check_matrix(A, "linalg.solve")
    (A, B), _ = _promote_pair(A, B)
    if not left:
        return handle_out(solve(A.mH, B.mH).mH, out)
    vec = _vector_case(A, B)
    X = _solve_matrices(A, B.unsqueeze(-1) if vec else B, "linalg.solve")
    return handle_out(X.squeeze(-1) if vec else X, out)


def _solve_matrices(A, B, fname):
    """A X = B for (batches of) matrices B, the batch dims broadcast."""
    if B.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"{fname}: Incompatible shapes of A and B for the equation AX = B "
                           f"({A.shape[-2]}x{A.shape[-1]} and {B.shape[-2]}x{B.shape[-1]})")
    batch = tuple(_bshape(A.shape[:-2], B.shape[:-2]))
    return Solve.apply(A.expand(batch + tuple(A.shape[-2:])),
                       B.expand(batch + tuple(B.shape[-2:])))


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X with A X = B (X A = B when ``left=False``) for a triangular A: only its ``upper`` or lower
    triangle is read, its diagonal taken as ones when ``unitriangular``; B is always a (batch of)
    matrices (``torch.linalg.solve_triangular``)."""
    check_matrix(A, "linalg.solve_triangular")
    if B.dim() < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 "
                           "dimensions.")
    T = A.triu() if upper else A.tril()
    if unitriangular:
        n = A.shape[-1]
        eye = _wrap(A._backend().eye(n, dtype=A._data.dtype))
        T = T * (1 - eye) + eye
    (T, B), _ = _promote_pair(T, B)
    if not left:
        return handle_out(_solve_matrices(T.mH, B.mH, "linalg.solve_triangular").mH, out)
    return handle_out(_solve_matrices(T, B, "linalg.solve_triangular"), out)


@register
def cholesky_solve(B, L, upper=False, *, out=None):
    """X with (L L^H) X = B given the Cholesky factor ``L`` (``torch.cholesky_solve``)."""
    if upper:
        L = L.mH
    Y = solve_triangular(L, B, upper=False)
    return handle_out(solve_triangular(L.mH, Y, upper=True), out)


@register
def cholesky_inverse(L, upper=False, *, out=None):
    """Inverse of L L^H from its Cholesky factor ``L`` (``torch.cholesky_inverse``)."""
    eye = _wrap(L._backend().eye(L.shape[-1], dtype=L._data.dtype))
    return handle_out(cholesky_solve(eye.expand(L.shape), L, upper), out)


def tensorinv(A, ind=2, *, out=None):
    """Inverse of A viewed as a matrix with rows A.shape[:ind] and columns A.shape[ind:]
    (``torch.linalg.tensorinv``)."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    p, q = math.prod(rows), math.prod(cols)
    if p != q:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {q} != {p}")
    return handle_out(inv(A.reshape(p, q)).reshape(cols + rows), out)


def tensorsolve(A, B, dims=None, *, out=None):
    """X with tensordot(A, X, X.ndim) = B (``torch.linalg.tensorsolve``)."""
    if dims is not None:
        dims = [wrap_dim(d, A.dim()) for d in dims]
        A = A.movedim(dims, list(range(A.dim() - len(dims), A.dim())))
    rest = tuple(A.shape[B.dim():])
    n = math.prod(rest)
    if math.prod(tuple(B.shape)) != n:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) "
                           f"== prod(self.shape[:other.ndim]), but got {n} != "
                           f"{math.prod(tuple(A.shape[:B.dim()]))}")
    return handle_out(solve(A.reshape(n, n), B.reshape(n)).reshape(rest), out)
