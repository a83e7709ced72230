"""torch.nn.functional's distances: pdist, normalize, cosine_similarity, pairwise_distance."""
import math

from ..._tensor import _wrap
from ...ops import unary as U


__all__ = ["normalize", "cosine_similarity", "pairwise_distance", "pdist"]


# ---- norms and distances -----------------------------------------------------------------
def _vector_norm(x, p, dim, keepdim):
    if p == 2:
        return (x * x).sum(dim, keepdim=keepdim).sqrt()
    if p == math.inf:
        return U.abs(x).amax(dim, keepdim=keepdim)
    if p == -math.inf:
        return U.abs(x).amin(dim, keepdim=keepdim)
    if p == 1:
        return U.abs(x).sum(dim, keepdim=keepdim)
    if p == 0:
        return (x != 0).to(x.dtype).sum(dim, keepdim=keepdim)
    return (U.abs(x) ** p).sum(dim, keepdim=keepdim) ** (1.0 / p)


def _clamped(n, eps):
    """``n`` clamped below at ``eps`` in value, with the gradient of ``n`` itself."""
    return n + (n.clamp(min=eps) - n).detach()


def pdist(input, p=2):
    """p-norm distances between all pairs of rows of an (N, M) input, as the N(N-1)/2 entries
    above the diagonal, row by row (``F.pdist``)."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    n = input.shape[0]
    xp = input._backend()
    i, j = xp.triu_indices(n, 1)
    return _vector_norm(input[_wrap(i)] - input[_wrap(j)], p, 1, False)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """x / max(||x||_p, eps) along ``dim`` (``F.normalize``)."""
    denom = input.norm(p, dim, keepdim=True).clamp(min=eps)  # torch.norm's argument rules
    result = input / denom
    if out is not None:
        out.copy_(result)
        return out
    return result


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along ``dim``."""
    if not eps >= 0:
        raise RuntimeError(f"eps must be non-negative, got: {eps:g}")
    n1 = _clamped(_vector_norm(x1, 2, dim, True), eps)
    n2 = _clamped(_vector_norm(x2, 2, dim, True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p along the last dim (``F.pairwise_distance``)."""
    nd = max(x1.dim(), x2.dim())
    return _vector_norm(x1 - x2 + eps, p, -1 if nd else 0, keepdim)
