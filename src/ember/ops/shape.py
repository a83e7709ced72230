"""View ops (share storage with their base, as in PyTorch) and shape changes.

A ``ViewOp`` result shares its input's array and version counter and records the root
tensor as ``_base``, so writes through either side are seen by the other and in-place
changes are caught by autograd.
"""
import math

from .._tensor import Tensor
from ..autograd.node import Op
from ._helpers import wrap_dim, wrap_dims, named, dense_dim_order

__all__ = ["view", "reshape", "flatten", "unflatten", "transpose", "swapaxes", "swapdims", "t",
           "permute", "movedim", "moveaxis", "expand", "expand_as", "broadcast_to", "squeeze",
           "unsqueeze", "narrow", "select", "unbind", "split", "chunk", "tensor_split",
           "hsplit", "vsplit", "dsplit", "unfold", "diagonal", "as_strided", "view_as",
           "reshape_as", "contiguous", "ravel", "adjoint", "view_as_real", "view_as_complex",
           "resolve_conj", "resolve_neg", "is_conj", "is_neg", "is_same_size"]


class ViewOp(Op):
    """An op whose output is a view of its first input."""

    @classmethod
    def apply(cls, *inputs, **params):
        result = super().apply(*inputs, **params)
        src = inputs[0]
        result._version = src._version
        result._base = src._base if src._base is not None else src
        if result.grad_fn is not None:  # lets autograd spot a base written in place later
            result.grad_fn._view_version = src._version[0]
        return result


def _infer_shape(shape, numel):
    if -1 not in shape and math.prod(shape) == numel and (not shape or min(shape) >= 0):
        return tuple(shape)  # the common case: nothing to infer
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    if neg:
        known = math.prod(s for s in shape if s != -1)
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of "
                               f"size {numel}")
        shape[neg[0]] = numel // known
    elif math.prod(shape) != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of "
                           f"size {numel}")
    return tuple(shape)


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    for s in shape:
        if type(s) is not int:
            return tuple(int(s) for s in shape)  # Tensors, NumPy ints...
    return tuple(shape)


class View(ViewOp):
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        if x.flags.c_contiguous:
            return x.reshape(shape)  # always a view; the method skips NumPy's dispatch
        try:
            return ctx.xp.reshape(x, shape, copy=False)
        except (ValueError, AttributeError):
            raise RuntimeError("view size is not compatible with input tensor's size and stride "
                               "(at least one dimension spans across two contiguous subspaces). "
                               "Use .reshape(...) instead.") from None

    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


class Reshape(Op):
    _name = "ViewBackward0"

    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


def view(input, *args, size=None):
    """A view with a new shape, sharing storage; fails if strides make it impossible."""
    shape = args if size is None else (size,)
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)) and hasattr(shape[0], "np"):
        return input.view_dtype(shape[0])
    shape = _infer_shape(_shape_arg(shape), input._data.size)
    return View.apply(input, shape=shape)


def reshape(input, *args, shape=None):
    """A tensor with a new shape: a view when strides allow, a copy otherwise."""
    shape = _infer_shape(_shape_arg(args if shape is None else (shape,)), input._data.size)
    if input._data.shape == shape:
        return View.apply(input, shape=shape)
    try:
        return View.apply(input, shape=shape)
    except RuntimeError:
        return Reshape.apply(input, shape=shape)


def view_as(input, other):
    """``input.view(other.shape)`` (``Tensor.view_as``)."""
    return view(input, other.shape)


def reshape_as(input, other):
    """``input.reshape(other.shape)`` (``Tensor.reshape_as``)."""
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one (``torch.flatten``)."""
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, (1,))
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shp = input._data.shape
    return reshape(input, shp[:s] + (math.prod(shp[s:e + 1]),) + shp[e + 1:])


def ravel(input):
    """The elements as a 1-d tensor: a view when possible (``torch.ravel``)."""
    return reshape(input, (-1,))


def unflatten(input, dim, sizes):
    """Split dimension ``dim`` into ``sizes`` (``torch.unflatten``)."""
    d = wrap_dim(dim, input._data.ndim)
    shp = input._data.shape
    sizes = list(sizes)
    if -1 in sizes:
        known = math.prod(s for s in sizes if s != -1)
        sizes[sizes.index(-1)] = shp[d] // known if known else 0
    if math.prod(sizes) != shp[d]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size "
                           f"of dim {dim} ({shp[d]}) in the input tensor")
    return view(input, shp[:d] + tuple(sizes) + shp[d + 1:])


class Permute(ViewOp):
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    def backward(ctx, g):
        inv = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inv[d] = i
        return g.permute(inv)


def permute(input, *args, dims=None):
    """A view with dimensions reordered (``torch.permute``)."""
    dims = _shape_arg(args if dims is None else (dims,))
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims=dims)


class Transpose(ViewOp):
    def forward(ctx, x, d0, d1):
        ctx.d = (d0, d1)
        return ctx.xp.swapaxes(x, d0, d1)

    def backward(ctx, g):
        return g.transpose(*ctx.d)


def transpose(input, dim0, dim1):
    """A view with dims ``dim0`` and ``dim1`` swapped (``torch.transpose``)."""
    nd = input._data.ndim
    return Transpose.apply(input, d0=wrap_dim(dim0, nd), d1=wrap_dim(dim1, nd))


swapaxes = swapdims = transpose


def t(input):
    """Transpose of a tensor with at most 2 dims (``torch.t``)."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return input if nd < 2 else named(transpose(input, 0, 1), "TBackward0")


def adjoint(input):
    """Conjugate transpose of the last two dims, a view (``torch.adjoint``)."""
    return transpose(input, -2, -1).conj()


def movedim(input, source, destination):
    """Move dims from ``source`` to ``destination`` positions (``torch.movedim``)."""
    nd = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) "
                           f"should contain the same number of dims as destination ({dst} dims)")
    src = [wrap_dim(d, nd) for d in src]
    dst = [wrap_dim(d, nd) for d in dst]
    order = [d for d in range(nd) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


class Expand(ViewOp):
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return ctx.xp.broadcast_to(x, shape)

    def backward(ctx, g):
        from ..autograd.engine import _sum_to
        return _sum_to(g, ctx.in_shape)


def expand(input, *args, size=None):
    """A broadcast view with ``sizes`` (-1 keeps a dim); no memory is copied."""
    sizes = _shape_arg(args if size is None else (size,))
    shp = input._data.shape
    if len(sizes) < len(shp):
        raise RuntimeError(f"expand(torch.FloatTensor{{[{', '.join(map(str, shp))}]}}, size=["
                           f"{', '.join(map(str, sizes))}]): the number of sizes provided "
                           f"({len(sizes)}) must be greater or equal to the number of dimensions "
                           f"in the tensor ({len(shp)})")
    lead = len(sizes) - len(shp)
    final = list(sizes)
    for i in range(lead):
        if sizes[i] < 0:
            raise RuntimeError(f"The expanded size of the tensor ({sizes[i]}) isn't allowed in a "
                               f"leading, non-existing dimension {i}")
    for i, n in enumerate(shp):
        want = sizes[lead + i]
        if want == -1:
            final[lead + i] = n
        elif n != want and n != 1:
            raise RuntimeError(f"The expanded size of the tensor ({want}) must match the existing "
                               f"size ({n}) at non-singleton dimension {lead + i}.  Target sizes: "
                               f"[{', '.join(map(str, sizes))}].  Tensor sizes: "
                               f"[{', '.join(map(str, shp))}]")
    final = tuple(final)
    if final == shp:
        return View.apply(input, shape=final)
    return Expand.apply(input, shape=final)


def expand_as(input, other):
    """``input.expand(other.shape)`` (``Tensor.expand_as``)."""
    return expand(input, other.shape)


def broadcast_to(input, size):
    """``input`` broadcast to ``size`` (``torch.broadcast_to``)."""
    return expand(input, tuple(size))


def squeeze(input, dim=None):
    """Remove size-1 dims (all, or those in ``dim``) (``torch.squeeze``)."""
    shp = input._data.shape
    if dim is None:
        new = tuple(s for s in shp if s != 1)
    else:
        dims = wrap_dims(dim, len(shp))
        new = tuple(s for i, s in enumerate(shp) if not (i in dims and s == 1))
    return named(View.apply(input, shape=new), "SqueezeBackward0" if dim is None else
                 "SqueezeBackward1" if isinstance(dim, int) else "SqueezeBackward2")


def unsqueeze(input, dim):
    """Insert a size-1 dim at ``dim`` (``torch.unsqueeze``)."""
    shp = input._data.shape
    d = wrap_dim(dim, len(shp) + 1)
    if input._data.flags.c_contiguous:
        return named(View.apply(input, shape=shp[:d] + (1,) + shp[d:]), "UnsqueezeBackward0")
    # NumPy's newaxis (stride 0) reports PyTorch's unsqueeze stride through Tensor.stride()
    return named(Slice.apply(input, key=(slice(None),) * d + (None,)), "UnsqueezeBackward0")


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


def narrow(input, dim, start, length):
    """A view of ``length`` elements of dim ``dim`` from ``start`` (``torch.narrow``)."""
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    size = input._data.shape[d]
    start = int(start)
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    key = (slice(None),) * d + (slice(start, start + length),)
    return Slice.apply(input, key=key)


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


def unbind(input, dim=0):
    """All slices along ``dim`` as a tuple of views (``torch.unbind``)."""
    d = wrap_dim(dim, input._data.ndim)
    return tuple(named(select(input, d, i), "UnbindBackward0")
                 for i in range(input._data.shape[d]))


def split(tensor, split_size_or_sections, dim=0):
    """Split into chunks of a given size, or of the given list of sizes (``torch.split``)."""
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
    for n in sizes:
        out.append(named(narrow(tensor, d, start, n), node))
        start += n
    return tuple(out)


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` pieces of (ceil) equal size (``torch.chunk``)."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if size == 0:  # PyTorch gives ``chunks`` empty pieces
        return tuple(narrow(input, d, 0, 0) for _ in range(chunks))
    step = max(-(-size // chunks), 1)
    return split(input, step, dim)


def tensor_split(input, indices_or_sections=None, dim=0, *, indices=None, sections=None,
                 tensor_indices_or_sections=None):
    """Split at indices, or into n nearly equal parts (``torch.tensor_split``)."""
    if indices_or_sections is None:  # PyTorch's keyword spellings of the overloads
        indices_or_sections = next((v for v in (indices, sections, tensor_indices_or_sections)
                                    if v is not None), None)
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int):
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


def hsplit(input, sections):
    """tensor_split along dim 1 (dim 0 for 1-d input) (``torch.hsplit``)."""
    return tensor_split(input, sections, 1 if input.dim() > 1 else 0)


def vsplit(input, sections):
    """tensor_split along dim 0 (``torch.vsplit``)."""
    return tensor_split(input, sections, 0)


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


def as_strided(input, size, stride, storage_offset=None):
    """A view of the storage with the given geometry, in elements (``torch.as_strided``)."""
    root = input._base if input._base is not None else input
    offset = input.storage_offset() if storage_offset is None else storage_offset
    size, stride = tuple(size), tuple(stride)
    need = offset + sum((n - 1) * s for n, s in zip(size, stride) if n > 0) + 1
    if all(n > 0 for n in size) and need > root._data.size:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                           f"{offset} requiring a storage size of {need * root._data.dtype.itemsize} "
                           f"are out of bounds for storage of size "
                           f"{root._data.size * root._data.dtype.itemsize}")
    return AsStrided.apply(input, size=size, stride=stride, offset=offset, root=root._data)


def unfold(input, dimension, size, step):
    """A view of all windows of ``size`` along ``dimension`` taken every ``step``."""
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


def contiguous(input, memory_format=None):
    """``input`` itself if contiguous, else a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    from .pointwise import Clone
    return Clone.apply(input, order="C")


class ViewAsReal(ViewOp):
    def forward(ctx, x):
        r = x.real  # a strided view of the real parts; the imaginary parts follow each one
        return ctx.xp.lib.stride_tricks.as_strided(r, x.shape + (2,), r.strides + (r.itemsize,))

    def backward(ctx, g):
        from .creation import complex as make_complex
        return make_complex(g[..., 0], g[..., 1])


def view_as_real(input):
    """A real view of a complex tensor with a last dim of size 2, (real, imag)
    (``torch.view_as_real``)."""
    if not input.is_complex():
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return ViewAsReal.apply(input)


class ViewAsComplex(ViewOp):
    def forward(ctx, x):
        cdt = "complex64" if x.dtype.itemsize == 4 else "complex128"
        return x.view(cdt)[..., 0]

    def backward(ctx, g):
        return view_as_real(g)


def view_as_complex(input):
    """A complex view of a float tensor whose last dim is (real, imag)
    (``torch.view_as_complex``)."""
    from .. import _dtype as D
    if input.dtype is not D.float32 and input.dtype is not D.float64:
        from ._helpers import _cap
        raise RuntimeError(f"view_as_complex is only supported for float and double tensors, but "
                           f"got a tensor of scalar type: {_cap(input.dtype)}")
    if input.dim() == 0 or input.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if input.stride(-1) != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in input.stride()[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    return ViewAsComplex.apply(input)


def resolve_conj(input):
    """``input`` itself: Ember conjugates eagerly, so there is no lazy conjugate bit."""
    return input


def resolve_neg(input):
    """``input`` itself: Ember has no lazy negative bit."""
    return input


def is_conj(input):
    """False: Ember conjugates eagerly (``torch.is_conj``)."""
    return False


def is_neg(input):
    """False: Ember has no lazy negative bit (``torch.is_neg``)."""
    return False


def is_same_size(input, other):
    """True when both tensors have the same shape (``torch.is_same_size``)."""
    return input._data.shape == other._data.shape
