"""Helpers shared by the distributions (``torch.distributions.utils``): broadcasting parameters,
probs/logits conversions, lazily computed attributes, and the standard gamma sampler with its
implicit reparameterisation gradient."""
import math
import numbers

import ember
from .. import _backend as B
from .._backend import rng as _rng_kernels
from .._backend import special as _special
from ..autograd.grad_mode import enable_grad
from ..autograd.node import Op
from .._size import Size
from .._tensor import Tensor, _wrap
from ..ops import random as _random

__all__ = ["broadcast_all", "logits_to_probs", "probs_to_logits", "clamp_probs", "lazy_property",
           "tril_matrix_to_vec", "vec_to_tril_matrix", "standard_gamma", "gammainc",
           "euler_constant"]

euler_constant = 0.57721566490153286060


def broadcast_all(*values):
    """Broadcast tensors and numbers to one shape; numbers become tensors of the first tensor's
    dtype and device (of the default dtype when all are numbers)."""
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    if not any(isinstance(v, Tensor) for v in values):
        dtype = ember.get_default_dtype()
        return tuple(ember.tensor(float(v), dtype=dtype) for v in values)
    ref = next(v for v in values if isinstance(v, Tensor))
    tensors = [v if isinstance(v, Tensor)
               else ember.tensor(v, dtype=ref.dtype, device=ref.device) for v in values]
    return tuple(ember.broadcast_tensors(*tensors))


def _standard_normal(shape, dtype, device):
    return ember.randn(tuple(shape), dtype=dtype, device=device)


def _sum_rightmost(value, dim):
    """Sum out the ``dim`` rightmost dimensions of ``value``."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:value.dim() - dim]) + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    """Probabilities from logits: sigmoid when ``is_binary``, else softmax over the last dim."""
    if is_binary:
        return ember.sigmoid(logits)
    return ember.softmax(logits, dim=-1)


def clamp_probs(probs):
    """``probs`` clamped into [eps, 1 - eps] (eps of its dtype), so logs stay finite."""
    eps = ember.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Logits from probabilities: log-odds when ``is_binary``, else log of the clamped probs."""
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return ps_clamped.log() - (-ps_clamped).log1p()
    return ps_clamped.log()


def inherit_property_docs(cls):
    """Give each plain property of ``cls`` that has no docstring the docstring of the property
    it overrides (properties, unlike methods, do not inherit them)."""
    for name, attr in list(vars(cls).items()):
        if type(attr) is property and not attr.__doc__:
            for base in cls.__mro__[1:]:
                doc = getattr(vars(base).get(name), "__doc__", None)
                if doc:
                    setattr(cls, name, property(attr.fget, attr.fset, attr.fdel, doc))
                    break


class lazy_property:
    """A property computed on first access and then stored on the instance (so it is computed
    once); computed with grad enabled, so it stays differentiable."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """What ``lazy_property`` looks like on the class: a property too (for introspection)."""

    def __init__(self, wrapped):
        property.__init__(self, wrapped)
        lazy_property.__init__(self, wrapped)


def tril_matrix_to_vec(mat, diag=0):
    """The lower triangle (below diagonal ``diag``) of each matrix as a vector, row-major."""
    n = mat.shape[-1]
    if not (-n <= diag < n):
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    rows, cols = ember.tril_indices(n, n, offset=diag, device=mat.device)
    return mat[..., rows, cols]


def vec_to_tril_matrix(vec, diag=0):
    """Inverse of ``tril_matrix_to_vec``: fill a lower-triangular matrix from vectors."""
    m = vec.shape[-1]
    n = round((-(1 + 2 * diag) + math.sqrt((1 + 2 * diag) ** 2 + 8 * m + 4 * abs(diag)
                                            * (diag + 1))) / 2)
    rows, cols = ember.tril_indices(n, n, offset=diag, device=vec.device)
    flat = rows * n + cols
    out = ember.zeros(tuple(vec.shape[:-1]) + (n * n,), dtype=vec.dtype, device=vec.device)
    out = out.index_add(-1, flat, vec)
    return out.reshape(tuple(vec.shape[:-1]) + (n, n))


# ---- standard gamma: sampler, implicit gradient, incomplete gamma ----------------------------
class _FirstOrderOnly(Op):
    """A derivative factor computed on arrays (``value``), attached to the graph of ``anchor``:
    differentiating it again raises, naming the derivative, instead of silently giving zero."""

    def forward(ctx, anchor, value, name):
        ctx.what = name
        return value

    def backward(ctx, g):
        raise RuntimeError(f"the derivative of {ctx.what} is not implemented (first order "
                           "only, as in PyTorch)")


def _derivative_factor(anchor, value, name):
    return _FirstOrderOnly.apply(anchor, value=value, name=name) if anchor.requires_grad \
        else _wrap(value)


class _StandardGammaRsample(Op):
    """Identity on a drawn gamma sample, whose derivative w.r.t. the concentration is the
    implicit one, dx/da = -(dP(a, x)/da) / pdf(x; a) (as ``torch._standard_gamma``'s)."""
    save = (0,)
    _name = "StandardGammaBackward0"

    def forward(ctx, alpha, sample):
        ctx.sample = sample
        return sample

    def backward(ctx, g):
        (alpha,) = ctx.saved_tensors
        xp = ctx.xp
        _, _, dx = _special.gammainc_grad(xp, alpha._data, ctx.sample)
        return g * _derivative_factor(alpha, dx, "standard_gamma_grad"), None


def standard_gamma(concentration, generator=None):
    """Gamma(concentration, rate=1) samples (``torch._standard_gamma``), differentiable with
    respect to ``concentration`` by implicit reparameterisation."""
    host = B.to_host(concentration.detach()._data)
    sample = _rng_kernels.gamma_draw(_random._rng(generator), host)
    sample = B.transfer(sample, concentration.device)
    return _StandardGammaRsample.apply(concentration, _wrap(sample))


class _Gammainc(Op):
    """The regularized lower incomplete gamma P(a, x); d/dx is the gamma density, d/da comes
    from the series / continued fraction (not differentiable again)."""
    save = (0, 1)
    _name = "GammaincBackward0"

    def forward(ctx, a, x):
        p, dp, _ = _special.gammainc_grad(ctx.xp, a, x)
        ctx.dp = dp
        return p

    def backward(ctx, g):
        a, x = ctx.saved_tensors
        ga = None
        if ctx.needs_input_grad[0]:
            ga = g * _derivative_factor(a, ctx.dp, "gammainc w.r.t. its first argument")
        gx = None
        if ctx.needs_input_grad[1]:
            gx = g * ((a - 1) * x.log() - x - a.lgamma()).exp()
        return ga, gx


def gammainc(a, x):
    """Regularized lower incomplete gamma function P(a, x) (``torch.special.gammainc``)."""
    a, x = broadcast_all(a, x)
    return _Gammainc.apply(a, x)


# ---- shared parameter set-up: probs/logits, total_count, delegated attributes ----------------
def _probs_or_logits(probs, logits):
    """("probs", probs) or ("logits", logits): exactly one must be given (ValueError as
    PyTorch's otherwise)."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    return ("probs", probs) if probs is not None else ("logits", logits)


def init_probs_or_logits(dist, probs, logits, param=True):
    """Set exactly one of ``probs``/``logits`` on ``dist`` as a tensor (Bernoulli, Geometric,
    LogitRelaxedBernoulli) and, with ``param``, keep it as ``dist._param``; returns the batch
    shape (``()`` for a Python number)."""
    name, value = _probs_or_logits(probs, logits)
    (tensor,) = broadcast_all(value)
    setattr(dist, name, tensor)
    if param:
        dist._param = tensor
    return Size() if isinstance(value, numbers.Number) else tensor.size()


def expand_probs_or_logits(dist, new, shape, param=True):
    """Copy whichever of ``probs``/``logits`` ``dist`` holds onto ``new``, expanded to ``shape``
    (and kept as ``new._param`` with ``param``)."""
    for name in ("probs", "logits"):
        if name in dist.__dict__:
            setattr(new, name, dist.__dict__[name].expand(shape))
            if param:
                new._param = new.__dict__[name]


def probs_logits_properties(is_binary=False):
    """The lazily computed ``logits`` and ``probs`` of a distribution given one of them: each is
    derived from the other on first access (sigmoid / log-odds when ``is_binary``, else softmax /
    log over the last dimension). Use as ``logits, probs = probs_logits_properties(True)``."""
    def logits(self):
        """Log-odds (``is_binary``) or normalised log-probabilities of the events."""
        return probs_to_logits(self.probs, is_binary=is_binary)

    def probs(self):
        """Probabilities of the events."""
        return logits_to_probs(self.logits, is_binary=is_binary)

    return lazy_property(logits), lazy_property(probs)


def delegated_property(holder, name, doc):
    """A read-only property that returns ``getattr(self.<holder>, name)``: a wrapper's view of a
    parameter of the distribution it wraps (``base_dist.scale``, ``_categorical.probs``)."""
    def get(self):
        return getattr(getattr(self, holder), name)
    get.__name__ = name
    return property(get, doc=doc)


def init_count_and_probs(dist, total_count, probs, logits):
    """Set ``total_count`` and exactly one of ``probs``/``logits`` on ``dist``, broadcast together
    (Binomial, NegativeBinomial); returns the parameter whose shape is the batch shape."""
    name, value = _probs_or_logits(probs, logits)
    count, param = broadcast_all(total_count, value)
    dist.total_count = count.type_as(param)
    setattr(dist, name, param)
    dist._param = param
    return param


def expand_count_and_probs(dist, new, batch_shape):
    """Copy ``dist``'s total_count and probs/logits onto ``new``, expanded to ``batch_shape``."""
    new.total_count = dist.total_count.expand(batch_shape)
    expand_probs_or_logits(dist, new, batch_shape)
