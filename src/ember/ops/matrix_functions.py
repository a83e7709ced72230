"""Functions of matrices: matrix_exp (with derivative), matrix_power, matrix_rank, matrix and
linalg norms, cond, cross, multi_dot, vecdot, vander."""
import math

from .. import _dtype as D
from .._tensor import _wrap
from ..autograd.node import Op
from ._dims import wrap_dim
from ._inplace import handle_out
from ._operands import dtype_of, promote
from .norms import vector_norm
from .decompositions import svdvals
from .linalg_common import _tol, check_matrix
from .solvers import inv
from .joining import cat
from .creation import arange
from ._registry import register
from .geometry import _cross
from .grids import broadcast_shapes



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


@register
def matrix_exp(A):
    """Matrix exponential of a (batch of) square matrix (``torch.linalg.matrix_exp``)."""
    check_matrix(A, "linalg.matrix_exp")
    return MatrixExp.apply(A)


def vander(x, *, N=None):
    """Vandermonde matrix with increasing powers x**0 ... x**(N-1) along a new last dim
    (``torch.linalg.vander``)."""
    if x.dim() == 0:
        raise RuntimeError("N must be greater than 1.")
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    if dtype_of(x)._category <= D._INT:
        x = x.long()
    return x.unsqueeze(-1) ** arange(n, dtype=x.dtype, device=x.device)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Number of singular values above max(atol, rtol*smax) (``torch.linalg.matrix_rank``)."""
    check_matrix(A, "linalg.matrix_rank", square=False)
    S = svdvals(A.detach())
    r = (S > _tol(S, atol, rtol, A.shape[-2], A.shape[-1])).sum(-1)
    return handle_out(r, out)


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
