"""Linear algebra ops with derivatives: inv, det, slogdet, solve, cholesky, qr, svd, eigh.

Factorizations with several outputs are ``MultiOp`` nodes (one gradient per output, zeros for
unused ones). Composites (pinv, lstsq, matrix_norm, matrix_power ...) live in ``linalg_extra``.
The public ``ember.linalg`` namespace is ``ember/linalg.py``.
"""
from .. import _dtype as D
from .._tensor import _wrap
from ..autograd.grad_mode import STATE
from ..autograd.node import Op, edge_of, _same_device
from ._helpers import dtype_of, _cap
from .creation import eye
from .joining import cat

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


class MultiOp(Op):
    """Base of ops with several outputs: ``forward`` returns a tuple of arrays and ``backward``
    receives one gradient per output. ``save`` may name inputs (ints) and outputs ("out0" ...).
    Inputs after the first may be None (optional operands: no edge, no gradient)."""

    @classmethod
    def apply(cls, *inputs, **params):
        ctx = cls.__new__(cls)
        ctx.xp = inputs[0]._backend()
        if len({type(t._data) for t in inputs if t is not None}) > 1:
            inputs = _same_device(inputs)
            ctx.xp = inputs[0]._backend()
        outs = tuple(_wrap(o) for o in cls.forward(
            ctx, *[None if t is None else t._data for t in inputs], **params))
        if STATE.enabled and any(t is not None and t._rg for t in inputs):
            ctx._init_node()
            ctx.next_functions = tuple(_NO_EDGE if t is None else edge_of(t) for t in inputs)
            ctx.needs_input_grad = tuple(t is not None and t._rg for t in inputs)
            ctx._in_meta = tuple(None if t is None else (t._data.shape, t._data.dtype)
                                 for t in inputs)
            ctx._out_meta = tuple((tuple(o.shape), o.dtype, o.device) for o in outs)
            ctx._n_outputs = len(outs)
            saved = tuple(outs[int(i[3:])] if isinstance(i, str) else inputs[i] for i in cls.save)
            ctx._saved = saved
            ctx._saved_versions = tuple(None if t is None else t._version[0] for t in saved)
            for i, o in enumerate(outs):
                if o.dtype.is_floating_point or o.dtype.is_complex:
                    o._rg = True
                    o.grad_fn = ctx
                    o._output_nr = i
        return outs


_NO_EDGE = (None, 0)


def _eye_like(A, n):
    return eye(n, dtype=A.dtype, device=A.device)


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


class Det(Op):
    save = (0, "out")
    _name = "LinalgDetBackward0"

    def forward(ctx, a):
        return ctx.xp.linalg.det(a)

    def backward(ctx, g):
        a, d = ctx.saved_tensors
        g2 = g.unsqueeze(-1).unsqueeze(-1)
        if not bool((d._data == 0).any()):
            return (g * d.conj()).unsqueeze(-1).unsqueeze(-1) * a.inverse().mH
        # singular: the cofactor matrix adj(A)^T = det(U) det(Vh) U adj(S) Vh from the SVD,
        # where adj(S) holds the product of the other singular values
        from .reduce import _prod_others
        U, S, Vh = SVD.apply(a, full_matrices=False)
        sign = (Det.apply(U.detach()) * Det.apply(Vh.detach())).unsqueeze(-1).unsqueeze(-1)
        cof = (U * _prod_others(S, (S.dim() - 1,)).unsqueeze(-2)) @ Vh * sign
        return g2 * cof


class LogAbsDet(Op):
    """log|det A|; the derivative is A^{-H} (the sign is piecewise constant)."""
    save = (0,)
    _name = "LinalgSlogdetBackward0"

    def forward(ctx, a):
        return ctx.xp.linalg.slogdet(a)[1]

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g.unsqueeze(-1).unsqueeze(-1) * a.inverse().mH


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


_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
           129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
           40840800., 960960., 16380., 182., 1.)


class MatrixExp(Op):
    """exp(A) by scaling and squaring with a degree-13 Pade approximant (Higham 2005).

    The derivative is the upper-right block of exp([[A^H, g], [0, A^H]]) (Mathias 1996),
    computed with this op again, so it is differentiable twice.
    """
    save = (0,)
    _name = "LinalgMatrixExpBackward0"

    def forward(ctx, a):
        xp = ctx.xp
        n = a.shape[-1]
        if n == 0:
            return a.copy()
        norm1 = xp.abs(a).sum(axis=-2).max() if a.size else 0.0
        s = max(0, int(xp.ceil(xp.log2(norm1 / 5.371920351148152)))) if norm1 > 0 else 0
        A = a / (2.0 ** s)
        b = _PADE13
        eye = xp.eye(n, dtype=a.dtype)
        A2 = A @ A
        A4 = A2 @ A2
        A6 = A4 @ A2
        U = A @ (A6 @ (b[13] * A6 + b[11] * A4 + b[9] * A2) + b[7] * A6 + b[5] * A4 + b[3] * A2
                 + b[1] * eye)
        V = A6 @ (b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 \
            + b[0] * eye
        R = xp.linalg.solve(V - U, V + U)
        for _ in range(s):
            R = R @ R
        return R.astype(a.dtype, copy=False)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        n = a.shape[-1]
        ah = a.mH
        top = cat([ah, g], -1)
        bottom = cat([g.new_zeros(g.shape), ah], -1)
        big = MatrixExp.apply(cat([top, bottom], -2))
        return big[..., :n, n:]


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
