"""Determinants with derivatives: det, slogdet (torch.linalg and the old top-level form), logdet."""

from .._tensor import _wrap
from ..autograd.node import Op
from ._inplace import handle_out
from ._operands import return_type
from .decompositions import SVD
from .linalg_common import _out2, check_matrix
from ._registry import register
from .reduce import _prod_others



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


# PyTorch's names: torch.linalg.* results are linalg_<name>; the old top-level ones are not
slogdet_rt = return_type("linalg_slogdet", ["sign", "logabsdet"])


slogdet_old_rt = return_type("slogdet", ["sign", "logabsdet"])


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
