"""Vector geometry: cross products and pairwise distances (cdist)."""

import warnings

from .. import _dtype as D
from ._dims import wrap_dim
from ._operands import dtype_of, promote
from ._inplace import handle_out
from ..autograd.node import Op
from .grids import broadcast_shapes
from ._registry import register
from .joining import stack
from .norms import vector_norm



@register
def cross(input, other, dim=None, *, out=None):
    """Cross product of 3-vectors along ``dim`` (``torch.cross``; default: first dim of size 3)."""
    shape = broadcast_shapes(input.shape, other.shape)
    (a, b), _ = promote(input.expand(shape), other.expand(shape))
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                      "either pass the dim explicitly or simply use torch.linalg.cross.\nThe "
                      "default value of dim will change to agree with that of linalg.cross in a "
                      "future release.", UserWarning, stacklevel=2)
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return _cross(a, b, dim, out)


def _cross(a, b, dim, out=None):
    d = wrap_dim(dim, a.dim())
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[d]} and {b.shape[d]}")
    a0, a1, a2 = a.unbind(d)
    b0, b1, b2 = b.unbind(d)
    return handle_out(stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d), out)


@register(method=False)
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distances between each row of ``x1`` and each row of ``x2`` (``torch.cdist``)."""
    if x1.dim() < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.dim()}D")
    if x2.dim() < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {x2.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} "
                           f"X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if dtype_of(x1)._category < D._FLOAT:
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: "
                           f"{dtype_of(x1).name}")
    if compute_mode not in ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                            "donot_use_mm_for_euclid_dist"):
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    use_mm = compute_mode == "use_mm_for_euclid_dist" or (
        compute_mode == "use_mm_for_euclid_dist_if_necessary" and
        (x1.shape[-2] > 25 or x2.shape[-2] > 25))
    if p == 2 and use_mm:
        (x1, x2), _ = promote(x1, x2)
        return CdistEuclid.apply(x1, x2)
    return vector_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, -1)


class CdistEuclid(Op):
    """Euclidean distances through one matrix product: |a|^2 + |b|^2 - 2 a.b (clamped at 0).

    The derivative is G = g / d (0 where d = 0): ga = rowsum(G) a - G b, gb = colsum(G) b - G^T a.
    """
    save = (0, 1, "out")
    _name = "CdistBackward0"

    def forward(ctx, a, b):
        xp = ctx.xp
        aa = xp.einsum("...i,...i->...", a, a)[..., :, None]
        bb = xp.einsum("...i,...i->...", b, b)[..., None, :]
        d2 = aa + bb - 2 * xp.matmul(a, xp.swapaxes(b, -1, -2))
        return xp.sqrt(xp.maximum(d2, 0, out=d2), out=d2)

    def backward(ctx, g):
        a, b, d = ctx.saved_tensors
        zero = d == 0
        G = (g / d.masked_fill(zero, 1.0)).masked_fill(zero, 0.0)
        ga = G.sum(-1, keepdim=True) * a - G @ b if ctx.needs_input_grad[0] else None
        gb = G.sum(-2).unsqueeze(-1) * b - G.mT @ a if ctx.needs_input_grad[1] else None
        return ga, gb
