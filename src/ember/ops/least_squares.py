"""Least squares and pseudo-inverses from the SVD: lstsq, pinv, pinverse (torch.linalg and the old
top-level form)."""
from .._tensor import _wrap
from ._inplace import handle_out
from ._operands import return_type
from .decompositions import linalg_svd, svdvals
from .linalg_common import _tol, check_matrix
from ._registry import register



lstsq_rt = return_type("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Moore-Penrose pseudo-inverse via the SVD, dropping singular values <= max(atol, rtol*smax)
    (``torch.linalg.pinv``)."""
    check_matrix(A, "linalg.pinv", square=False)
    m, n = A.shape[-2], A.shape[-1]
    U, S, Vh = linalg_svd(A, full_matrices=False)
    keep = S > _tol(S.detach(), atol, rtol, m, n)
    Sinv = S.masked_fill(~keep, 1.0).reciprocal().masked_fill(~keep, 0.0)
    return handle_out(Vh.mH @ (Sinv.to(U.dtype).unsqueeze(-1) * U.mH), out)


@register
def pinverse(input, rcond=1e-15):
    """Pseudo-inverse with relative cutoff ``rcond`` (``torch.pinverse``)."""
    return pinv(input, rtol=rcond)


def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of A X = B as (solution, residuals, rank, singular_values)
    (``torch.linalg.lstsq``); which extras are filled follows the ``driver`` (default gelsy)."""
    check_matrix(A, "linalg.lstsq", square=False)
    driver = driver or "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, "
                           "gelsy, gelsd, gelss)")
    vec = B.dim() == A.dim() - 1
    Bm = B.unsqueeze(-1) if vec else B
    if Bm.shape[-2] != A.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    m, n = A.shape[-2], A.shape[-1]
    X = pinv(A, rtol=rcond) @ Bm
    S = svdvals(A.detach())
    empty = A.new_zeros((0,))
    rank = (S > _tol(S, None, rcond, m, n)).sum(-1) if driver != "gels" else \
        _wrap(A._backend().zeros((0,), dtype="int64"))
    sv = S if driver in ("gelsd", "gelss") else empty
    res = empty
    if driver != "gelsy" and m > n and bool((rank._data == n).all() if rank.numel() else True):
        res = ((A @ X - Bm) ** 2).sum(-2).detach()
        if vec:
            res = res.squeeze(-1)
    return lstsq_rt(X.squeeze(-1) if vec else X, res, rank, sv)
