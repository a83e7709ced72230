"""Joining and rearranging: cat, stack, flip, roll, repeat, tile, tril/triu and friends."""
from .. import _checks, _dtype as D
from .._tensor import Tensor
from ..autograd.node import Op
from ._dims import wrap_dim
from ._inplace import handle_out, _cap
from ._operands import check_same_device, named
from .creation import atleast_1d, atleast_2d, atleast_3d
from ._registry import register



class Cat(Op):
    """Concatenate along ``d``; the gradient is split back into the pieces."""

    @classmethod
    def apply(cls, *tensors, d):
        return super().apply(*tensors, d=d)

    def forward(ctx, *arrays, d):
        ctx.d = d
        ctx.sizes = [a.shape[d] for a in arrays]
        return ctx.xp.concatenate(arrays, axis=d)

    def backward(ctx, g):
        return g.split(ctx.sizes, ctx.d)


@register
def cat(tensors, dim=0, *, out=None):
    """Concatenate tensors along an existing dim (``torch.cat``)."""
    tensors = _checks.check_tensor_sequence("cat", tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    if out is not None and isinstance(out, Tensor):
        rd = D.result_type(*[t for t in tensors if isinstance(t, Tensor)])
        if rd._category > out.dtype._category:
            raise TypeError(f"torch.cat(): input types can't be cast to the desired output type "
                            f"{_cap(out.dtype)}")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {tensors.index(t)} in argument 0, but "
                            f"got {type(t).__name__}")
    # PyTorch skips legacy 1-d empty tensors
    kept = [t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)] or tensors[:1]
    ref = kept[0]
    d = wrap_dim(dim, ref._data.ndim)
    for i, t in enumerate(kept):
        if t._data.ndim != ref._data.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got "
                               f"{ref._data.ndim} and {t._data.ndim}")
        for k, (a, b) in enumerate(zip(ref._data.shape, t._data.shape)):
            if k != d and a != b:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {a} but got size {b} for tensor number {i} "
                                   f"in the list.")
    check_same_device(*kept)
    dt = D.result_type(*kept) if len({t._data.dtype for t in kept}) > 1 else kept[0].dtype
    kept = [t if t._data.dtype == dt.np else t.to(dt) for t in kept]
    if ref._data.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    return handle_out(Cat.apply(*kept, d=d), out)


concat = cat
register("concat", concat)


@register
def concatenate(tensors, axis=0, out=None):
    """``torch.concatenate``: ``cat`` with NumPy's ``axis`` keyword."""
    return cat(tensors, axis, out=out)


@register
def stack(tensors, dim=0, *, out=None):
    """Join tensors of equal shape along a new dim (``torch.stack``)."""
    tensors = _checks.check_tensor_sequence("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(t._data.shape)} at entry {i}")
    d = wrap_dim(dim, len(shape) + 1)
    return named(cat([t.unsqueeze(d) for t in tensors], d, out=out), "StackBackward0")


@register
def hstack(tensors, *, out=None):
    """Stack horizontally (along dim 1, or 0 for 1-d tensors)."""
    _checks.check_nonempty_tensors("hstack", tensors)
    ts = [atleast_1d(t) for t in tensors]
    return cat(ts, 0 if ts[0].dim() == 1 else 1, out=out)


@register
def vstack(tensors, *, out=None):
    """Stack vertically (rows), promoting 1-d tensors to rows."""
    _checks.check_nonempty_tensors("vstack", tensors)
    return cat([atleast_2d(t) for t in tensors], 0, out=out)


@register
def dstack(tensors, *, out=None):
    """Stack along the third dim."""
    return cat([atleast_3d(t) for t in tensors], 2, out=out)


@register
def column_stack(tensors, *, out=None):
    """Stack 1-d tensors as columns."""
    return hstack([t.reshape(-1, 1) if t.dim() <= 1 else t for t in tensors], out=out)


class Flip(Op):
    def forward(ctx, x, dims):
        ctx.dims = dims
        return ctx.xp.flip(x, dims).copy() if x.ndim else x.copy()

    def backward(ctx, g):
        return g.flip(ctx.dims)


@register
def flip(input, *args, dims=None):
    """Reverse the order of elements along ``dims`` (a copy, as in PyTorch)."""
    dims = args if dims is None else (dims,)
    if len(dims) == 1 and not isinstance(dims[0], int):
        dims = dims[0]
    nd = input._data.ndim
    dims = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != len(dims):
        dup = next(d for d in dims if dims.count(d) > 1)
        raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    return Flip.apply(input, dims=dims)


@register
def fliplr(input):
    """Reverse the order of columns, dim 1 (``torch.fliplr``)."""
    if input.dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


@register
def flipud(input):
    """Reverse the order of rows, dim 0 (``torch.flipud``)."""
    if input.dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


class Roll(Op):
    def forward(ctx, x, shifts, dims):
        ctx.args = (shifts, dims)
        return ctx.xp.roll(x, shifts, dims)

    def backward(ctx, g):
        shifts, dims = ctx.args
        neg = tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts
        return g.roll(neg, dims)


@register
def roll(input, shifts, dims=None):
    """Rotate elements along ``dims`` by ``shifts`` (flattened when dims is None)."""
    shifts = _checks.check_int_list("roll", shifts, "shifts", 1)
    if isinstance(dims, (tuple, list)) and not dims:
        dims = None  # an empty list of dims rolls the flattened tensor, as None
    if len(shifts) == 1 and dims is None:
        shifts = shifts[0]
    if dims is None:
        return named(roll(input.flatten(), shifts, 0).view(input.shape), "RollBackward0")
    if isinstance(shifts, int):
        shifts = (shifts,)
    if isinstance(dims, int):
        dims = (dims,)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                           f"{len(dims)}")
    return Roll.apply(input, shifts=tuple(shifts), dims=tuple(dims))


@register
def repeat(input, *sizes, repeats=None):
    """Tile the tensor ``sizes`` times along each dim (``Tensor.repeat``)."""
    if repeats is not None:  # Tensor.repeat(repeats=...), PyTorch's keyword name
        sizes = (repeats,)
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    sizes = _checks.check_size("repeat", sizes, "repeats")
    nd = input._data.ndim
    if len(sizes) < nd:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    x = input.reshape((1,) * (len(sizes) - nd) + tuple(input.shape))
    # expand each dim through a new leading axis, then merge: a differentiable composition
    shape = x.shape
    inter = []
    for r, n in zip(sizes, shape):
        inter += [r, n]
    y = x.reshape(sum(([1, n] for n in shape), [])).expand(inter)
    out = y.reshape([r * n for r, n in zip(sizes, shape)])
    root = input._base if input._base is not None else input
    out = out.clone() if out._base is root else out  # repeat always copies, like PyTorch
    return named(out, "RepeatBackward0")


@register
def tile(input, *sizes, dims=None):
    """Like repeat, padding ``dims`` with ones on the left (``torch.tile``)."""
    dims = sizes if dims is None else (dims,)
    dims = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
    if len(dims) < input.dim():
        dims = (1,) * (input.dim() - len(dims)) + dims
    return repeat(input, dims)


class _Tri(Op):
    upper = False

    def forward(ctx, x, diagonal):
        ctx.k = diagonal
        return (ctx.xp.triu if ctx.upper else ctx.xp.tril)(x, diagonal)

    def backward(ctx, g):
        return g.triu(ctx.k) if ctx.upper else g.tril(ctx.k)


class Tril(_Tri):
    upper = False


class Triu(_Tri):
    upper = True


@register(inplace=True)
def tril(input, diagonal=0, *, out=None):
    """Lower triangle of the last two dims, zeros above ``diagonal``."""
    if input.dim() < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return handle_out(Tril.apply(input, diagonal=diagonal), out)


@register(inplace=True)
def triu(input, diagonal=0, *, out=None):
    """Upper triangle of the last two dims, zeros below ``diagonal``."""
    if input.dim() < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return handle_out(Triu.apply(input, diagonal=diagonal), out)
