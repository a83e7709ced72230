"""More joining and shaping: repeat_interleave, rot90, diag/diag_embed, meshgrid, broadcasting,
block_diag, combinations, trace, cross, tril/triu_indices, vander, cdist.

All are composites over differentiable ops (index_select, flip, transpose, cat, diagonal
scatter ...), so none needs a derivative of its own.
"""
import itertools

from .. import _dtype as D
from .._device import backend_for, to_device
from .._size import Size
from .._tensor import Tensor, _wrap
from ._helpers import wrap_dim, dtype_of, handle_out, promote
from .shape import DiagonalScatter
from ..autograd.node import Op

__all__ = ["repeat_interleave", "rot90", "diag", "diag_embed", "diagflat", "meshgrid",
           "cartesian_prod", "broadcast_tensors", "broadcast_shapes", "block_diag",
           "combinations", "trace", "cross", "tril_indices", "triu_indices", "vander", "cdist"]

_FUNCTIONS_ONLY = ("meshgrid", "cartesian_prod", "broadcast_tensors", "broadcast_shapes",
                   "block_diag", "combinations", "tril_indices", "triu_indices", "vander", "cdist")


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (or slice along ``dim``) ``repeats`` times (``torch.repeat_interleave``).

    With only a 1-d tensor of counts, returns arange indices repeated by those counts.
    """
    xp = input._backend()
    if repeats is None:  # torch.repeat_interleave(repeats)
        reps = input._data
        if reps.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if reps.size and int(reps.min()) < 0:
            raise RuntimeError("Repeats must be non-negative")
        return _wrap(xp.repeat(xp.arange(reps.shape[0] if reps.ndim else 1), reps).astype(xp.int64))
    if dim is None:
        input, d = input.reshape(-1), 0
    else:
        d = wrap_dim(dim, input.dim())
        if input.dim() == 0:
            input = input.reshape(1)
    n = input.shape[d]
    if isinstance(repeats, Tensor):
        reps = repeats._data.reshape(-1)
        if repeats.dim() > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if reps.shape[0] == 1:
            reps = xp.repeat(reps, n)
        elif reps.shape[0] != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {reps.shape[0]} and input.size({d}) = {n}")
    else:
        reps = xp.full(n, int(repeats))
    if reps.size and int(reps.min()) < 0:
        raise RuntimeError("Repeats must be non-negative")
    idx = xp.repeat(xp.arange(n), reps).astype(xp.int64)
    if output_size is not None and idx.shape[0] != output_size:
        raise RuntimeError("allocated size does not match required size")
    return input.index_select(d, _wrap(idx))


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``dims``, from the first toward the second."""
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.dim() < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.dim()}")
    d0, d1 = wrap_dim(dims[0], input.dim()), wrap_dim(dims[1], input.dim())
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    k %= 4
    if k == 1:
        return input.flip(d1).transpose(d0, d1)
    if k == 2:
        return input.flip((d0, d1))
    if k == 3:
        return input.flip(d0).transpose(d0, d1)
    return input.clone()


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


def diag(input, diagonal=0, *, out=None):
    """1-d input: a square matrix with it on the ``diagonal``; 2-d: that diagonal as a copy."""
    if input.dim() == 1:
        return handle_out(diag_embed(input, diagonal, 0, 1), out)
    if input.dim() == 2:
        return handle_out(input.diagonal(diagonal).clone(), out)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.dim()}D")


def diagflat(input, offset=0):
    """The flattened input as the ``offset`` diagonal of a square matrix (``torch.diagflat``)."""
    return diag_embed(input.reshape(-1), offset, 0, 1)


def _tensor_list(tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return list(tensors[0])
    return list(tensors)


_MESHGRID_WARNED = False


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-d tensors; ``indexing`` 'ij' (default) or 'xy' (``torch.meshgrid``)."""
    ts = _tensor_list(tensors)
    if indexing is None:
        global _MESHGRID_WARNED
        if not _MESHGRID_WARNED:
            _MESHGRID_WARNED = True
            import warnings
            warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                          "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    for t in ts:
        if t.dim() > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t}")
    ts = [t.reshape(-1) for t in ts]
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.shape[0] for t in ts)
    n = len(ts)
    grids = [t.reshape(tuple(-1 if i == k else 1 for i in range(n))).expand(shape)
             for k, t in enumerate(ts)]
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors):
    """All combinations of elements of 1-d tensors, one per row (``torch.cartesian_prod``)."""
    ts = _tensor_list(tensors)
    if len(ts) == 1:
        return ts[0]
    from .joining import stack
    return stack([g.reshape(-1) for g in meshgrid(*ts, indexing="ij")], 1)


def broadcast_shapes(*shapes):
    """The shape that tensors of the given shapes broadcast to (``torch.broadcast_shapes``)."""
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    n = max((len(s) for s in shapes), default=0)
    out = [1] * n
    for k, s in enumerate(shapes):
        for i in reversed(range(len(s))):
            v, j = s[i], n - len(s) + i
            if v < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {v}: {list(s)}")
            if out[j] == 1:
                out[j] = v
            elif v != 1 and v != out[j]:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {v} at "
                                   f"{i - len(s)}! Mismatching argument at index {k} had {s}; but "
                                   f"expected shape should be broadcastable to {out}")
    return Size(out)


def broadcast_tensors(*tensors):
    """Expand the tensors to one common shape, as views (``torch.broadcast_tensors``)."""
    ts = _tensor_list(tensors)
    shape = broadcast_shapes(*(t.shape for t in ts))
    return tuple(t.expand(shape) for t in ts)


def block_diag(*tensors):
    """A block-diagonal matrix from 0-, 1- or 2-d tensors (``torch.block_diag``)."""
    from .joining import cat
    ts = list(tensors)
    for i, t in enumerate(ts):
        if t.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t.dim()} dimensions")
    if not ts:
        from .creation import empty
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


def combinations(input, r=2, with_replacement=False):
    """Length-``r`` combinations of a 1-d tensor's elements, one per row (``torch.combinations``)."""
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    xp = input._backend()
    if r == 0:
        return input.new_zeros((0,))
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = xp.asarray(list(gen(range(input.shape[0]), r)), dtype=xp.int64).reshape(-1, r)
    return input.index_select(0, _wrap(idx.reshape(-1))).reshape(-1, r)


def trace(input):
    """Sum of the main diagonal of a 2-d tensor (``torch.trace``)."""
    if input.dim() != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.dim()}")
    return input.diagonal().sum()


def cross(input, other, dim=None, *, out=None):
    """Cross product of 3-vectors along ``dim`` (``torch.cross``; default: first dim of size 3)."""
    shape = broadcast_shapes(input.shape, other.shape)
    (a, b), _ = promote(input.expand(shape), other.expand(shape))
    if dim is None:
        import warnings
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
    from .joining import stack
    a0, a1, a2 = a.unbind(d)
    b0, b1, b2 = b.unbind(d)
    return handle_out(stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d), out)


def _tri_indices(fn, row, col, offset, dtype, device):
    from .creation import tensor
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    if dt not in (D.int64, D.int32):
        raise RuntimeError(f"\"{fn}\" not implemented for '{dt.name}'")
    for v, name in ((row, "row"), (col, "col")):
        if v < 0:
            raise RuntimeError(f"{name} must be non-negative, got{v}")
    xp = backend_for(to_device(device))
    r, c = (xp.tril_indices if fn == "tril_indices" else xp.triu_indices)(row, offset, col)
    return tensor(xp.stack([r, c]).reshape(2, -1), dtype=dt, device=device)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """2 x N coordinates of the lower triangle of a row x col matrix (``torch.tril_indices``)."""
    return _tri_indices("tril_indices", row, col, offset, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """2 x N coordinates of the upper triangle of a row x col matrix (``torch.triu_indices``)."""
    return _tri_indices("triu_indices", row, col, offset, dtype, device)


def vander(x, N=None, increasing=False):
    """Vandermonde matrix: column j is x**(N-1-j) (or x**j if ``increasing``) (``torch.vander``)."""
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if dtype_of(x)._category <= D._INT:
        x = x.long()
    from .creation import arange
    p = arange(n, dtype=x.dtype, device=x.device)
    if not increasing:
        p = p.flip(0)
    return x.unsqueeze(-1) ** p


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
    from .reduce_extra import vector_norm
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
