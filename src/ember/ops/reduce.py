"""Reductions over dims (sum, mean, prod, var/std, max/min, logsumexp, ...) and scans."""
import builtins

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ._dispatch import on_arrays
from ..autograd.node import Op
from ._dims import wrap_dim, wrap_dims
from ._operands import dtype_of, named, return_type
from ._inplace import handle_out, _cap
from .joining import cat
from .binary import maximum, minimum
from ._registry import register


_RT = {n: return_type(n, ["values", "indices"]) for n in ("max", "min", "max_out", "min_out")}
_AMINMAX_RT = return_type("aminmax", ["min", "max"])


def _restore(g, in_shape, dims, keepdim):
    """Reshape a reduced gradient so it broadcasts against the input."""
    if not keepdim and dims and g._data.ndim:  # a 0-d gradient broadcasts as it is
        shape = list(g.shape)
        for d in dims:
            shape.insert(d, 1)
        g = g.reshape(shape)
    return g.expand(in_shape)


def _is_half(x):
    """float16 or bfloat16 (whose running sums lose everything past 11 or 8 bits)."""
    return x.dtype.itemsize == 2 and x.dtype.kind in "fV"


class Sum(Op):
    def forward(ctx, x, dims, keepdim, dtype):
        ctx.args = (x.shape, dims, keepdim)
        if dtype is None and _is_half(x):  # accumulate in float32, as PyTorch does
            return x.sum(axis=dims, keepdims=keepdim, dtype="float32").astype(x.dtype)
        return x.sum(axis=dims, keepdims=keepdim, dtype=dtype)  # the method skips the sum function's wrapper

    def backward(ctx, g):
        in_shape = ctx.args[0]
        gd = g._data
        if gd.ndim == 0 and _prod(in_shape) <= _SMALL and on_arrays():
            # a full sum of a small tensor (a loss): fill a fresh array, cheaper than a view
            out = ctx.xp.empty(in_shape, dtype=gd.dtype)
            out[...] = gd
            return _wrap(out)
        return _restore(g, *ctx.args)


_SMALL = 1 << 14  # elements: below this a filled array is cheaper than a broadcast view


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _sum_dtype(input, dtype):
    if dtype is not None:
        return D.to_dtype(dtype).np
    dt = dtype_of(input)
    return D.int64.np if dt._category <= D._INT else None


def _all_if_empty(dim):
    """PyTorch reads an empty dim list as "reduce over every dim"."""
    return None if dim is not None and not isinstance(dim, int) and len(dim) == 0 else dim


@register
def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum over ``dim`` (int, tuple, or all); integers accumulate in int64 (``torch.sum``)."""
    if isinstance(dim, Tensor):  # torch.sum(x, dtype) misuse guard
        raise TypeError("sum(): argument 'dim' must be int or tuple of ints")
    dim = _all_if_empty(dim)
    dims = wrap_dims(dim, input._data.ndim)
    r = Sum.apply(input, dims=dims, keepdim=keepdim, dtype=_sum_dtype(input, dtype))
    return handle_out(r if dim is None else named(r, "SumBackward1"), out)


@register
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum treating NaN as zero."""
    if input.dtype.is_complex:
        raise RuntimeError("nansum on CPU does not support complex inputs")
    return sum(input.masked_fill(input.isnan(), 0), dim, keepdim, dtype=dtype)


@register
def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean over ``dim`` (``torch.mean``); floating or complex inputs only."""
    dt = dtype_of(input) if dtype is None else D.to_dtype(dtype)
    if dt._category < D._FLOAT:
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {_cap(dt)}")
    if dtype is not None:
        input = input.to(dt)
    dim = _all_if_empty(dim)
    dims = wrap_dims(dim, input._data.ndim)
    n = 1
    for d in dims:
        n *= input._data.shape[d]
    r = sum(input, dims, keepdim) / n if n else sum(input, dims, keepdim) * float("nan")
    return handle_out(named(r, "MeanBackward0" if dim is None else "MeanBackward1"), out)


@register
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean ignoring NaN."""
    if input.dtype._category < D._FLOAT:
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_cap(input.dtype)}")
    notnan = ~input.isnan()
    return nansum(input, dim, keepdim, dtype=dtype) / notnan.sum(dim, keepdim)


class Prod(Op):
    save = (0, "out")

    def forward(ctx, x, dims, keepdim, dtype):
        ctx.args = (x.shape, dims, keepdim)
        if dtype is None and _is_half(x):
            return ctx.xp.prod(x, axis=dims, keepdims=keepdim, dtype="float32").astype(x.dtype)
        return ctx.xp.prod(x, axis=dims, keepdims=keepdim, dtype=dtype)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        shape, dims, keepdim = ctx.args
        g = _restore(g, shape, dims, keepdim)
        y = _restore(y, shape, dims, keepdim)
        zero = x == 0
        if not bool(zero._data.any()):
            return g * y / x
        # with zeros: product of the others, computed without dividing
        return g * _prod_others(x, dims)


def _prod_others(x, dims):
    """For each element, the product of the other elements over ``dims`` (zero-safe)."""
    # exclusive cumulative products from both sides along the flattened reduced dims
    perm = [i for i in range(x.dim()) if i not in dims] + list(dims)
    xt = x.permute(perm)
    keep = xt.shape[:x.dim() - len(dims)]
    xf = xt.reshape(tuple(keep) + (-1,))
    ones = xf.new_ones(tuple(keep) + (1,))
    left = cat([ones, xf[..., :-1]], -1).cumprod(-1)
    right = cat([ones, xf[..., 1:].flip(-1)], -1).cumprod(-1).flip(-1)
    others = (left * right).reshape(xt.shape)
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return others.permute(inv)


@register
def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product over ``dim`` (one dim, or all) (``torch.prod``)."""
    if dim is None and keepdim:
        raise TypeError("prod() received an invalid combination of arguments - got (keepdim=bool)")
    dims = wrap_dims(dim, input._data.ndim)
    return Prod.apply(input, dims=dims, keepdim=keepdim, dtype=_sum_dtype(input, dtype))


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


@register
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over ``dim`` with Bessel's ``correction`` (default 1) (``torch.var``)."""
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    dim = _all_if_empty(dim)
    c = _correction(unbiased, correction)
    dims = wrap_dims(dim, input._data.ndim)
    n = 1
    for d in dims:
        n *= input._data.shape[d]
    centered = input - mean(input, dims, keepdim=True)
    sq = (centered * centered.conj()).real if input.is_complex() else centered * centered
    return handle_out(named(sum(sq, dims, keepdim) / builtins.max(n - c, 0), "VarBackward0"), out)


@register
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation: sqrt of ``var`` (``torch.std``)."""
    return handle_out(named(var(input, dim, unbiased, keepdim, correction=correction).sqrt(),
                            "StdBackward0"), out)


@register
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) in one call."""
    return var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


@register
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) in one call."""
    return std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


class Amax(Op):
    """amax/amin: the gradient is shared evenly among tied extreme elements."""
    save = (0, "out")
    fn = "max"

    def forward(ctx, x, dims, keepdim):
        ctx.args = (x.shape, dims, keepdim)
        empty = [d for d in dims if x.shape[d] == 0] if x.size == 0 else ()
        if empty:
            raise IndexError(f"a{ctx.fn}(): Expected reduction dim {empty[0]} to have non-zero "
                             f"size.")
        return getattr(x, ctx.fn)(axis=dims, keepdims=keepdim)  # the method skips NumPy dispatch

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        shape, dims, keepdim = ctx.args
        mask = (x == _restore(y, shape, dims, keepdim)).to(g.dtype)
        count = mask.sum(dims, keepdim=True)
        return _restore(g, shape, dims, keepdim) * mask / count


class Amin(Amax):
    fn = "min"


def _check_empty_all(input, dim, name):
    if input._data.size == 0 and (dim == () or dim is None):
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                           f"== 0. Specify the reduction dim with the 'dim' argument.")


@register
def amax(input, dim=(), keepdim=False, *, out=None):
    """Maximum over ``dim`` (all dims if empty) (``torch.amax``)."""
    _no_complex(input, "amax", "max_values_cpu")
    dim = _all_if_empty(dim)
    _check_empty_all(input, dim, "amax")
    dims = wrap_dims(dim, input._data.ndim)
    return handle_out(Amax.apply(input, dims=dims, keepdim=keepdim), out)


@register
def amin(input, dim=(), keepdim=False, *, out=None):
    """Minimum over ``dim`` (all dims if empty) (``torch.amin``)."""
    _no_complex(input, "amin", "min_values_cpu")
    dim = _all_if_empty(dim)
    _check_empty_all(input, dim, "amin")
    dims = wrap_dims(dim, input._data.ndim)
    return handle_out(Amin.apply(input, dims=dims, keepdim=keepdim), out)


def _no_complex(input, name, kernel=None):
    """PyTorch refuses orderings of complex numbers."""
    if input.dtype.is_complex:
        if kernel:
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_cap(input.dtype)}'")
        raise RuntimeError(f"{name}(): does not support complex input")


def _arg_extreme(input, dim, keepdim, which):
    _no_complex(input, which)
    xp = input._backend()
    x = input._data
    if x.size == 0 and dim is None:
        raise IndexError(f"{which}(): Expected reduction dim to be specified for input.numel() == 0.")
    if x.size == 0 and x.shape[wrap_dim(dim, x.ndim)] == 0:
        raise IndexError(f"{which}(): Expected reduction dim {wrap_dim(dim, x.ndim)} to have "
                         f"non-zero size.")
    fn = xp.argmax if which == "argmax" else xp.argmin
    if x.dtype.kind == "f":
        # PyTorch returns the first NaN's index: NaN wins over everything
        nan = xp.isnan(x)
        if bool(nan.any()):
            if dim is None:
                return _wrap(xp.asarray(xp.argmax(nan.reshape(-1))))
            d = wrap_dim(dim, x.ndim)
            has = nan.any(axis=d, keepdims=keepdim)
            return _wrap(xp.where(has, xp.argmax(nan, axis=d, keepdims=keepdim),
                                  fn(x, axis=d, keepdims=keepdim)))
    if dim is None:
        r = xp.asarray(fn(x.reshape(-1)))
        if keepdim:
            r = r.reshape((1,) * x.ndim)
        return _wrap(r.astype(xp.int64))
    d = wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        return _wrap(xp.asarray(0, dtype=xp.int64))
    return _wrap(fn(x, axis=d, keepdims=keepdim).astype(xp.int64))


@register
def argmax(input, dim=None, keepdim=False):
    """Index of the maximum (first one on ties), over all elements or along ``dim``."""
    if input.dtype is D.bool_:
        raise RuntimeError("argmax(): does not support bool input")
    return _arg_extreme(input, dim, keepdim, "argmax")


@register
def argmin(input, dim=None, keepdim=False):
    """Index of the minimum (first one on ties), over all elements or along ``dim``."""
    if input.dtype is D.bool_:
        raise RuntimeError("argmin(): does not support bool input")
    return _arg_extreme(input, dim, keepdim, "argmin")


class _MaxDim(Op):
    """max/min along a dim: the gradient goes to the selected index only."""

    def forward(ctx, x, d, keepdim, idx):
        ctx.args = (x.shape, d, keepdim)
        ctx.idx = idx
        xp = ctx.xp
        return xp.take_along_axis(x, xp.expand_dims(idx, d) if not keepdim else idx, axis=d) \
            .reshape(idx.shape)

    def backward(ctx, g):
        shape, d, keepdim = ctx.args
        idx = _wrap(ctx.idx)
        if not keepdim:
            g, idx = g.unsqueeze(d), idx.unsqueeze(d)
        return g.new_zeros(shape).scatter(d, idx, g)


def _max_min(input, dim, keepdim, which, other, out):
    rt = _RT[which if out is None else which + "_out"]
    if isinstance(dim, Tensor):
        other = dim
    if other is not None:
        return (maximum if which == "max" else minimum)(input, other, out=out)
    _no_complex(input, which, None if dim is not None else f"{which}_all")
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(f"{which}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        return named((amax if which == "max" else amin)(input),
                     "MaxBackward1" if which == "max" else "MinBackward1")
    d = wrap_dim(dim, input._data.ndim)
    if input._data.ndim and input._data.shape[d] == 0:
        raise IndexError(f"{which}(): Expected reduction dim {d} to have non-zero size.")
    idx = _arg_extreme(input, d, keepdim, "argmax" if which == "max" else "argmin")
    if input._data.ndim == 0:
        return rt(input.clone(), idx)
    vals = named(_MaxDim.apply(input, d=d, keepdim=keepdim, idx=idx._data),
                 "MaxBackward0" if which == "max" else "MinBackward0")
    if out is not None:
        handle_out(vals, out[0])
        handle_out(idx, out[1])
        return rt(out[0], out[1])
    return rt(vals, idx)


@register
def max(input, dim=None, keepdim=False, *, other=None, out=None):
    """Max of all elements; along ``dim`` a (values, indices) tuple; with a tensor, ``maximum``."""
    return _max_min(input, dim, keepdim, "max", other, out)


@register
def min(input, dim=None, keepdim=False, *, other=None, out=None):
    """Min of all elements; along ``dim`` a (values, indices) tuple; with a tensor, ``minimum``."""
    return _max_min(input, dim, keepdim, "min", other, out)


@register
def aminmax(input, *, dim=None, keepdim=False):
    """(amin, amax) in one call."""
    _no_complex(input, "aminmax", "aminmax_cpu")
    mm = _AMINMAX_RT
    if dim is None:
        return mm(amin(input, (), keepdim), amax(input, (), keepdim))
    return mm(amin(input, dim, keepdim), amax(input, dim, keepdim))


@register
def logsumexp(input, dim, keepdim=False, *, out=None):
    """log(sum(exp(input))) over ``dim``, computed stably (``torch.logsumexp``)."""
    if dtype_of(input)._category < D._FLOAT:
        input = input.float()
    every = dim is not None and not isinstance(dim, int) and len(dim) == 0
    dims = wrap_dims(None if every else dim, input._data.ndim)
    if input._data.size == 0:  # no maximum to shift by: log(0) = -inf on every empty slice
        return handle_out(named(input.exp().sum(dims, keepdim).log(), "LogsumexpBackward0"),
                          out)
    if every and not keepdim and input._data.ndim:  # PyTorch reduces keeping dims, then fails
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape "
                           f"{[1] * input._data.ndim}")
    m = amax(input.real if input.dtype.is_complex else input, dims, keepdim=True).detach()
    m = m.masked_fill(m.isinf(), 0.0)
    r = (input - m).exp().sum(dims, keepdim=True).log() + m
    if not keepdim:
        r = r.squeeze(dims) if dims else r
    return handle_out(named(r, "LogsumexpBackward0"), out)


@register
def all(input, dim=None, keepdim=False, *, out=None):
    """True where all elements (over ``dim``) are nonzero (``torch.all``)."""
    dims = wrap_dims(dim, input._data.ndim)
    r = input._backend().all(input._data, axis=dims, keepdims=keepdim)
    return handle_out(_wrap(r.astype(input._data.dtype) if input._data.dtype.kind == "u" else r), out)


@register
def any(input, dim=None, keepdim=False, *, out=None):
    """True where any element (over ``dim``) is nonzero (``torch.any``)."""
    dims = wrap_dims(dim, input._data.ndim)
    r = input._backend().any(input._data, axis=dims, keepdims=keepdim)
    return handle_out(_wrap(r.astype(input._data.dtype) if input._data.dtype.kind == "u" else r), out)


@register
def count_nonzero(input, dim=None):
    """Number of nonzero elements over ``dim`` (``torch.count_nonzero``)."""
    dim = _all_if_empty(dim)
    dims = wrap_dims(dim, input._data.ndim)
    return _wrap(input._backend().count_nonzero(input._data, axis=dims).astype("int64"))


class Cumsum(Op):
    def forward(ctx, x, d, dtype):
        ctx.d = d
        if dtype is None and _is_half(x):
            return ctx.xp.cumsum(x, axis=d, dtype="float32").astype(x.dtype)
        return ctx.xp.cumsum(x, axis=d, dtype=dtype)

    def backward(ctx, g):
        return g.flip(ctx.d).cumsum(ctx.d).flip(ctx.d)


@register(inplace=True)
def cumsum(input, dim, *, dtype=None, out=None):
    """Cumulative sum along ``dim`` (``torch.cumsum``)."""
    d = wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return handle_out(input.clone(), out)
    return handle_out(Cumsum.apply(input, d=d, dtype=_sum_dtype(input, dtype)), out)


class Cumprod(Op):
    save = (0, "out")

    def forward(ctx, x, d, dtype):
        ctx.d = d
        if dtype is None and _is_half(x):
            return ctx.xp.cumprod(x, axis=d, dtype="float32").astype(x.dtype)
        return ctx.xp.cumprod(x, axis=d, dtype=dtype)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        d = ctx.d
        if not bool((x._data == 0).any()):
            return (g * y).flip(d).cumsum(d).flip(d) / x
        # zero-safe: grad_i = sum_{k>=i} g_k * prod_{j<=k, j!=i} x_j (a loop over positions)
        n = x.shape[d]
        grads = []
        for i in range(n):
            ones = x.narrow(d, i, 1) * 0 + 1
            replaced = cat([x.narrow(d, 0, i), ones, x.narrow(d, i + 1, n - i - 1)], d)
            cp = replaced.cumprod(d)
            grads.append((g.narrow(d, i, n - i) * cp.narrow(d, i, n - i)).sum(d, keepdim=True))
        return cat(grads, d)


@register(inplace=True)
def cumprod(input, dim, *, dtype=None, out=None):
    """Cumulative product along ``dim`` (``torch.cumprod``)."""
    d = wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return handle_out(input.clone(), out)
    return handle_out(Cumprod.apply(input, d=d, dtype=_sum_dtype(input, dtype)), out)


class LogSoftmax(Op):
    save = ("out",)

    def forward(ctx, x, d):
        ctx.d = d
        xp = ctx.xp
        m = xp.max(x, axis=d, keepdims=True) if x.size else 0
        shifted = x - m
        return shifted - xp.log(xp.sum(xp.exp(shifted), axis=d, keepdims=True))

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return named(g - y.exp() * g.sum(ctx.d, keepdim=True), "LogSoftmaxBackwardDataBackward0")


class Softmax(Op):
    save = ("out",)

    def forward(ctx, x, d):
        ctx.d = d
        xp = ctx.xp
        e = xp.exp(x - (xp.max(x, axis=d, keepdims=True) if x.size else 0))
        e /= xp.sum(e, axis=d, keepdims=True)
        return e

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        gy = g * y
        return named(gy - y * gy.sum(ctx.d, keepdim=True), "SoftmaxBackwardDataBackward0")


def _softmax_input(input, dim, dtype):
    if dtype is not None:
        input = input.to(D.to_dtype(dtype))
    elif dtype_of(input)._category != D._FLOAT:
        raise NotImplementedError(f"\"softmax_lastdim_kernel_impl\" not implemented for "
                                  f"'{_cap(dtype_of(input))}'")
    if dim is None:
        dim = 0 if input.dim() in (0, 1, 3) else 1
    return input, wrap_dim(dim, input._data.ndim)


@register
def softmax(input, dim=None, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim`` (``torch.softmax``)."""
    input, d = _softmax_input(input, dim, dtype)
    if input._data.ndim == 0:
        return input * 0 + 1
    return Softmax.apply(input, d=d)


@register
def log_softmax(input, dim=None, dtype=None):
    """log(softmax(x)) along ``dim``, computed stably (``torch.log_softmax``)."""
    input, d = _softmax_input(input, dim, dtype)
    if input._data.ndim == 0:
        return input * 0
    return LogSoftmax.apply(input, d=d)
