"""View ops (share storage with their base, as in PyTorch) and shape changes.

A ``ViewOp`` result shares its input's array and version counter and records the root
tensor as ``_base``, so writes through either side are seen by the other and in-place
changes are caught by autograd.
"""
import math

from .. import _checks, _dtype as D
from ..autograd.node import Op
from ._dims import wrap_dim, wrap_dims
from ._operands import named
from .pointwise import Clone
from ..autograd.broadcast import sum_to
from .creation import complex as make_complex
from ._registry import register
from ._inplace import inplace_view, _cap



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
        if type(s) is not int or not -(1 << 63) <= s < (1 << 63):
            return _checks.check_size("", tuple(shape), "shape")
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


@register
def view(input, *args, size=None):
    """A view with a new shape, sharing storage; fails if strides make it impossible."""
    shape = args if size is None else (size,)
    if len(shape) == 1 and any(shape[0] is t for t in (float, int, bool, complex)):
        return input.view_dtype(D.to_dtype(shape[0]))  # PyTorch reads Python types as dtypes
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)) and hasattr(shape[0], "np"):
        return input.view_dtype(shape[0])
    shape = _infer_shape(_shape_arg(shape), input._data.size)
    return View.apply(input, shape=shape)


@register
def reshape(input, *args, shape=None):
    """A tensor with a new shape: a view when strides allow, a copy otherwise."""
    shape = _infer_shape(_shape_arg(args if shape is None else (shape,)), input._data.size)
    if input._data.shape == shape:
        return View.apply(input, shape=shape)
    try:
        return View.apply(input, shape=shape)
    except RuntimeError:
        return Reshape.apply(input, shape=shape)


@register
def view_as(input, other):
    """``input.view(other.shape)`` (``Tensor.view_as``)."""
    return view(input, other.shape)


@register
def reshape_as(input, other):
    """``input.reshape(other.shape)`` (``Tensor.reshape_as``)."""
    return reshape(input, other.shape)


@register
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


@register
def ravel(input):
    """The elements as a 1-d tensor: a view when possible (``torch.ravel``)."""
    return reshape(input, (-1,))


@register(numpy_names="function")  # PyTorch: torch.unflatten(axis=) works, the method refuses it
def unflatten(input, dim, sizes):
    """Split dimension ``dim`` into ``sizes`` (``torch.unflatten``)."""
    d = wrap_dim(dim, input._data.ndim)
    shp = input._data.shape
    if not sizes:  # PyTorch tests truthiness first: None, 0 and [] alike
        raise RuntimeError("unflatten: sizes must be non-empty")
    if not isinstance(sizes, (tuple, list)):
        raise TypeError(f"unflatten(): argument 'sizes' (position 2) must be tuple of ints, "
                        f"not {type(sizes).__name__}")
    sizes = list(_checks.check_int_list("unflatten", sizes, "sizes", 2))
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


@register
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


@register(inplace=inplace_view)
def transpose(input, dim0, dim1):
    """A view with dims ``dim0`` and ``dim1`` swapped (``torch.transpose``)."""
    nd = input._data.ndim
    return Transpose.apply(input, d0=wrap_dim(dim0, nd), d1=wrap_dim(dim1, nd))


swapdims = transpose
register("swapdims", swapdims, inplace=inplace_view)


@register(inplace=inplace_view)
def swapaxes(input, axis0, axis1):
    """Alias of transpose with NumPy's argument names (``torch.swapaxes``)."""
    return transpose(input, axis0, axis1)


@register(inplace=inplace_view)
def t(input):
    """Transpose of a tensor with at most 2 dims (``torch.t``)."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return input if nd < 2 else named(transpose(input, 0, 1), "TBackward0")


@register
def adjoint(input):
    """Conjugate transpose of the last two dims, a view (``torch.adjoint``)."""
    return transpose(input, -2, -1).conj()


@register
def movedim(input, source, destination):
    """Move dims from ``source`` to ``destination`` positions (``torch.movedim``)."""
    if isinstance(source, (tuple, list)) != isinstance(destination, (tuple, list)):
        raise TypeError(f"movedim() received an invalid combination of arguments - got "
                        f"({type(source).__name__}, {type(destination).__name__}): source and "
                        "destination must both be ints or both be tuples of ints")
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
register("moveaxis", moveaxis)


class Expand(ViewOp):
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return ctx.xp.broadcast_to(x, shape)

    def backward(ctx, g):
        return sum_to(g, ctx.in_shape)


@register
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


@register
def expand_as(input, other):
    """``input.expand(other.shape)`` (``Tensor.expand_as``)."""
    return expand(input, other.shape)


@register
def broadcast_to(input, size):
    """``input`` broadcast to ``size`` (``torch.broadcast_to``)."""
    return expand(input, tuple(size))


@register(inplace=inplace_view)
def squeeze(input, dim=None):
    """Remove size-1 dims (all, or those in ``dim``) (``torch.squeeze``)."""
    if dim is not None:
        dim = _checks.check_int_list("squeeze", dim, "dim", 1) \
            if isinstance(dim, (tuple, list)) else _checks.check_int("squeeze", dim, "dim", 1)
    shp = input._data.shape
    if dim is None:
        new = tuple(s for s in shp if s != 1)
    else:
        dims = wrap_dims(dim, len(shp))
        new = tuple(s for i, s in enumerate(shp) if not (i in dims and s == 1))
    return named(View.apply(input, shape=new), "SqueezeBackward0" if dim is None else
                 "SqueezeBackward1" if isinstance(dim, int) else "SqueezeBackward2")


@register(inplace=inplace_view)
def unsqueeze(input, dim):
    """Insert a size-1 dim at ``dim`` (``torch.unsqueeze``)."""
    shp = input._data.shape
    d = wrap_dim(dim, len(shp) + 1)
    if input._data.flags.c_contiguous:
        return named(View.apply(input, shape=shp[:d] + (1,) + shp[d:]), "UnsqueezeBackward0")
    # NumPy's newaxis (stride 0) reports PyTorch's unsqueeze stride through Tensor.stride()
    return named(Slice.apply(input, key=(slice(None),) * d + (None,)), "UnsqueezeBackward0")


@register
def contiguous(input, memory_format=None):
    """``input`` itself if contiguous, else a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    return Clone.apply(input, order="C")


class ViewAsReal(ViewOp):
    def forward(ctx, x):
        r = x.real  # a strided view of the real parts; the imaginary parts follow each one
        return ctx.xp.lib.stride_tricks.as_strided(r, x.shape + (2,), r.strides + (r.itemsize,))

    def backward(ctx, g):
        return make_complex(g[..., 0], g[..., 1])


@register
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


@register
def view_as_complex(input):
    """A complex view of a float tensor whose last dim is (real, imag)
    (``torch.view_as_complex``)."""
    if input.dtype is not D.float32 and input.dtype is not D.float64:
        raise RuntimeError(f"view_as_complex is only supported for float and double tensors, but "
                           f"got a tensor of scalar type: {_cap(input.dtype)}")
    if input.dim() == 0 or input.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if input.stride(-1) != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in input.stride()[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    return ViewAsComplex.apply(input)


@register
def resolve_conj(input):
    """``input`` itself: Ember conjugates eagerly, so there is no lazy conjugate bit."""
    return input


@register
def resolve_neg(input):
    """``input`` itself: Ember has no lazy negative bit."""
    return input


@register
def is_conj(input):
    """False: Ember conjugates eagerly (``torch.is_conj``)."""
    return False


@register
def is_neg(input):
    """False: Ember has no lazy negative bit (``torch.is_neg``)."""
    return False


@register
def is_same_size(input, other):
    """True when both tensors have the same shape (``torch.is_same_size``)."""
    return input._data.shape == other._data.shape


# the slicing / splitting / strided views live in slicing.py; re-exported so that every name
# stays importable from ember.ops.shape (unsqueeze above uses Slice)
from .slicing import (narrow, select, unbind, split, chunk, tensor_split,  # noqa: E402,F401
                      hsplit, vsplit, dsplit, unfold, diagonal, as_strided, Slice, SliceScatter,
                      AsStrided, AsStridedScatter, Unfold, Diagonal, DiagonalScatter,
                      _strided_indices, _diagonal_view)
