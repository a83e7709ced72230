"""LU factorization with partial pivoting: lu_factor(_ex), lu, lu_unpack, lu_solve, with
derivatives."""

from .._tensor import _wrap
from ._inplace import handle_out
from ._operands import return_type
from .linalg_common import LinAlgError, check_matrix
from .multi_output import MultiOp
from .solvers import Solve
from ._registry import register
from .grids import broadcast_shapes



lu_factor_rt = return_type("linalg_lu_factor", ["LU", "pivots"])


lu_factor_ex_rt = return_type("linalg_lu_factor_ex", ["LU", "pivots", "info"])


lu_rt = return_type("linalg_lu", ["P", "L", "U"])


class LuFactor(MultiOp):
    """A = P L U packed as (LU, pivots, info) (1-based pivots, as LAPACK and PyTorch).

    For square A: gA = P L^{-H} [tril(L^H gL, -1) + triu(gU U^H)] U^{-H}.
    """
    save = ("out0", "out1")
    _name = "LinalgLuFactorExBackward0"

    def forward(ctx, a):
        xp = ctx.xp
        m, n = a.shape[-2], a.shape[-1]
        k = min(m, n)
        batch = a.shape[:-2]
        lu = a.reshape((-1, m, n)).astype(a.dtype, copy=True)
        b = xp.arange(lu.shape[0])
        piv = xp.zeros((lu.shape[0], k), dtype=xp.int32)
        info = xp.zeros(lu.shape[0], dtype=xp.int32)
        for j in range(k):
            p = j + xp.argmax(xp.abs(lu[:, j:, j]), axis=1)
            piv[:, j] = p + 1
            row = lu[b, j].copy()
            lu[b, j] = lu[b, p]
            lu[b, p] = row
            pivot = lu[:, j, j]
            zero = pivot == 0
            info = xp.where(zero & (info == 0), j + 1, info)
            scale = xp.where(zero, 1, pivot)
            lu[:, j + 1:, j] /= scale[:, None]
            lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j, None] * lu[:, j, None, j + 1:]
        return lu.reshape(a.shape), piv.reshape(batch + (k,)), info.reshape(batch)

    def backward(ctx, gLU, gpiv, ginfo):
        LU, piv = ctx.saved_tensors
        m, n = LU.shape[-2], LU.shape[-1]
        if m != n:
            raise NotImplementedError("the derivative of linalg.lu_factor for non-square inputs "
                                      "is not implemented in Ember")
        P, L, U = lu_unpack(LU, piv)
        phi = (L.mH @ gLU.tril(-1)).tril(-1) + (gLU.triu() @ U.mH).triu()
        X = Solve.apply(L.mH, phi)  # L^{-H} phi
        return P @ Solve.apply(U, X.mH).mH  # ... U^{-H}


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """(LU, pivots, info) of A = P L U; info > 0 names the first zero pivot
    (``torch.linalg.lu_factor_ex``)."""
    check_matrix(A, "linalg.lu_factor_ex", square=False)
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    LU, piv, info = LuFactor.apply(A)
    if check_errors and bool((info._data > 0).any()):
        raise LinAlgError(f"torch.linalg.lu_factor_ex: U[{int(info._data.max())},"
                          f"{int(info._data.max())}] is zero and using it on lu_solve would "
                          "result in a division by zero.")
    res = lu_factor_ex_rt(LU, piv, info)
    if out is not None:
        for r, o in zip(res, out):
            handle_out(r, o)
        return lu_factor_ex_rt(*out)
    return res


def lu_factor(A, *, pivot=True, out=None):
    """Packed LU factorization with partial pivoting, (LU, pivots) (``torch.linalg.lu_factor``)."""
    LU, piv, info = lu_factor_ex(A, pivot=pivot)
    if out is not None:
        handle_out(LU, out[0])
        handle_out(piv, out[1])
        return lu_factor_rt(out[0], out[1])
    return lu_factor_rt(LU, piv)


def _perm(xp, piv, m):
    """Row permutation ``perm`` with (L U) = A[perm], from 1-based LAPACK pivots."""
    batch = piv.shape[:-1]
    perm = xp.broadcast_to(xp.arange(m), batch + (m,)).reshape(-1, m).copy()
    pv = piv.reshape(-1, piv.shape[-1]) - 1
    b = xp.arange(perm.shape[0])
    for j in range(pv.shape[1]):
        p = pv[:, j]
        tmp = perm[b, j].copy()
        perm[b, j] = perm[b, p]
        perm[b, p] = tmp
    return perm.reshape(batch + (m,))


@register(method=False)
def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """(P, L, U) from the packed output of ``lu_factor`` (``torch.lu_unpack``)."""
    xp = LU_data._backend()
    m, n = LU_data.shape[-2], LU_data.shape[-1]
    k = min(m, n)
    eye = _wrap(xp.eye(m, k, dtype=LU_data._data.dtype))
    L = LU_data[..., :, :k].tril(-1) + eye
    U = LU_data[..., :k, :].triu()
    perm = _perm(xp, LU_pivots._data, m)
    P = xp.zeros(perm.shape + (m,), dtype=LU_data._data.dtype)
    xp.put_along_axis(P, perm[..., :, None], 1, axis=-1)  # P^T row i has its 1 at perm[i]
    P = _wrap(xp.ascontiguousarray(xp.swapaxes(P, -1, -2)))
    res = lu_rt(P, L, U)
    if out is not None:
        for r, o in zip(res, out):
            handle_out(r, o)
        return lu_rt(*out)
    return res


def lu(A, *, pivot=True, out=None):
    """A = P L U with partial pivoting (``torch.linalg.lu``)."""
    LU, piv = lu_factor(A, pivot=pivot)
    return lu_unpack(LU, piv, out=out)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """Solve A X = B from A's LU factorization (``torch.linalg.lu_solve``)."""
    P, L, U = lu_unpack(LU, pivots)
    if not left:  # X A = B  <=>  A^H X^H = B^H
        return handle_out(lu_solve(LU, pivots, B.mH, adjoint=not adjoint).mH, out)
    n = L.shape[-1]
    eye = _wrap(L._backend().eye(n, dtype=L._data.dtype))
    Lm = L * (1 - eye) + eye
    if adjoint:  # A^H = U^H L^H P^T
        Y = Solve.apply(*_bcast(U.mH, B))
        Z = Solve.apply(*_bcast(Lm.mH, Y))
        return handle_out(P @ Z, out)
    Y = Solve.apply(*_bcast(Lm, P.mT @ B))
    return handle_out(Solve.apply(*_bcast(U, Y)), out)


def _bcast(A, B):
    batch = tuple(broadcast_shapes(tuple(A.shape[:-2]), tuple(B.shape[:-2])))
    return A.expand(batch + tuple(A.shape[-2:])), B.expand(batch + tuple(B.shape[-2:]))
