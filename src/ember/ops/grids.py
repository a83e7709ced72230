"""Grids and broadcasting of several tensors: meshgrid, cartesian_prod, combinations,
broadcast_shapes, broadcast_tensors; repeat_interleave and rot90."""
import itertools
import warnings

from .._size import Size
from .._tensor import Tensor, _wrap
from ._dims import wrap_dim
from ._registry import register
from .joining import stack



@register
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


@register
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


def _tensor_list(tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return list(tensors[0])
    return list(tensors)


_MESHGRID_WARNED = False


@register(method=False)
def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-d tensors; ``indexing`` 'ij' (default) or 'xy' (``torch.meshgrid``)."""
    ts = _tensor_list(tensors)
    if indexing is None:
        global _MESHGRID_WARNED
        if not _MESHGRID_WARNED:
            _MESHGRID_WARNED = True
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


@register(method=False)
def cartesian_prod(*tensors):
    """All combinations of elements of 1-d tensors, one per row (``torch.cartesian_prod``)."""
    ts = _tensor_list(tensors)
    if len(ts) == 1:
        return ts[0]
    return stack([g.reshape(-1) for g in meshgrid(*ts, indexing="ij")], 1)


@register(method=False)
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


@register(method=False)
def broadcast_tensors(*tensors):
    """Expand the tensors to one common shape, as views (``torch.broadcast_tensors``)."""
    ts = _tensor_list(tensors)
    shape = broadcast_shapes(*(t.shape for t in ts))
    return tuple(t.expand(shape) for t in ts)


@register(method=False)
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
