"""Slicing views and their scatters: narrow/select/unbind, split/chunk/tensor_split and
hsplit/vsplit/dsplit, as_strided, unfold and diagonal (PyTorch's views sharing storage), plus
the ``*Scatter`` ops that write a gradient back into the slice they came from.

Part of ``ember.ops.shape``, which re-exports everything here.
"""
from .. import _checks
from .._tensor import Tensor
from ..autograd.node import Op
from ._dims import wrap_dim, dense_dim_order
from ._operands import named
from .shape import ViewOp
from ..autograd.inplace import mark_multi_view
from ._registry import register



class Slice(ViewOp):
    """Basic indexing (ints, slices with positive steps, None, Ellipsis): a view."""
    _name = "SliceBackward0"

    def forward(ctx, x, key):
        ctx.key = key
        ctx.in_shape = x.shape
        out = x[key]
        if not isinstance(out, ctx.xp.ndarray):  # all-int key: a 0-d view, not a scalar copy
            out = x[(key if isinstance(key, tuple) else (key,)) + (Ellipsis,)]
        return out

    def backward(ctx, g):
        return SliceScatter.apply(g, shape=ctx.in_shape, key=ctx.key)


class SliceScatter(Op):
    """Zeros of ``shape`` with ``g`` written at ``key``: the gradient of a slice."""

    def forward(ctx, g, shape, key):
        ctx.key = key
        out = ctx.xp.zeros(shape, dtype=g.dtype)
        out[key] = g
        return out

    def backward(ctx, gg):
        return gg[ctx.key]


@register
def narrow(input, dim, start, length):
    """A view of ``length`` elements of dim ``dim`` from ``start`` (``torch.narrow``)."""
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    size = input._data.shape[d]
    if isinstance(start, Tensor) and (start.dim() != 0 or start.is_floating_point()):
        raise RuntimeError("start must be an 0-dim integral Tensor.")
    start = _checks.check_int("narrow", start, "start", 2)
    length = _checks.check_int("narrow", length, "length", 3)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    key = (slice(None),) * d + (slice(start, start + length),)
    return Slice.apply(input, key=key)


@register
def select(input, dim, index):
    """The slice at ``index`` along ``dim``, with that dim removed (``torch.select``)."""
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, nd)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {dim}")
    return named(Slice.apply(input, key=(slice(None),) * d + (index % size,)), "SelectBackward0")


@register
def unbind(input, dim=0):
    """All slices along ``dim`` as a tuple of views (``torch.unbind``)."""
    d = wrap_dim(dim, input._data.ndim)
    return tuple(mark_multi_view(named(select(input, d, i), "UnbindBackward0"), i)
                 for i in range(input._data.shape[d]))


@register
def split(tensor, split_size_or_sections, dim=0):
    """Split into chunks of a given size, or of the given list of sizes (``torch.split``)."""
    if isinstance(split_size_or_sections, Tensor):  # PyTorch's Tensor.split reads int(t)
        if split_size_or_sections.numel() != 1:
            raise TypeError("split_with_sizes(): argument 'split_sizes' (position 2) must be "
                            "tuple of ints, not Tensor")
        split_size_or_sections = int(split_size_or_sections)
    if not isinstance(split_size_or_sections, (list, tuple)):
        split_size_or_sections = _checks.check_int("split", split_size_or_sections,
                                                   "split_size", 2)
    else:
        split_size_or_sections = _checks.check_int_list("split_with_sizes",
                                                        split_size_or_sections, "split_sizes", 2)
    if tensor._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, tensor._data.ndim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and size:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        sizes = [min(step, size - i) for i in range(0, size, step)] if size else [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                               f"(input tensor's size at dimension {d}), but got split_sizes="
                               f"{sizes}")
    out, start = [], 0
    node = "SplitBackward0" if isinstance(split_size_or_sections, int) else \
        "SplitWithSizesBackward0"
    for i, n in enumerate(sizes):
        out.append(mark_multi_view(named(narrow(tensor, d, start, n), node), i))
        start += n
    return tuple(out)


@register
def chunk(input, chunks, dim=0):
    """Split into ``chunks`` pieces of (ceil) equal size (``torch.chunk``)."""
    chunks = _checks.check_int("chunk", chunks, "chunks", 1)
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if size == 0:  # PyTorch gives ``chunks`` empty pieces
        return tuple(narrow(input, d, 0, 0) for _ in range(chunks))
    step = max(-(-size // chunks), 1)
    return split(input, step, dim)


@register
def tensor_split(input, indices_or_sections=None, dim=0, *, indices=None, sections=None,
                 tensor_indices_or_sections=None):
    """Split at indices, or into n nearly equal parts (``torch.tensor_split``)."""
    if indices_or_sections is None:  # PyTorch's keyword spellings of the overloads
        indices_or_sections = next((v for v in (indices, sections, tensor_indices_or_sections)
                                    if v is not None), None)
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if isinstance(indices_or_sections, Tensor):
        if indices_or_sections.is_floating_point() or indices_or_sections.dim() > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have "
                               "integer dtype and be a zero-dimensional or one-dimensional "
                               f"tensor, but got {indices_or_sections.dim()}-d "
                               f"{indices_or_sections.dtype}")
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, float):
        raise TypeError("tensor_split() received an invalid combination of arguments - got "
                        "float, but expected an int, a sequence of ints or a tensor")
    if isinstance(indices_or_sections, int):
        indices_or_sections = _checks.check_int("tensor_split", indices_or_sections,
                                                "sections", 2)
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        q, r = divmod(size, n)
        bounds, acc = [], 0
        for i in range(n - 1):
            acc += q + (1 if i < r else 0)
            bounds.append(acc)
    else:
        bounds = list(indices_or_sections)
    out, prev = [], 0
    for b in bounds + [size]:
        b = max(min(b if b >= 0 else b + size, size), prev)
        out.append(narrow(input, d, prev, b - prev))
        prev = b
    return tuple(out)


@register
def hsplit(input, sections):
    """tensor_split along dim 1 (dim 0 for 1-d input) (``torch.hsplit``)."""
    return tensor_split(input, sections, 1 if input.dim() > 1 else 0)


@register
def vsplit(input, sections):
    """tensor_split along dim 0 (``torch.vsplit``)."""
    return tensor_split(input, sections, 0)


@register
def dsplit(input, sections):
    """tensor_split along dim 2 (``torch.dsplit``)."""
    return tensor_split(input, sections, 2)


class AsStrided(ViewOp):
    """A view with explicit sizes, strides and offset (in elements) into the base's storage."""

    def forward(ctx, x, size, stride, offset, root):
        xp = ctx.xp
        item = root.dtype.itemsize
        ctx.geometry = (size, stride, offset)
        ctx.root_shape = root.shape
        ctx.in_geometry = None if x is root else (  # x is a view: its own place in the storage
            x.shape, tuple(st // item for st in x.strides),
            (x.__array_interface__["data"][0] - root.__array_interface__["data"][0]) // item) \
            if xp.__name__ == "numpy" else None
        ctx.order = None
        if root.flags.c_contiguous:
            flat = root.reshape(-1)
        else:  # a dense permuted layout (e.g. a clone of a transpose): index memory order
            ctx.order = tuple(dense_dim_order(root.shape, root.strides))
            mem = root.transpose(ctx.order)
            if not mem.flags.c_contiguous:
                raise NotImplementedError("as_strided on a base tensor with gaps in its storage")
            flat = mem.reshape(-1)
        start = flat[offset:] if offset < flat.size else flat[flat.size:]
        return xp.lib.stride_tricks.as_strided(start, size, tuple(s * item for s in stride))

    def backward(ctx, g):
        g_root = AsStridedScatter.apply(g, geometry=ctx.geometry, shape=ctx.root_shape,
                                        order=ctx.order)
        if ctx.in_geometry is None:
            return g_root
        return as_strided(g_root, *ctx.in_geometry)  # the input's own elements of the storage


class AsStridedScatter(Op):
    def forward(ctx, g, geometry, shape, order=None):
        xp = ctx.xp
        size, stride, offset = geometry
        ctx.geometry, ctx.order = geometry, order
        # storage is laid out in ``order`` (outermost dim first), C order when None
        out = xp.zeros(shape if order is None else tuple(shape[d] for d in order), dtype=g.dtype)
        flat = out.reshape(-1)
        idx = _strided_indices(xp, size, stride, offset)
        xp.add.at(flat, idx.reshape(-1), g.reshape(-1))
        if order is not None:
            out = out.transpose(tuple(order.index(d) for d in range(len(order))))
        return out

    def backward(ctx, gg):
        size, stride, offset = ctx.geometry
        mem = gg.contiguous() if ctx.order is None else gg.permute(ctx.order).contiguous()
        return as_strided(mem, size, stride, offset)


def _strided_indices(xp, size, stride, offset):
    idx = xp.asarray(offset)
    for n, s in zip(size, stride):
        idx = idx[..., None] + xp.arange(n) * s
    return idx


@register(inplace_function=True)
def as_strided(input, size, stride, storage_offset=None):
    """A view of the storage with the given geometry, in elements (``torch.as_strided``)."""
    _checks.check_strided_geometry(size, stride)
    root = input._base if input._base is not None else input
    offset = input.storage_offset() if storage_offset is None else storage_offset
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    size, stride = tuple(size), tuple(stride)
    need = offset + sum((n - 1) * s for n, s in zip(size, stride) if n > 0) + 1
    if all(n > 0 for n in size) and need > root._data.size:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                           f"{offset} requiring a storage size of {need * root._data.dtype.itemsize} "
                           f"are out of bounds for storage of size "
                           f"{root._data.size * root._data.dtype.itemsize}")
    return AsStrided.apply(input, size=size, stride=stride, offset=offset, root=root._data)


@register
def unfold(input, dimension, size, step):
    """A view of all windows of ``size`` along ``dimension`` taken every ``step``."""
    size = _checks.check_int("unfold", size, "size", 2)
    step = _checks.check_int("unfold", step, "step", 3)
    nd = input._data.ndim
    d = wrap_dim(dimension, nd)
    n = input._data.shape[d] if nd else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    count = (n - size) // step + 1
    if nd == 0:
        return as_strided(input, (size,), (1,))
    return Unfold.apply(input, d=d, size=size, step=step, count=count)


class Unfold(ViewOp):
    """Windows along one dim as a strided view of the input's own array."""

    def forward(ctx, x, d, size, step, count):
        ctx.in_shape = x.shape
        shape = x.shape[:d] + (count,) + x.shape[d + 1:] + (size,)
        st = x.strides
        ctx.out_shape, ctx.args = shape, (d, step)
        return ctx.xp.lib.stride_tricks.as_strided(
            x, shape, st[:d] + (st[d] * step,) + st[d + 1:] + (st[d],))

    def backward(ctx, g):
        d, step = ctx.args
        cst, acc = [], 1
        for n in reversed(ctx.in_shape):  # element strides of a contiguous input
            cst.insert(0, acc)
            acc *= n
        stride = tuple(cst[:d]) + (cst[d] * step,) + tuple(cst[d + 1:]) + (cst[d],)
        return AsStridedScatter.apply(g, geometry=(ctx.out_shape, stride, 0), shape=ctx.in_shape)


@register
def diagonal(input, offset=0, dim1=0, dim2=1):
    """A view of the diagonal of dims ``dim1``, ``dim2`` (``torch.diagonal``)."""
    return Diagonal.apply(input, offset=offset, d1=wrap_dim(dim1, input.dim()),
                          d2=wrap_dim(dim2, input.dim()))


class Diagonal(ViewOp):
    def forward(ctx, x, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        ctx.in_shape = x.shape
        return _diagonal_view(ctx.xp, x, offset, d1, d2)

    def backward(ctx, g):
        return DiagonalScatter.apply(g, shape=ctx.in_shape, args=ctx.args)


def _diagonal_view(xp, x, offset, d1, d2):
    """A writable strided view of a diagonal (NumPy's own ``diagonal`` is read-only)."""
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {d1}, {d2}")
    key = [slice(None)] * x.ndim
    key[d2 if offset >= 0 else d1] = slice(abs(offset), None)
    x = x[tuple(key)]
    n = max(min(x.shape[d1], x.shape[d2]), 0)
    keep = [i for i in range(x.ndim) if i not in (d1, d2)]
    shape = tuple(x.shape[i] for i in keep) + (n,)
    strides = tuple(x.strides[i] for i in keep) + (x.strides[d1] + x.strides[d2],)
    return xp.lib.stride_tricks.as_strided(x, shape, strides)


class DiagonalScatter(Op):
    def forward(ctx, g, shape, args):
        ctx.args = args
        out = ctx.xp.zeros(shape, dtype=g.dtype)
        _diagonal_view(ctx.xp, out, *args)[...] = g
        return out

    def backward(ctx, gg):
        return gg.diagonal(*ctx.args)
