"""Matrix factorizations with derivatives: Cholesky, QR, SVD, eigh, eig (torch.linalg and the old
top-level forms)."""

from .._tensor import _wrap
from ..autograd.node import Op
from ._inplace import handle_out
from ._operands import return_type
from .linalg_common import LinAlgError, _eye_like, _out2, check_matrix
from .multi_output import MultiOp
from .solvers import Solve
from .joining import cat
from ._registry import register



# ---- factorizations ----------------------------------------------------------------------
def _phi(X):
    """Lower triangle of X with its diagonal halved."""
    return X.tril() - 0.5 * X.diagonal(0, -2, -1).diag_embed()


class Cholesky(Op):
    save = ("out",)
    _name = "LinalgCholeskyExBackward0"

    def forward(ctx, a):
        xp = ctx.xp
        try:
            return xp.linalg.cholesky(a)
        except xp.linalg.LinAlgError:
            flat = a.reshape((-1,) + a.shape[-2:])
            for b, m in enumerate(flat):
                for k in range(1, m.shape[0] + 1):
                    try:
                        xp.linalg.cholesky(m[:k, :k])
                    except xp.linalg.LinAlgError:
                        pre = f"(Batch element {b}): " if a.ndim > 2 else ""
                        raise LinAlgError(
                            f"{pre}linalg.cholesky: The factorization could not be completed "
                            f"because the input is not positive-definite (the leading minor of "
                            f"order {k} is not positive-definite).") from None
            raise

    def backward(ctx, g):
        (L,) = ctx.saved_tensors
        Linv = L.inverse()
        S = Linv.mH @ _phi(L.mH @ g.tril()) @ Linv
        return 0.5 * (S + S.mH)


class QR(MultiOp):
    """Reduced (or square complete) QR. For m >= n: with M = R gR^H - gQ^H Q,
    gA = (gQ + Q copyltu(M)) R^{-H}; wide inputs split A = [X | Y] (PyTorch's approach)."""
    save = (0, "out0", "out1")
    _name = "LinalgQrBackward0"

    def forward(ctx, a, mode):
        ctx.mode = mode
        return ctx.xp.linalg.qr(a, mode=mode)

    def backward(ctx, gQ, gR):
        a, Q, R = ctx.saved_tensors
        m, n = a.shape[-2], a.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        if m >= n:
            return _qr_tall_grad(Q, R, gQ, gR)
        # A = [X | Y], X square: Q R_X = X, R = [R_X | Q^H Y]
        Y = a[..., m:]
        RX, gRX, gRY = R[..., :m], gR[..., :m], gR[..., m:]
        gY = Q @ gRY
        gX = _qr_tall_grad(Q, RX, gQ + Y @ gRY.mH, gRX)
        return cat([gX, gY], -1)


def _qr_tall_grad(Q, R, gQ, gR):
    M = R @ gR.mH - gQ.mH @ Q
    low = M.tril(-1)
    sym = low + low.mH + M.diagonal(0, -2, -1).real.diag_embed().to(M.dtype)
    B = gQ + Q @ sym
    return Solve.apply(R, B.mH).mH  # B R^{-H}


class SVD(MultiOp):
    """A = U diag(S) Vh. With E_jk = S_k^2 - S_j^2 and skew(X) = X - X^H:
    gA = U [skew(U^H gU)/E S + S skew(V^H gV)/E + diag(gS)] Vh
         + (I - U U^H) gU S^{-1} Vh + U S^{-1} gV^H (I - V V^H).
    Valid for distinct, nonzero singular values; with full_matrices the extra columns get none."""
    save = ("out0", "out1", "out2")
    _name = "LinalgSvdBackward0"

    def forward(ctx, a, full_matrices):
        ctx.full = full_matrices
        return ctx.xp.linalg.svd(a, full_matrices=full_matrices)

    def backward(ctx, gU, gS, gVh):
        U, S, Vh = ctx.saved_tensors
        m, n = U.shape[-2], Vh.shape[-1]
        k = S.shape[-1]
        if ctx.full:
            U, gU = U[..., :k], gU[..., :k]
            Vh, gVh = Vh[..., :k, :], gVh[..., :k, :]
        V, gV = Vh.mH, gVh.mH
        S2 = S * S
        E = S2.unsqueeze(-2) - S2.unsqueeze(-1)
        E = E + _eye_like(E, k)
        UhgU = U.mH @ gU
        VhgV = V.mH @ gV
        J = (UhgU - UhgU.mH) / E
        K = (VhgV - VhgV.mH) / E
        Sc = S.to(U.dtype)
        inner = J * Sc.unsqueeze(-2) + Sc.unsqueeze(-1) * K + gS.to(U.dtype).diag_embed()
        gA = U @ inner @ Vh
        if m > k:
            gA = gA + ((gU - U @ UhgU) / Sc.unsqueeze(-2)) @ Vh
        if n > k:
            gA = gA + U @ ((gV - V @ VhgV) / Sc.unsqueeze(-2)).mH
        return gA


class Eigh(MultiOp):
    """Hermitian eigendecomposition A = V diag(w) V^H (ascending w). With E_ij = w_j - w_i:
    gA = V (diag(gw) + (V^H gV) / E) V^H (off-diagonal; the diagonal of the second term is 0),
    returned symmetrized (Hermitian part), as PyTorch does."""
    save = ("out0", "out1")
    _name = "LinalgEighBackward0"

    def forward(ctx, a, uplo):
        return ctx.xp.linalg.eigh(a, UPLO=uplo)

    def backward(ctx, gw, gV):
        w, V = ctx.saved_tensors
        n = w.shape[-1]
        E = w.unsqueeze(-2) - w.unsqueeze(-1)
        eye = _eye_like(E, n)
        VhgV = V.mH @ gV
        inner = (VhgV / (E + eye)) * (1 - eye) + gw.to(V.dtype).diag_embed()
        gA = V @ inner @ V.mH
        return 0.5 * (gA + gA.mH)


class Eig(MultiOp):
    """General eigendecomposition (complex eigenvalues and eigenvectors); no derivative yet."""
    save = ()
    _name = "LinalgEigBackward0"

    def forward(ctx, a):
        xp = ctx.xp
        w, v = xp.linalg.eig(a)
        ct = xp.complex64 if a.dtype in (xp.float32, xp.complex64) else xp.complex128
        return w.astype(ct), v.astype(ct)

    def backward(ctx, gw, gv):
        raise NotImplementedError("the derivative for 'linalg_eig' is not implemented in Ember")


qr_rt = return_type("linalg_qr", ["Q", "R"])


qr_old_rt = return_type("qr", ["Q", "R"])


svd_rt = return_type("linalg_svd", ["U", "S", "Vh"])


svd_old_rt = return_type("svd", ["U", "S", "V"])


eigh_rt = return_type("linalg_eigh", ["eigenvalues", "eigenvectors"])


eig_rt = return_type("linalg_eig", ["eigenvalues", "eigenvectors"])


cholesky_ex_rt = return_type("linalg_cholesky_ex", ["L", "info"])


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
