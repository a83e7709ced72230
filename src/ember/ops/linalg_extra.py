"""Public linear-algebra functions (``torch.linalg.*`` and the top-level ``torch.det`` ...).

Thin argument handling around the ops in ``linalg.py``; pinv, lstsq, norms, matrix_power,
matrix_rank, multi_dot and cond are composites, differentiable through those ops.
"""
import math

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ._dims import wrap_dim
from ._inplace import handle_out
from ._operands import dtype_of, return_type
from .linalg import (check_matrix, Inv, Det, LogAbsDet, Solve, Cholesky, QR, SVD, Eigh,
                     MatrixExp, Eig, LinAlgError)
from .norms import vector_norm
from ._registry import register



# PyTorch's names: torch.linalg.* results are linalg_<name>; the old top-level ones are not
slogdet_rt = return_type("linalg_slogdet", ["sign", "logabsdet"])
slogdet_old_rt = return_type("slogdet", ["sign", "logabsdet"])
qr_rt = return_type("linalg_qr", ["Q", "R"])
qr_old_rt = return_type("qr", ["Q", "R"])
svd_rt = return_type("linalg_svd", ["U", "S", "Vh"])
svd_old_rt = return_type("svd", ["U", "S", "V"])
eigh_rt = return_type("linalg_eigh", ["eigenvalues", "eigenvectors"])
eig_rt = return_type("linalg_eig", ["eigenvalues", "eigenvectors"])
inv_ex_rt = return_type("linalg_inv_ex", ["inverse", "info"])
cholesky_ex_rt = return_type("linalg_cholesky_ex", ["L", "info"])
lstsq_rt = return_type("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])


def _out2(res, out, rt):
    if out is None:
        return res
    for r, o in zip(res, out):
        handle_out(r, o)
    return rt(*out)


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
        from .linalg import _lu_zero_pivot
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


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """(L, info): info is 0 on success, else the order of the first non-positive-definite
    leading minor; raises only when ``check_errors`` (``torch.linalg.cholesky_ex``)."""
    check_matrix(A, "linalg.cholesky_ex")
    xp = A._backend()
    try:
        L = cholesky(A, upper)
        info = xp.zeros(A.shape[:-2], dtype=xp.int32)
    except LinAlgError:
        if check_errors:
            raise
        flat = A._data.reshape((-1,) + tuple(A.shape[-2:]))
        codes = []
        for m in flat:
            code = 0
            for k in range(1, m.shape[0] + 1):
                try:
                    xp.linalg.cholesky(m[:k, :k])
                except xp.linalg.LinAlgError:
                    code = k
                    break
            codes.append(code)
        codes = xp.asarray(codes, dtype=xp.int32)
        out_flat = xp.full(flat.shape, xp.nan, dtype=flat.dtype)  # failed entries: NaN
        ok = codes == 0
        if ok.any():
            out_flat[ok] = xp.linalg.cholesky(flat[ok])
        if upper:
            out_flat = xp.conj(xp.swapaxes(out_flat, -1, -2))
        info = codes.reshape(A.shape[:-2])
        L = _wrap(xp.ascontiguousarray(out_flat).reshape(A.shape))
    return cholesky_ex_rt(L, _wrap(info))


@register
def matrix_exp(A):
    """Matrix exponential of a (batch of) square matrix (``torch.linalg.matrix_exp``)."""
    check_matrix(A, "linalg.matrix_exp")
    return MatrixExp.apply(A)


@register
def det(A, *, out=None):
    """Determinant of a (batch of) square matrix (``torch.linalg.det``)."""
    check_matrix(A, "linalg.det")
    return handle_out(Det.apply(A), out)


def linalg_slogdet(A, *, out=None):
    """(sign, log|det|) of a (batch of) square matrix (``torch.linalg.slogdet``)."""
    check_matrix(A, "linalg.slogdet")
    sign = _wrap(A._backend().linalg.slogdet(A._data)[0])
    return _out2(slogdet_rt(sign, LogAbsDet.apply(A)), out, slogdet_rt)


@register
def slogdet(A, *, out=None):
    """(sign, log|det|) of a (batch of) square matrix (``torch.slogdet``)."""
    return slogdet_old_rt(*linalg_slogdet(A, out=out))


@register
def logdet(input):
    """log(det(A)): NaN for a negative determinant, -inf for zero (``torch.logdet``)."""
    sign, lad = slogdet(input)
    return lad.masked_fill(sign < 0, float("nan"))


def _vector_case(A, B):
    return B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def solve(A, B, *, left=True, out=None):
    """X with A X = B (or X A = B when ``left=False``) (``torch.linalg.solve``)."""
    check_matrix(A, "linalg.solve")
    (A, B), _ = _promote_pair(A, B)
    if not left:
        return handle_out(solve(A.mH, B.mH).mH, out)
    vec = _vector_case(A, B)
    Bm = B.unsqueeze(-1) if vec else B
    if Bm.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({A.shape[-2]}x{A.shape[-1]} and {Bm.shape[-2]}x{Bm.shape[-1]})")
    batch = tuple(_bshape(A.shape[:-2], Bm.shape[:-2]))
    X = Solve.apply(A.expand(batch + tuple(A.shape[-2:])),
                    Bm.expand(batch + tuple(Bm.shape[-2:])))
    return handle_out(X.squeeze(-1) if vec else X, out)


def _bshape(a, b):
    from .grids import broadcast_shapes
    return broadcast_shapes(tuple(a), tuple(b))


def _promote_pair(A, B):
    from ._operands import promote
    return promote(A, B)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """Solve with a triangular A (only its ``upper``/lower triangle is read) (``torch.linalg.solve_triangular``)."""
    T = A.triu() if upper else A.tril()
    if unitriangular:
        n = A.shape[-1]
        eye = _wrap(A._backend().eye(n, dtype=A._data.dtype))
        T = T * (1 - eye) + eye
    return solve(T, B, left=left, out=out)


@register
def cholesky(A, upper=False, *, out=None):
    """Lower (or ``upper``) Cholesky factor of a Hermitian positive-definite matrix
    (``torch.linalg.cholesky`` / ``torch.cholesky``); reads only the lower triangle."""
    check_matrix(A, "linalg.cholesky")
    L = Cholesky.apply(A)
    return handle_out(L.mH if upper else L, out)


def linalg_qr(A, mode="reduced", *, out=None):
    """QR factorization, ``mode`` 'reduced', 'complete' or 'r' (``torch.linalg.qr``)."""
    check_matrix(A, "linalg.qr", square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    Q, R = QR.apply(A, mode="complete" if mode == "complete" else "reduced")
    if mode == "r":
        Q = A.new_zeros((0,))
    return _out2(qr_rt(Q, R), out, qr_rt)


@register
def qr(input, some=True, *, out=None):
    """QR factorization, reduced unless ``some=False`` (``torch.qr``)."""
    return qr_old_rt(*linalg_qr(input, "reduced" if some else "complete", out=out))


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """A = U diag(S) Vh, S descending (``torch.linalg.svd``)."""
    check_matrix(A, "linalg.svd", square=False)
    return _out2(svd_rt(*SVD.apply(A, full_matrices=full_matrices)), out, svd_rt)


@register
def svd(input, some=True, compute_uv=True, *, out=None):
    """Old-style SVD returning (U, S, V) with V not transposed (``torch.svd``)."""
    if not compute_uv:
        m, n = input.shape[-2], input.shape[-1]
        b = tuple(input.shape[:-2])
        return _out2(svd_old_rt(input.new_zeros(b + (m, m)), svdvals(input),
                                input.new_zeros(b + (n, n))), out, svd_old_rt)
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    return _out2(svd_old_rt(U, S, Vh.mH), out, svd_old_rt)


def svdvals(A, *, driver=None, out=None):
    """Singular values, descending (``torch.linalg.svdvals``)."""
    check_matrix(A, "linalg.svdvals", square=False)
    return handle_out(SVD.apply(A, full_matrices=False)[1], out)


def eigh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) and eigenvectors of a Hermitian matrix (``torch.linalg.eigh``)."""
    check_matrix(A, "linalg.eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return _out2(eigh_rt(*Eigh.apply(A, uplo=UPLO)), out, eigh_rt)


def eigvalsh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) of a Hermitian matrix (``torch.linalg.eigvalsh``)."""
    return handle_out(eigh(A, UPLO).eigenvalues, out)


def eig(A, *, out=None):
    """Complex eigenvalues and eigenvectors of a square matrix (``torch.linalg.eig``).

    Forward only: backpropagating through it raises NotImplementedError.
    """
    check_matrix(A, "linalg.eig")
    return _out2(eig_rt(*Eig.apply(A)), out, eig_rt)


def eigvals(A, *, out=None):
    """Complex eigenvalues of a square matrix (``torch.linalg.eigvals``)."""
    return handle_out(eig(A).eigenvalues, out)


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


def vander(x, *, N=None):
    """Vandermonde matrix with increasing powers x**0 ... x**(N-1) along a new last dim
    (``torch.linalg.vander``)."""
    from .creation import arange
    if x.dim() == 0:
        raise RuntimeError("N must be greater than 1.")
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    if dtype_of(x)._category <= D._INT:
        x = x.long()
    return x.unsqueeze(-1) ** arange(n, dtype=x.dtype, device=x.device)


def _tol(S, atol, rtol, m, n):
    """max(atol, rtol * largest singular value), PyTorch's defaults when both are None."""
    eps = float(S._backend().finfo(S._data.dtype).eps)
    if rtol is None:
        rtol = eps * max(m, n) if (atol is None or atol == 0) else 0.0
    atol = 0.0 if atol is None else atol
    smax = S.amax(-1, keepdim=True) if S.shape[-1] else S.new_zeros(tuple(S.shape[:-1]) + (1,))
    rt = rtol.unsqueeze(-1) if isinstance(rtol, Tensor) else rtol
    at = atol.unsqueeze(-1) if isinstance(atol, Tensor) else atol
    from .binary import maximum
    return maximum(smax * rt, smax * 0 + at)


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


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Number of singular values above max(atol, rtol*smax) (``torch.linalg.matrix_rank``)."""
    check_matrix(A, "linalg.matrix_rank", square=False)
    S = svdvals(A.detach())
    r = (S > _tol(S, atol, rtol, A.shape[-2], A.shape[-1])).sum(-1)
    return handle_out(r, out)


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


@register
def matrix_power(A, n, *, out=None):
    """A multiplied by itself ``n`` times; n = 0 gives I, n < 0 powers the inverse
    (``torch.linalg.matrix_power``)."""
    check_matrix(A, "linalg.matrix_power", floating=n < 0)
    if n == 0:
        eye = _wrap(A._backend().eye(A.shape[-1], dtype=A._data.dtype))
        return handle_out(eye.expand(A.shape).clone(), out)
    if n < 0:
        A, n = inv(A), -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return handle_out(result, out)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Matrix norm over the two dims ``dim``: 'fro', 'nuc', 1, -1, 2, -2, inf, -inf
    (``torch.linalg.matrix_norm``)."""
    if dtype is not None:
        A = A.to(D.to_dtype(dtype))
    check_matrix(A, "linalg.matrix_norm", square=False)
    d0, d1 = wrap_dim(dim[0], A.dim()), wrap_dim(dim[1], A.dim())
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim, out=out)
    if ord == "nuc" or ord in (2, -2):
        S = svdvals(A.movedim((d0, d1), (-2, -1)))
        r = S.sum(-1) if ord == "nuc" else S.amax(-1) if ord == 2 else S.amin(-1)
    elif ord in (1, -1, math.inf, -math.inf):
        sum_dim, max_dim = (d0, d1) if ord in (1, -1) else (d1, d0)
        s = A.abs().sum(sum_dim, keepdim=True)
        r = s.amax(max_dim, keepdim=True) if ord > 0 else s.amin(max_dim, keepdim=True)
        r = r.squeeze((d0, d1))
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if keepdim:
        for d in sorted((d0, d1)):
            r = r.unsqueeze(d)
    return handle_out(r, out)


def linalg_norm(input, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """Vector or matrix norm chosen by ``dim`` and ``ord`` (``torch.linalg.norm``)."""
    A = input
    if isinstance(dim, int):
        dim = (dim,)
    if dim is None:
        if ord is None:
            return vector_norm(A, 2, None, keepdim, dtype=dtype, out=out)
        if A.dim() not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                               f"be 1D or 2D. Got {A.dim()}D.")
        dim = tuple(range(A.dim()))
    if len(dim) == 1:
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
    if len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
    raise RuntimeError(f"linalg.norm: If dim is specified, it mut be of length 1 or 2. Got "
                       f"{list(dim)}")


def cond(A, p=None, *, out=None):
    """Condition number in norm ``p`` (default: 2-norm, ratio of extreme singular values)
    (``torch.linalg.cond``)."""
    if p is None or p in (2, -2):
        S = svdvals(A)
        r = S.amax(-1) / S.amin(-1) if p != -2 else S.amin(-1) / S.amax(-1)
        return handle_out(r, out)
    return handle_out(matrix_norm(A, p) * matrix_norm(inv(A), p), out)


def linalg_cross(input, other, *, dim=-1, out=None):
    """Cross product of 3-vectors along ``dim`` (default last) (``torch.linalg.cross``)."""
    from .geometry import _cross
    from .grids import broadcast_shapes
    from ._operands import promote
    shape = broadcast_shapes(input.shape, other.shape)
    (a, b), _ = promote(input.expand(shape), other.expand(shape))
    return _cross(a, b, dim, out)


def multi_dot(tensors, *, out=None):
    """Product of a chain of matrices; the first/last may be 1-d (``torch.linalg.multi_dot``)."""
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    first_vec, last_vec = ts[0].dim() == 1, ts[-1].dim() == 1
    if first_vec:
        ts[0] = ts[0].unsqueeze(0)
    if last_vec:
        ts[-1] = ts[-1].unsqueeze(-1)
    for i, t in enumerate(ts):
        if t.dim() != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.dim()}D")
    r = ts[0]
    for t in ts[1:]:
        r = r @ t
    if first_vec:
        r = r.squeeze(0)
    if last_vec:
        r = r.squeeze(-1)
    return handle_out(r, out)


def vecdot(x, y, *, dim=-1, out=None):
    """Dot product of vectors along ``dim``, conjugating ``x`` (``torch.linalg.vecdot``)."""
    return handle_out((x.conj() * y).sum(dim), out)


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
