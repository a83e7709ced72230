"""Small top-level ``torch.*`` names that are aliases or short compositions of Ember functions.

PyTorch exposes many ATen entry points at the top level (``torch.dropout``, ``torch.selu``,
``torch.view_copy``, ``torch.slice_scatter`` ...) next to their ``torch.nn.functional`` or view
counterparts; they are defined here once, in terms of the public Ember functions, so they share
those functions' checks and derivatives. ``ember/__init__.py`` re-exports ``__all__``.
"""
import builtins
import math

from ._storage import UntypedStorage  # noqa: F401  (torch.UntypedStorage)
from .nn import functional
from .autograd.anomaly import is_anomaly_enabled as on
from .autograd.grad_mode import STATE
from ._legacy import _deterministic
from ._tensor import _wrap
from .ops._registry import register

__all__ = [
    "compile", "set_float32_matmul_precision", "get_float32_matmul_precision",
    "set_warn_always", "is_warn_always_enabled", "detach", "dropout", "alpha_dropout",
    "feature_alpha_dropout", "selu", "celu", "threshold", "prelu", "rrelu", "hardshrink",
    "pairwise_distance", "cosine_similarity", "pdist", "bilinear", "layer_norm", "group_norm",
    "constant_pad_nd", "channel_shuffle", "native_channel_shuffle", "row_stack", "chain_matmul",
    "split_with_sizes", "unsafe_chunk", "unsafe_split", "unsafe_split_with_sizes",
    "is_inference", "is_signed", "get_device", "is_anomaly_enabled", "set_anomaly_enabled",
    "is_anomaly_check_nan_enabled", "is_deterministic_algorithms_warn_only_enabled",
    "select_scatter", "slice_scatter", "diagonal_scatter", "UntypedStorage", "lu",
    "unravel_index", "isin", "trapezoid", "trapz", "cumulative_trapezoid", "hann_window",
    "hamming_window", "blackman_window", "bartlett_window", "kaiser_window",
]


def _e():
    import ember  # lazy: ember imports us
    return ember


def _F():
    return functional


# ---- global switches ---------------------------------------------------------------------
def compile(model=None, *, fullgraph=False, dynamic=None,  # noqa: A001
            backend="inductor", mode=None, options=None, disable=False):
    """``torch.compile``: Ember runs eagerly, so the model (or function) is returned as it is;
    its results are the ones the compiled model would give. Usable as ``@torch.compile`` and
    ``@torch.compile(mode=...)``."""
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise RuntimeError(f"torch.compile: expected a callable, got {type(model).__name__}")
    return model


_MATMUL_PRECISION = ["highest"]


def set_float32_matmul_precision(precision):
    """``torch.set_float32_matmul_precision``: records the hint. Ember's float32 matmuls always
    run in full float32 ("highest"); PyTorch on CPU does the same."""
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid precision {precision!r}: expected 'highest', 'high' or "
                           "'medium'")
    _MATMUL_PRECISION[0] = precision


def get_float32_matmul_precision():
    """The hint set by ``set_float32_matmul_precision`` (``'highest'`` by default)."""
    return _MATMUL_PRECISION[0]


_WARN_ALWAYS = [False]


def set_warn_always(b):
    """``torch.set_warn_always``: record whether warnings shown once should always show."""
    _WARN_ALWAYS[0] = builtins.bool(b)


def is_warn_always_enabled():
    """The flag set by ``set_warn_always``."""
    return _WARN_ALWAYS[0]


def is_anomaly_enabled():
    """``torch.is_anomaly_enabled``: whether ``autograd.detect_anomaly`` is active."""
    return on()


def set_anomaly_enabled(enabled, check_nan=True):
    """``torch.set_anomaly_enabled``: switch anomaly detection on or off globally."""
    STATE.anomaly = builtins.bool(enabled) and builtins.bool(check_nan)


def is_anomaly_check_nan_enabled():
    """Whether anomaly detection also checks for NaN (Ember always does when it is on)."""
    return is_anomaly_enabled()


def is_deterministic_algorithms_warn_only_enabled():
    """The ``warn_only`` flag given to ``use_deterministic_algorithms``."""
    return _deterministic[1]


# ---- functional aliases --------------------------------------------------------------------
def detach(input):
    """``torch.detach(t)``: ``t.detach()``."""
    return input.detach()


def dropout(input, p, train):
    """``torch.dropout(input, p, train)``: ``F.dropout(input, p, training=train)``."""
    return _F().dropout(input, p, train)


def alpha_dropout(input, p, train):
    """``torch.alpha_dropout``: ``F.alpha_dropout(input, p, training=train)``."""
    return _F().alpha_dropout(input, p, train)


def feature_alpha_dropout(input, p, train):
    """``torch.feature_alpha_dropout``: ``F.feature_alpha_dropout(input, p, training=train)``."""
    return _F().feature_alpha_dropout(input, p, train)


def selu(input):
    """``torch.selu``: ``F.selu``."""
    return _F().selu(input)


def celu(input, alpha=1.0):
    """``torch.celu``: ``F.celu``."""
    return _F().celu(input, alpha)


def threshold(input, threshold, value):
    """``torch.threshold``: ``F.threshold`` (``value`` where ``input <= threshold``)."""
    return _F().threshold(input, threshold, value)


def prelu(input, weight):
    """``torch.prelu``: ``F.prelu``."""
    return _F().prelu(input, weight)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """``torch.rrelu``: ``F.rrelu``."""
    return _F().rrelu(input, lower, upper, training)


def hardshrink(input, lambd=0.5):
    """``torch.hardshrink``: ``F.hardshrink``."""
    return _F().hardshrink(input, lambd)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``torch.pairwise_distance``: ``F.pairwise_distance``."""
    return _F().pairwise_distance(x1, x2, p, eps, keepdim)


@register(method=False)  # declared for its axis= spelling
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``torch.cosine_similarity``: ``F.cosine_similarity``."""
    return _F().cosine_similarity(x1, x2, dim, eps)


def pdist(input, p=2):
    """``torch.pdist``: ``F.pdist``."""
    return _F().pdist(input, p)


def bilinear(input1, input2, weight, bias=None):
    """``torch.bilinear``: ``F.bilinear``."""
    return _F().bilinear(input1, input2, weight, bias)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    """``torch.layer_norm``: ``F.layer_norm``."""
    return _F().layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    """``torch.group_norm``: ``F.group_norm``."""
    return _F().group_norm(input, num_groups, weight, bias, eps)


def constant_pad_nd(input, pad, value=0):
    """``torch.constant_pad_nd``: ``F.pad(input, pad, 'constant', value)``."""
    return _F().pad(input, pad, "constant", value)


def channel_shuffle(input, groups):
    """``torch.channel_shuffle``: ``F.channel_shuffle``."""
    return _F().channel_shuffle(input, groups)


native_channel_shuffle = channel_shuffle


def row_stack(tensors, *, out=None):
    """``torch.row_stack``: an alias of ``torch.vstack``."""
    return _e().vstack(tensors, out=out)


def chain_matmul(*matrices, out=None):
    """``torch.chain_matmul`` (deprecated in PyTorch): ``torch.linalg.multi_dot(matrices)``."""
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    if len(matrices) == 1:
        return matrices[0].clone() if out is None else out.copy_(matrices[0])
    return _e().linalg.multi_dot(list(matrices), out=out)


def lu(A, pivot=True, get_infos=False, out=None):
    """``torch.lu`` (deprecated in PyTorch): ``torch.linalg.lu_factor(A)``, plus the infos
    tensor when ``get_infos``."""
    linalg = _e().linalg
    if get_infos:
        LU, pivots, infos = linalg.lu_factor_ex(A, pivot=pivot)
        return LU, pivots, infos
    return linalg.lu_factor(A, pivot=pivot)


def unravel_index(indices, shape):
    """``torch.unravel_index``: the coordinates of flat ``indices`` in a tensor of ``shape``,
    as a tuple of int64 tensors (negative indices count from the end, as in PyTorch)."""
    e = _e()
    if not isinstance(indices, e.Tensor):
        raise TypeError(f"expected 'indices' to be a tensor, but got {type(indices).__name__}")
    if indices.is_floating_point() or indices.is_complex() or indices.dtype is e.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, builtins.int):
        shape = (shape,)
    shape = tuple(builtins.int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    idx = indices.long()
    coords = []
    for size in reversed(shape):
        coords.append(idx.remainder(size))
        idx = idx.div(size, rounding_mode="floor")
    return tuple(reversed(coords))


@register(method=False)  # declared for its axis= spelling
def split_with_sizes(input, split_sizes, dim=0):
    """``torch.split_with_sizes``: ``torch.split`` with a list of sizes."""
    return _e().split(input, list(split_sizes), dim)


@register(method=False)  # declared for its axis= spelling
def unsafe_chunk(input, chunks, dim=0):
    """``torch.unsafe_chunk``: ``torch.chunk`` (Ember's views are always safe)."""
    return _e().chunk(input, chunks, dim)


@register(method=False)  # declared for its axis= spelling
def unsafe_split(input, split_size, dim=0):
    """``torch.unsafe_split``: ``torch.split``."""
    return _e().split(input, split_size, dim)


unsafe_split_with_sizes = split_with_sizes
register("unsafe_split_with_sizes", split_with_sizes, method=False)


def is_inference(input):
    """``torch.is_inference(t)``: ``t.is_inference()``."""
    return input.is_inference()


def is_signed(input):
    """``torch.is_signed(t)``: whether ``t``'s dtype is signed (every dtype but bool and uint8)."""
    return input.dtype.name not in ("bool", "uint8")


def get_device(input):
    """``torch.get_device(t)``: ``t.get_device()`` (-1 on the CPU)."""
    return input.get_device()


# ---- isin, trapezoid, windows ---------------------------------------------------------------
def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """``torch.isin``: a bool tensor, True where an entry of ``elements`` occurs in
    ``test_elements`` (either may be a Python scalar); ``invert=True`` negates it."""
    e = _e()
    if not isinstance(elements, e.Tensor) and not isinstance(test_elements, e.Tensor):
        raise TypeError("isin() received an invalid combination of arguments: at least one of "
                        "elements and test_elements must be a Tensor")
    like = elements if isinstance(elements, e.Tensor) else test_elements
    xp = like._backend()
    a = elements._data if isinstance(elements, e.Tensor) else xp.asarray(elements)
    b = test_elements._data if isinstance(test_elements, e.Tensor) else xp.asarray(test_elements)
    return _wrap(xp.isin(a, b, assume_unique=assume_unique, invert=invert))


def _trapezoid_parts(name, y, x, dx, dim):
    e = _e()
    if not (y.is_floating_point() or y.is_complex()):
        y = y.to(e.get_default_dtype())
    n = y.shape[dim]
    lo, hi = y.narrow(dim, 0, builtins.max(n - 1, 0)), y.narrow(dim, builtins.min(1, n),
                                                                 builtins.max(n - 1, 0))
    if x is not None and not isinstance(x, e.Tensor):
        x, dx = None, x
    if x is None:
        return (lo + hi) * ((1.0 if dx is None else dx) / 2.0)
    if dx is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments: give x or dx, "
                        "not both")
    if x.dim() == 1:
        if x.shape[0] != n:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        shape = [1] * y.dim()
        shape[dim] = builtins.max(n - 1, 0)
        steps = e.diff(x).reshape(shape)
    else:
        steps = e.diff(x, dim=dim)
    return (lo + hi) * steps / 2.0


@register(method=False)  # declared for its axis= spelling
def trapezoid(y, x=None, *, dx=None, dim=-1):
    """``torch.trapezoid``: the trapezoidal rule along ``dim``, with sample points ``x`` (a
    tensor) or a constant spacing ``dx`` (default 1)."""
    return _trapezoid_parts("trapezoid", y, x, dx, dim).sum(dim)


@register(method=False)  # declared for its axis= spelling
def trapz(y, x=None, *, dx=None, dim=-1):
    """``torch.trapz``: an alias of ``torch.trapezoid``."""
    return trapezoid(y, x, dx=dx, dim=dim)


@register(method=False)  # declared for its axis= spelling
def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """``torch.cumulative_trapezoid``: the running trapezoidal integral along ``dim`` (one
    entry fewer than ``y``)."""
    return _trapezoid_parts("cumulative_trapezoid", y, x, dx, dim).cumsum(dim)


def _window(name, window_length, periodic, dtype, device, requires_grad, layout, formula):
    e = _e()
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    dtype = e.get_default_dtype() if dtype is None else dtype
    if not dtype.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dtype}")
    if window_length <= 1:
        out = e.ones(window_length, dtype=dtype, device=device)
    else:
        n = window_length if periodic else window_length - 1
        k = e.arange(window_length, dtype=e.float64, device=device)
        out = formula(e, k, n).to(dtype)
    return out.requires_grad_(requires_grad) if requires_grad else out


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                requires_grad=False):
    """``torch.hann_window``: ``0.5 - 0.5 cos(2 pi k / N)``, N = length (periodic) or
    length - 1."""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   layout, lambda e, k, n: 0.5 - 0.5 * e.cos(2 * math.pi * k / n))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, requires_grad=False):
    """``torch.hamming_window``: ``alpha - beta cos(2 pi k / N)``."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   layout, lambda e, k, n: alpha - beta * e.cos(2 * math.pi * k / n))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """``torch.blackman_window``: ``0.42 - 0.5 cos(2 pi k / N) + 0.08 cos(4 pi k / N)``."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   layout, lambda e, k, n: 0.42 - 0.5 * e.cos(2 * math.pi * k / n)
                   + 0.08 * e.cos(4 * math.pi * k / n))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """``torch.bartlett_window``: the triangle ``1 - |2k / N - 1|``."""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   layout, lambda e, k, n: 1 - e.abs(2 * k / n - 1))


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, requires_grad=False):
    """``torch.kaiser_window``: ``I0(beta sqrt(1 - (2k / N - 1)^2)) / I0(beta)``."""
    def formula(e, k, n):
        r = e.clamp(1 - (2 * k / n - 1) ** 2, min=0)
        return e.i0(beta * e.sqrt(r)) / e.i0(e.tensor(float(beta), dtype=e.float64))
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   layout, formula)


# ---- *_scatter: a copy of input with one view of it replaced by src ------------------------
def _scatter_into(input, src, view_of):
    out = input.clone()
    view = view_of(out)
    if tuple(view.shape) != tuple(src.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(view.shape)}")
    view.copy_(src)
    return out


@register(method=False)  # declared for its axis= spelling
def select_scatter(input, src, dim, index):
    """``torch.select_scatter``: ``input`` with ``input.select(dim, index)`` replaced by ``src``."""
    return _scatter_into(input, src, lambda t: t.select(dim, index))


@register(method=False)  # declared for its axis= spelling
def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """``torch.slice_scatter``: ``input`` with ``input[..., start:end:step, ...]`` (on ``dim``)
    replaced by ``src``."""
    def view_of(t):
        d = dim % t.dim() if t.dim() else 0
        return t[(slice(None),) * d + (slice(start, end, step),)]
    return _scatter_into(input, src, view_of)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """``torch.diagonal_scatter``: ``input`` with ``input.diagonal(offset, dim1, dim2)``
    replaced by ``src``."""
    return _scatter_into(input, src, lambda t: t.diagonal(offset, dim1, dim2))


# ---- *_copy: the view op's result as a fresh tensor -----------------------------------------
_COPY_OF = ("view", "t", "transpose", "permute", "squeeze", "unsqueeze", "expand", "narrow",
            "select", "diagonal", "unfold", "split", "split_with_sizes", "unbind", "alias",
            "detach", "as_strided", "view_as_real", "view_as_complex", "slice")


def _slice(input, dim=0, start=None, end=None, step=1):
    d = dim % input.dim()
    return input[(slice(None),) * d + (slice(start, end, step),)]


def _fresh(view):
    """A contiguous tensor with ``view``'s values that shares no memory with it."""
    res = view.contiguous()
    return view.clone() if res is view else res


def _make_copy(name):
    def fn(input, *args, out=None, **kwargs):
        if name == "alias":
            view = input.view(input.shape)
        elif name == "slice":
            view = _slice(input, *args, **kwargs)
        elif name in ("split_with_sizes", "detach"):
            view = globals()[name](input, *args, **kwargs)
        elif name == "unfold":
            view = input.unfold(*args, **kwargs)
        else:
            view = getattr(_e(), name)(input, *args, **kwargs)
        if isinstance(view, (tuple, list)):
            return [_fresh(v) for v in view]
        res = _fresh(view)
        if out is not None:
            if tuple(out.shape) != tuple(res.shape):
                out.resize_(res.shape)
            return out.copy_(res)
        return res
    fn.__name__ = fn.__qualname__ = f"{name}_copy"
    fn.__doc__ = (f"``torch.{name}_copy``: the result of ``torch.{name}`` as a new contiguous "
                  "tensor that shares no memory with the input.")
    return fn


for _n in _COPY_OF:
    globals()[f"{_n}_copy"] = _make_copy(_n)
    __all__.append(f"{_n}_copy")
del _n


