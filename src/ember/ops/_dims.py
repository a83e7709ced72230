"""Dimension and layout helpers for ops: wrapping dims, broadcast checks, dense dim order, layout-
preserving empty arrays."""
from .. import _backend as B
from .._tensor import Tensor
from .._checks import check_int, check_int_list


def wrap_dim(dim, ndim):
    """Turn a possibly negative ``dim`` into an index, raising PyTorch's IndexError (and its
    TypeError for a dim that is not an int)."""
    if type(dim) is not int:
        dim = check_int("", dim, "dim")
    n = max(ndim, 1)
    if not -n <= dim < n:
        if not -(1 << 63) <= dim < (1 << 63):
            raise ValueError(f"Overflow when unpacking long long (dim={dim})")
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim if ndim else 0


def wrap_dims(dim, ndim):
    """Normalise ``dim`` (None, int, or sequence) to a sorted tuple of axes; None means all."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, B.INTEGER_TYPES):
        d = wrap_dim(int(dim), ndim)
        return (d,) if ndim else ()
    if isinstance(dim, (str, float)) or not hasattr(dim, "__iter__"):
        check_int_list("", dim, "dim")
    dims = tuple(wrap_dim(d, ndim) for d in dim)
    if not ndim:
        return ()
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims} appears multiple times in the list of dims")
    return tuple(sorted(dims))


def broadcast_shapes_error(sa, sb):
    """PyTorch's RuntimeError for shapes ``sa`` and ``sb`` that do not broadcast (or None)."""
    n = max(len(sa), len(sb))
    for i in range(n - 1, -1, -1):
        da = sa[i - n + len(sa)] if i - n + len(sa) >= 0 else 1
        db = sb[i - n + len(sb)] if i - n + len(sb) >= 0 else 1
        if da != db and da != 1 and db != 1:
            return RuntimeError(f"The size of tensor a ({da}) must match the size of tensor b "
                                f"({db}) at non-singleton dimension {i}")
    return None


def check_broadcast(a, b):
    """Raise PyTorch's RuntimeError when tensors/scalars ``a`` and ``b`` do not broadcast."""
    sa = a._data.shape if isinstance(a, Tensor) else ()
    sb = b._data.shape if isinstance(b, Tensor) else ()
    err = broadcast_shapes_error(sa, sb)
    if err is not None:
        raise err


def dense_dim_order(shape, strides):
    """Dims from outermost to innermost, as PyTorch lays out a copy of a strided tensor.

    An insertion sort by stride that leaves size-1 and stride-0 dims where they are
    (PyTorch's ``infer_dense_strides``).
    """
    nd = len(shape)
    perm = list(range(nd - 1, -1, -1))  # innermost first
    for i in range(1, nd):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            a, b = perm[d0], perm[d1]
            if shape[a] == 1 or shape[b] == 1 or strides[a] == strides[b] or not strides[a] \
                    or not strides[b]:
                continue
            if strides[a] < strides[b]:
                break
            perm[d0], perm[d1] = b, a
            d1 = d0
    return perm[::-1]


def empty_like_layout(xp, arr, dtype=None):
    """An uninitialised array shaped like ``arr``, laid out like PyTorch's preserve_format."""
    dtype = arr.dtype if dtype is None else dtype
    if arr.flags.c_contiguous:
        return xp.empty(arr.shape, dtype=dtype)
    order = dense_dim_order(arr.shape, arr.strides)
    inverse = [0] * len(order)
    for i, d in enumerate(order):
        inverse[d] = i
    return xp.empty(tuple(arr.shape[d] for d in order), dtype=dtype).transpose(inverse)
