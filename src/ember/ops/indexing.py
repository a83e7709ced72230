"""Indexing: ``x[key]`` (views for basic keys, copies for advanced ones), ``x[key] = v``,
gather/scatter, index_select/index_add, masked ops, nonzero.
"""
import operator
from .. import _backend as B, _checks, _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd.node import Op
from ._dispatch import records
from ._dims import wrap_dim, broadcast_shapes_error
from ._inplace import handle_out, write_inplace, snapshot_for_inplace, _cap, check_writable
from ._operands import dtype_of, scalar_tensor, named
from .shape import Slice, SliceScatter
from .put import check_index_put
from .pointwise import Where
from .._checks import check_fits
from ..autograd.broadcast import sum_to
from ._registry import register



# ---- key parsing -----------------------------------------------------------------------------
def _parse_key(x, key):
    """Turn a PyTorch index into a NumPy key; returns (key, is_basic)."""
    if type(key) is list and len(key) < 32 and any(
            isinstance(k, (list, tuple, Tensor, slice)) or k is None or k is Ellipsis for k in key):
        key = tuple(key)  # PyTorch (like old NumPy) reads such a list as a tuple of indices
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    basic = True
    for k in key:
        if isinstance(k, Tensor):
            if k._data.ndim == 0 and dtype_of(k)._category == D._INT:
                out.append(int(k._data))
                continue
            if dtype_of(k)._category > D._INT:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            arr = k._data
            if arr.dtype == D.uint8.np:
                arr = arr.astype(bool)
            out.append(arr)
            basic = False
        elif isinstance(k, slice):
            if k.step is not None and _to_int(k.step) <= 0:
                if _to_int(k.step) == 0:
                    raise ValueError("slice step cannot be zero")
                raise ValueError("step must be greater than zero")
            out.append(slice(_to_int(k.start), _to_int(k.stop), _to_int(k.step)))
        elif k is None or k is Ellipsis:
            out.append(k)
        elif isinstance(k, B.BOOL_TYPES):
            out.append(bool(k))
            basic = False
        elif isinstance(k, B.INTEGER_TYPES):
            out.append(_long(int(k)))
        elif isinstance(k, (list, tuple)):
            if _has_long_overflow(k):
                raise ValueError("Overflow when unpacking long long")
            arr = B.host_array([int(v) if isinstance(v, Tensor) else v for v in k])
            if arr.dtype.kind == "f":  # PyTorch reads a list of numbers as a long index
                arr = arr.astype(D.int64.np)
            if arr.dtype.kind not in "iub" and arr.size:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            arr = arr if arr.dtype.kind == "b" else arr.astype(D.int64.np)
            out.append(x._backend().asarray(arr))
            basic = False
        elif isinstance(k, str):  # PyTorch tries to make a tensor of it
            raise TypeError(f"new(): invalid data type '{type(k).__name__}'")
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                             "Variables are valid indices (got " + type(k).__name__ + ")")
    _check_bounds(x, out)
    return tuple(out), basic


def _to_int(v):
    """A slice bound as an int (None stays None): TypeError for floats and other values
    without ``__index__``, as Python's and PyTorch's slicing."""
    if v is None:
        return None
    try:
        return operator.index(v)
    except TypeError:
        if isinstance(v, Tensor):
            raise
        raise TypeError("slice indices must be integers or None or have an __index__ "
                        "method") from None


def _long(v):
    """An int index read as PyTorch's long long: ValueError past int64."""
    if not -(1 << 63) <= v < (1 << 63):
        raise ValueError("Overflow when unpacking long long")
    return v


def _check_bounds(x, key):
    shape = x._data.shape
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis and not isinstance(k, bool)
                 and not (hasattr(k, "dtype") and k.dtype == bool))
    n_real += sum(k.ndim - 1 for k in key if hasattr(k, "dtype") and k.dtype == bool)
    if n_real > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    dim = 0
    for k in key:
        if k is Ellipsis:
            dim += len(shape) - n_real
            continue
        if k is None or isinstance(k, bool):
            continue
        if isinstance(k, int):
            n = shape[dim]
            if not -n <= k < n:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {n}")
        elif hasattr(k, "dtype") and k.dtype != bool and k.size:
            n = shape[dim]
            if int(k.max()) >= n or int(k.min()) < -n:
                bad = int(k.max()) if int(k.max()) >= n else int(k.min())
                raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {n}")
        elif hasattr(k, "dtype") and k.dtype == bool:
            if k.shape != shape[dim:dim + k.ndim]:
                raise IndexError(f"The shape of the mask {list(k.shape)} at index {dim} does not "
                                 f"match the shape of the indexed tensor {list(shape)} at index "
                                 f"{dim}")
            dim += k.ndim
            continue
        dim += 1


class Index(Op):
    """Advanced indexing (a copy); the gradient is scattered back with accumulation."""

    def forward(ctx, x, key):
        ctx.key = key
        ctx.in_shape = x.shape
        return x[key]

    def backward(ctx, g):
        return IndexAddZeros.apply(g, key=ctx.key, shape=ctx.in_shape)


class IndexAddZeros(Op):
    def forward(ctx, g, key, shape):
        ctx.key = key
        out = ctx.xp.zeros(shape, dtype=g.dtype)
        ctx.xp.add.at(out, key, g)
        return out

    def backward(ctx, gg):
        return Index.apply(gg, key=ctx.key)


def getitem(self, key):
    """``self[key]``: a view for ints/slices/None/Ellipsis, a copy for tensor/list/bool keys."""
    fast = _simple_key(self._data.shape, key)
    if fast is not None:
        r = _Slice.apply(self, key=fast)
        if r.grad_fn is not None and any(type(k) is int for k in fast):
            r.grad_fn._name = "SelectBackward0"  # PyTorch's node for an integer index
        return r
    if self._data.ndim == 0 and key is not None and key is not Ellipsis and not (
            isinstance(key, tuple) and all(k is None or k is Ellipsis for k in key)) and not \
            isinstance(key, (bool, Tensor)):
        if isinstance(key, (int, slice)) or (isinstance(key, tuple) and key):
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    k, basic = _parse_key(self, key)
    if basic:
        return Slice.apply(self, key=k)
    split = _split_ints(k)
    if split is not None:
        return Index.apply(Slice.apply(self, key=split[0]), key=split[1])
    return Index.apply(self, key=k)


from .shape import Slice as _Slice  # noqa: E402
from .creation import _has_long_overflow


def _simple_key(shape, key):
    """The common keys (in-range ints and forward slices of ints) as a NumPy key, else None."""
    parts = key if type(key) is tuple else (key,)
    if len(parts) > len(shape):
        return None
    for p, n in zip(parts, shape):
        tp = type(p)
        if tp is int:
            if not -n <= p < n:
                return None
        elif tp is slice:
            if not ((p.start is None or type(p.start) is int) and (p.stop is None or type(
                    p.stop) is int) and (p.step is None or (type(p.step) is int and p.step > 0))):
                return None
        else:
            return None
    return parts


def _split_ints(k):
    """A key mixing integers with advanced indices as (integer part, the rest), or None.

    PyTorch applies integers first (as ``select``) and only then the advanced indices, so
    ``x[0, :, idx]`` puts idx's dims after the slice; NumPy would move them to the front.
    """
    if not any(type(i) is int for i in k):
        return None
    first, rest = [], []
    for i in k:
        if type(i) is int:
            first.append(i)
        elif i is None:
            rest.append(None)
        elif i is Ellipsis:
            first.append(Ellipsis)
            rest.append(Ellipsis)
        elif isinstance(i, slice):
            first.append(slice(None))
            rest.append(i)
        else:  # an index array, a bool mask (one dim per mask dim) or a bool scalar (none)
            n = 0 if isinstance(i, bool) else (i.ndim if i.dtype == bool else 1)
            first.extend([slice(None)] * n)
            rest.append(i)
    return tuple(first), tuple(rest)


class IndexPut(Op):
    """x with values written at key (accumulating when ``accumulate``), out of place."""

    def forward(ctx, x, v, key, accumulate):
        ctx.key = key
        ctx.accumulate = accumulate
        ctx.v_shape = v.shape
        out = x.copy()
        if accumulate:
            ctx.xp.add.at(out, key, v)
        else:
            out[key] = v
        return out

    def backward(ctx, g):
        gx = g if ctx.accumulate else _index_put(g, _wrap_key(ctx.key), g.new_zeros(()))
        gv = g[_wrap_key(ctx.key)] if ctx.needs_input_grad[1] else None
        if gv is not None and tuple(gv.shape) != tuple(ctx.v_shape):
            gv = sum_to(gv, ctx.v_shape)
        return gx, gv


def _wrap_key(key):
    return tuple(_wrap(k) if hasattr(k, "dtype") and not isinstance(k, (int, bool)) else k
                 for k in key)


@register(inplace=True, inplace_function=True)
def index_put(input, indices, values, accumulate=False):
    """Out-of-place ``input[indices] = values`` (``torch.index_put``): ``indices`` is a tuple
    of index tensors (long, int, byte or bool), ``values`` a tensor of ``input``'s dtype that
    broadcasts to the indexed shape; ``accumulate=True`` adds (repeated indices add up)."""
    check_index_put(input, indices, values)
    return _index_put(input, tuple(indices), values, accumulate)


def _index_put(input, indices, values, accumulate=False):
    """index_put without the argument checks (keys may hold slices)."""
    k, _ = _parse_key(input, tuple(indices) if isinstance(indices, (list, tuple)) else indices)
    if not isinstance(values, Tensor):
        values = scalar_tensor(values, dtype_of(input), input)
    elif values.dtype is not input.dtype:
        values = values.to(input.dtype)
    return IndexPut.apply(input, values, key=k, accumulate=accumulate)


def setitem(self, key, value):
    """``self[key] = value`` in place, with broadcasting; autograd follows PyTorch."""
    if type(value) is int and self.dtype._category == D._INT:  # int8_t[...] = 300: RuntimeError
        value = check_fits(value, self.dtype)
    k, basic = _parse_key(self, key)
    split = None if basic else _split_ints(k)
    if split is not None:  # integers first (a view), then the advanced part on that view
        self, k = Slice.apply(self, key=split[0]), split[1]
    if basic:
        target = Slice.apply(self, key=k) if k != () else self
        if isinstance(value, Tensor) and value._data.shape != target._data.shape:
            while value._data.ndim > target._data.ndim and value._data.shape[0] == 1:
                value = value.squeeze(0)  # PyTorch drops the value's leading 1-sized dims
            value = value.expand(target.shape)  # PyTorch's error names the expanded size
        target.copy_(value)
        return
    src = snapshot_for_inplace(self) if isinstance(value, Tensor) and value._rg else self
    if not isinstance(value, Tensor):
        if src is self and not (self._rg):
            check_writable(self)
            self._data[k] = value
            B.bump_version(self)
            return
        value = scalar_tensor(value, dtype_of(self), self)
    value = value if value.dtype is self.dtype else value.to(self.dtype)
    if src is self and not self._rg and not value._rg:
        check_writable(self)
        try:
            self._data[k] = value._data
        except ValueError:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(value.shape)} cannot "
                               f"be broadcast to indexing result of shape "
                               f"{list(self._data[k].shape)}") from None
        B.bump_version(self)
        return
    if src is self:
        src = snapshot_for_inplace(self)
    write_inplace(self, IndexPut.apply(src, value, key=k, accumulate=False))


def _grid(xp, index_shape, dim, index):
    """Full NumPy index tuple addressing ``index`` along ``dim`` and positions elsewhere."""
    nd = len(index_shape)
    out = []
    for k in range(nd):
        if k == dim:
            out.append(index)
        else:
            shape = [1] * nd
            shape[k] = index_shape[k]
            out.append(xp.arange(index_shape[k]).reshape(shape))
    return tuple(out)


def _check_index(input, dim, index, name, src=None):
    """gather/scatter operands in PyTorch's order (a 0-d tensor counts as 1-d of size 1):
    an int index with as many dims as ``input``, no larger than ``input`` apart from ``dim``
    (and, for a ``src`` tensor, no larger than ``src`` and with its number of dims), values
    in range. False when ``index`` is empty (nothing to read or write)."""
    if dtype_of(index) is not D.int64 and dtype_of(index) is not D.int32:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    if index._data.size == 0:
        return False
    nd = max(input._data.ndim, 1)
    if max(index._data.ndim, 1) != nd:
        raise RuntimeError(f"Index tensor must have the same number of dimensions as "
                           f"{'input' if name == 'gather' else 'self'} tensor")
    isz, ssz = index._data.shape or (1,), input._data.shape or (1,)
    bad = [d for d in range(nd) if d != dim and isz[d] > ssz[d]]
    shapes = f"index {list(index.shape)} to be no larger than self {list(input.shape)} " \
             f"apart from dimension {dim}"
    if name == "gather" and bad:
        raise RuntimeError(f"Size does not match at dimension {bad[0]} expected {shapes}")
    if isinstance(src, Tensor):
        csz = src._data.shape or (1,)
        for d in range(nd if not bad else 0):
            if d >= len(csz):
                raise IndexError(f"Dimension out of range (expected to be in range of "
                                 f"[{-len(csz)}, {len(csz) - 1}], but got {d})")
            if isz[d] > csz[d]:
                bad.append(d)
                break
        if len(csz) != nd:
            raise RuntimeError("Index tensor must have the same number of dimensions as src "
                               "tensor")
        if bad:
            raise RuntimeError(f"Expected {shapes} and to be no larger size than src "
                               f"{list(src.shape)}")
    elif bad:
        raise RuntimeError(f"Expected {shapes}")
    n = input._data.shape[dim] if input._data.ndim else 1
    if index._data.size and (int(index._data.max()) >= n or int(index._data.min()) < -n):
        bad = int(index._data.max()) if int(index._data.max()) >= n else int(index._data.min())
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {n}")
    return True


def _as_1d(t):
    """A 0-d tensor as 1-d of size 1 (gather/scatter read them so), else ``t``."""
    return t.reshape(1) if isinstance(t, Tensor) and t._data.ndim == 0 else t


class Gather(Op):
    def forward(ctx, x, index, d):
        ctx.d = d
        ctx.in_shape = x.shape
        ctx.index = index
        return x[_grid(ctx.xp, index.shape, d, index)]

    def backward(ctx, g):
        zeros = g.new_zeros(ctx.in_shape)
        return zeros.scatter_add(ctx.d, _wrap(ctx.index), g), None


@register
def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Values along ``dim`` at positions ``index`` (``torch.gather``)."""
    d = wrap_dim(dim, max(input._data.ndim, 1))
    if not _check_index(input, d, index, "gather"):  # empty index: an empty result
        return handle_out(input.reshape(-1)[:0].reshape(index.shape), out)
    r = Gather.apply(_as_1d(input), _as_1d(index), d=d)
    return handle_out(r.reshape(()) if index._data.ndim == 0 else r, out)


@register
def take_along_dim(input, indices, dim=None, *, out=None):
    """gather with broadcasting of ``indices`` (``torch.take_along_dim``)."""
    if dtype_of(indices) is not D.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_cap(dtype_of(indices))}")
    if dim is None:
        return handle_out(input.reshape(-1).gather(0, indices.reshape(-1)), out)
    d = wrap_dim(dim, input.dim())
    sa = tuple(input.shape[:d]) + (1,) + tuple(input.shape[d + 1:])
    sb = tuple(indices.shape[:d]) + (1,) + tuple(indices.shape[d + 1:])
    err = broadcast_shapes_error(sa, sb)
    if err is not None:
        raise err
    shape = list(B.broadcast_shapes(sa, sb))
    ishape, xshape = list(shape), list(shape)
    ishape[d], xshape[d] = indices.shape[d], input.shape[d]
    return handle_out(input.expand(xshape).gather(d, indices.expand(ishape)), out)


class Scatter(Op):
    """x with src written at ``index`` along ``d`` (later writes win), out of place."""

    def forward(ctx, x, src, index, d, reduce):
        xp = ctx.xp
        ctx.d, ctx.index, ctx.src_shape = d, index, src.shape
        out = x.copy()
        sl = tuple(slice(0, n) for n in index.shape)
        vals = src[sl] if src.ndim else xp.broadcast_to(src, index.shape)
        grid = _grid(xp, index.shape, d, index)
        if reduce is None:
            out[grid] = vals
        elif reduce == "add":
            xp.add.at(out, grid, vals)
        elif reduce == "multiply":
            xp.multiply.at(out, grid, vals)
        else:
            raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
        return out

    def backward(ctx, g):
        index = _wrap(ctx.index)
        gx = g.scatter(ctx.d, index, 0.0)
        gsrc = _pad_to(g.gather(ctx.d, index), ctx.src_shape) if ctx.needs_input_grad[1] else None
        return gx, gsrc, None


class ScatterAdd(Op):
    def forward(ctx, x, src, index, d):
        xp = ctx.xp
        ctx.d, ctx.index, ctx.src_shape = d, index, src.shape
        out = x.copy()
        sl = tuple(slice(0, n) for n in index.shape)
        xp.add.at(out, _grid(xp, index.shape, d, index), src[sl])
        return out

    def backward(ctx, g):
        gsrc = _pad_to(g.gather(ctx.d, _wrap(ctx.index)), ctx.src_shape) \
            if ctx.needs_input_grad[1] else None
        return g, gsrc, None


def _pad_to(g, shape):
    """Zero-pad gradient ``g`` (taken from the leading corner of ``shape``) back to ``shape``."""
    if tuple(g.shape) == tuple(shape):
        return g
    return SliceScatter.apply(g, shape=shape, key=tuple(slice(0, n) for n in g.shape))


@register(inplace=True)
def scatter(input, dim, index, src=None, *, value=None, reduce=None, out=None):
    """Out-of-place scatter: ``input`` with ``src`` (or ``value``) written at ``index``."""
    if src is None and value is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    d = wrap_dim(dim, max(input._data.ndim, 1))
    if src is None or not isinstance(src, Tensor):
        if not _check_index(input, d, index, "scatter"):
            return handle_out(input.clone(), out)
        src = scalar_tensor(value if src is None else src, dtype_of(input), input)
    else:
        if src.dtype is not input.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        if not _check_index(input, d, index, "scatter", src):
            return handle_out(input.clone(), out)
        src = _as_1d(src)
    return handle_out(_scattered(Scatter, input, src, index, d=d, reduce=reduce), out)


def _scattered(op, input, src, index, **params):
    """``op`` applied with 0-d ``input`` and ``index`` read as 1-d (the result keeps
    ``input``'s shape)."""
    r = op.apply(_as_1d(input), src, _as_1d(index), **params)
    return r.reshape(()) if input._data.ndim == 0 else r


@register(inplace=True)
def scatter_add(input, dim, index, src, *, out=None):
    """Out-of-place scatter with accumulation (``torch.scatter_add``)."""
    d = wrap_dim(dim, max(input._data.ndim, 1))
    if src.dtype is not input.dtype:
        raise RuntimeError("scatter_add(): Expected self.dtype to be equal to src.dtype")
    if not _check_index(input, d, index, "scatter_add", src):
        return handle_out(input.clone(), out)
    return handle_out(_scattered(ScatterAdd, input, _as_1d(src), index, d=d), out)


@register(inplace=True)
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """Scatter with reduction 'sum', 'prod', 'mean', 'amax' or 'amin' (``torch.scatter_reduce``)."""
    d = wrap_dim(dim, input._data.ndim)
    if not _check_index(input, d, index, "scatter_reduce", src):
        return handle_out(input.clone(), out)
    xp = input._backend()
    idx = index._data
    sl = tuple(slice(0, n) for n in idx.shape)
    vals = src._data[sl]
    grid = _grid(xp, idx.shape, d, idx)
    base = input._data.copy()
    ufunc = {"sum": xp.add, "mean": xp.add, "prod": xp.multiply, "amax": xp.maximum,
             "amin": xp.minimum}.get(reduce)
    if ufunc is None:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    touched = xp.zeros(base.shape, dtype=bool)
    touched[grid] = True
    if records(input, src):  # differentiable as a composite of ops
        if reduce not in ("sum", "mean"):
            raise NotImplementedError(f"scatter_reduce backward with reduce='{reduce}' is not "
                                      "implemented")
        kept = input if include_self else input.masked_fill(_wrap(touched), 0)
        summed = kept.scatter_add(d, index, src[sl] if src._data.shape != idx.shape else src)
        if reduce == "sum":
            return handle_out(summed, out)
        count = xp.zeros(base.shape, dtype=xp.int64) + (1 if include_self else 0)
        xp.add.at(count, grid, 1)
        return handle_out(summed / _wrap(xp.maximum(count, 1).astype(base.dtype)), out)
    if not include_self:
        ident = {"sum": 0, "mean": 0, "prod": 1, "amax": -xp.inf, "amin": xp.inf}[reduce]
        if base.dtype.kind in "iu" and reduce in ("amax", "amin"):
            info = xp.iinfo(base.dtype)
            ident = info.min if reduce == "amax" else info.max
        base[touched] = ident
    ufunc.at(base, grid, vals)
    if reduce == "mean":
        count = xp.zeros(base.shape, dtype=xp.int64) + (1 if include_self else 0)
        xp.add.at(count, grid, 1)
        count = xp.maximum(count, 1)
        base = (base / count if base.dtype.kind == "f" else base // count).astype(base.dtype)
    return handle_out(_wrap(base), out)


@register
def index_select(input, dim, index, *, out=None):
    """Entries along ``dim`` at positions in 1-d ``index`` (``torch.index_select``)."""
    d = wrap_dim(dim, input._data.ndim)
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    return named(_index_select(input, d, index, out), "IndexSelectBackward0")


def _index_select(input, d, index, out):
    if dtype_of(index)._category != D._INT:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    key = (slice(None),) * d + (index._data.reshape(-1),)
    try:
        _check_bounds(input, key)
    except IndexError:
        raise IndexError("index out of range in self") from None
    return handle_out(Index.apply(input, key=key), out)


@register(inplace=True)
def index_add(input, dim, index, source, *, alpha=1, out=None):
    """``input`` with ``alpha * source`` added at ``index`` along ``dim``, out of place."""
    d = wrap_dim(dim, input._data.ndim)
    _checks.check_index_source("index_add_", input, d, index, source)
    if alpha != 1:
        source = source * alpha
    key = (slice(None),) * d + (index._data,)
    return handle_out(IndexPut.apply(input, source, key=key, accumulate=True), out)


@register(inplace=True)
def index_copy(input, dim, index, source, *, out=None):
    """``input`` with slices of ``source`` copied at ``index`` along ``dim``, out of place."""
    d = wrap_dim(dim, input._data.ndim)
    if dtype_of(index) is not D.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                           f"{_cap(dtype_of(index))}")
    key = (slice(None),) * d + (index._data,)
    return handle_out(IndexPut.apply(input, source, key=key, accumulate=False), out)


@register(inplace=True)
def index_fill(input, dim, index, value):
    """``input`` with ``value`` written at ``index`` along ``dim``, out of place."""
    d = wrap_dim(dim, input._data.ndim)
    if index.dim() > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    if dtype_of(index) is not D.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if (isinstance(value, complex) or isinstance(value, Tensor) and value.dtype.is_complex) and \
            not input.dtype.is_complex:
        raise RuntimeError("index_fill_(): Converting complex Scalar to non-complex type is not "
                           "supported")
    v = value if isinstance(value, Tensor) else scalar_tensor(value, dtype_of(input), input)
    key = (slice(None),) * d + (index._data,)
    return IndexPut.apply(input, v.to(input.dtype), key=key, accumulate=False)


_C_NAMES = {D.float32: "float", D.float64: "double", D.float16: "c10::Half",
            D.bfloat16: "c10::BFloat16", D.int64: "long int", D.int32: "int", D.int16: "short int",
            D.int8: "signed char", D.uint8: "unsigned char"}  # PyTorch names dtypes by C type here


@register(inplace=True)
def masked_fill(input, mask, value):
    """``input`` with ``value`` where ``mask`` is True (``torch.masked_fill``)."""
    if not isinstance(mask, Tensor) or mask.dtype is not D.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_C_NAMES.get(getattr(mask, 'dtype', None), type(mask).__name__)}")
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.dim()} dimension(s).")
        v = value.to(input.dtype)
    else:
        _checks.check_fits(value, dtype_of(input))
        v = scalar_tensor(value, dtype_of(input), input)
    B.broadcast_shapes(tuple(mask.shape), tuple(input.shape))
    out = Where.apply(mask, v, input)
    if tuple(out.shape) != tuple(input.shape):
        raise RuntimeError(f"The size of the mask ({list(mask.shape)}) must match the size of "
                           f"tensor ({list(input.shape)})")
    return named(out, "MaskedFillBackward0")


@register
def masked_select(input, mask, *, out=None):
    """1-d tensor of the elements where ``mask`` is True (``torch.masked_select``)."""
    shape = B.broadcast_shapes(tuple(input.shape), tuple(mask.shape))
    x = input.expand(shape)
    m = mask.expand(shape)
    return handle_out(Index.apply(x, key=(m._data,)), out)


@register(inplace=True)
def masked_scatter(input, mask, source):
    """``input`` with consecutive ``source`` elements written where ``mask`` is True."""
    m = mask.expand(input.shape)
    n = int(m._data.sum())
    if source.numel() < n:
        raise RuntimeError("masked_scatter: expected source to have at least as many elements as "
                           "ones in mask")
    vals = source.reshape(-1)[:n]
    return IndexPut.apply(input, vals, key=(m._data,), accumulate=False)


@register
def take(input, index):
    """Elements of the flattened input at ``index`` (``torch.take``)."""
    if index.dtype is not D.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                           f"{_cap(index.dtype)}")
    n = input._data.size
    if index._data.size and (int(index._data.max()) >= n or int(index._data.min()) < -n):
        bad = int(index._data.max()) if int(index._data.max()) >= n else int(index._data.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return input.reshape(-1)[index]


@register
def nonzero(input, *, as_tuple=False, out=None):
    """Indices of nonzero elements: an (n, ndim) int64 tensor, or a tuple of 1-d index tensors."""
    xp = input._backend()
    idx = xp.nonzero(input._data if input._data.ndim else input._data.reshape(1))
    if as_tuple:
        return tuple(_wrap(i.astype(xp.int64)) for i in idx)
    res = _wrap(xp.stack(idx, axis=1).astype(xp.int64) if idx else
                xp.zeros((0, 0), dtype=xp.int64))
    if input._data.ndim == 0:
        res = _wrap(xp.zeros((int(bool(input._data)), 0), dtype=xp.int64))
    return handle_out(res, out)


@register
def argwhere(input):
    """Same as ``nonzero(input)``."""
    return nonzero(input)
