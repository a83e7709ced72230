"""Matrix constructions and their readers: diag, diagflat, diag_embed, trace,
tril_indices/triu_indices, block_diag, vander."""

from .. import _dtype as D
from .._device import backend_for, to_device
from ._dims import wrap_dim
from ._operands import dtype_of
from ._inplace import handle_out
from .shape import DiagonalScatter
from ._registry import register
from .joining import cat
from .creation import empty, tensor, arange



@register
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Tensor whose (dim1, dim2) diagonals at ``offset`` hold the last dim of ``input``."""
    nd = input.dim() + 1
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    m = input.shape[-1] + abs(offset)
    shape = list(input.shape[:-1])
    for d in sorted((d1, d2)):
        shape.insert(d, m)
    return DiagonalScatter.apply(input, shape=tuple(shape), args=(offset, d1, d2))


@register
def diag(input, diagonal=0, *, out=None):
    """1-d input: a square matrix with it on the ``diagonal``; 2-d: that diagonal as a copy."""
    if input.dim() == 1:
        return handle_out(diag_embed(input, diagonal, 0, 1), out)
    if input.dim() == 2:
        return handle_out(input.diagonal(diagonal).clone(), out)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.dim()}D")


@register
def diagflat(input, offset=0):
    """The flattened input as the ``offset`` diagonal of a square matrix (``torch.diagflat``)."""
    return diag_embed(input.reshape(-1), offset, 0, 1)


@register(method=False)
def block_diag(*tensors):
    """A block-diagonal matrix from 0-, 1- or 2-d tensors (``torch.block_diag``)."""
    ts = list(tensors)
    for i, t in enumerate(ts):
        if t.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t.dim()} dimensions")
    if not ts:
        return empty(1, 0)
    ts = [t.reshape(1, -1) if t.dim() < 2 else t for t in ts]
    dt = D.result_type(*ts)
    ts = [t.to(dt) for t in ts]
    total = sum(t.shape[1] for t in ts)
    rows, col = [], 0
    for t in ts:
        r, c = t.shape
        parts = [t.new_zeros((r, col)), t, t.new_zeros((r, total - col - c))]
        rows.append(cat(parts, 1))
        col += c
    return cat(rows, 0)


@register
def trace(input):
    """Sum of the main diagonal of a 2-d tensor (``torch.trace``)."""
    if input.dim() != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.dim()}")
    return input.diagonal().sum()


def _tri_indices(fn, row, col, offset, dtype, device):
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    if dt not in (D.int64, D.int32):
        raise RuntimeError(f"\"{fn}\" not implemented for '{dt.name}'")
    for v, name in ((row, "row"), (col, "col")):
        if v < 0:
            raise RuntimeError(f"{name} must be non-negative, got{v}")
    xp = backend_for(to_device(device))
    # row by row, never a row x col mask: a huge col costs only what the triangle holds
    i = xp.arange(row, dtype=xp.int64)
    if fn == "tril_indices":
        first = xp.zeros_like(i)
        count = xp.clip(i + (offset + 1), 0, col)
    else:
        first = xp.clip(i + offset, 0, col)
        count = col - first
    r = xp.repeat(i, count)
    ends = xp.cumsum(count)
    c = xp.arange(r.shape[0], dtype=xp.int64) - xp.repeat(ends - count - first, count)
    return tensor(xp.stack([r, c]), dtype=dt, device=device)


@register(method=False)
def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """2 x N coordinates of the lower triangle of a row x col matrix (``torch.tril_indices``)."""
    return _tri_indices("tril_indices", row, col, offset, dtype, device)


@register(method=False)
def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """2 x N coordinates of the upper triangle of a row x col matrix (``torch.triu_indices``)."""
    return _tri_indices("triu_indices", row, col, offset, dtype, device)


@register(method=False)
def vander(x, N=None, increasing=False):
    """Vandermonde matrix: column j is x**(N-1-j) (or x**j if ``increasing``) (``torch.vander``)."""
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if dtype_of(x)._category <= D._INT:
        x = x.long()
    p = arange(n, dtype=x.dtype, device=x.device)
    if not increasing:
        p = p.flip(0)
    return x.unsqueeze(-1) ** p
