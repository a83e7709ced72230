"""Smaller math functions PyTorch has at top level: angle conversion, integer gcd/lcm, float
bit manipulation (ldexp, nextafter, frexp), Bessel i0, mvlgamma, renorm, dist, cov, corrcoef.

Most are composites of existing ops (their derivatives come for free); ``I0`` is an ``Op``.
"""
import math

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd.node import Op
from .._backend import special as _special
from ._helpers import promote, handle_out, float_dtype_for, return_type, tensors_only, _cap

__all__ = ["deg2rad", "rad2deg", "gcd", "lcm", "ldexp", "nextafter", "frexp", "i0", "mvlgamma",
           "renorm", "dist", "cov", "corrcoef"]
_FUNCTIONS_ONLY = ()

_frexp_type = return_type("frexp", ["mantissa", "exponent"])


def _float(input):
    """Integer/bool tensors compute in the default float dtype."""
    dt = float_dtype_for(input.dtype)
    return input if dt is input.dtype else input.to(dt)


def deg2rad(input, *, out=None):
    """Degrees to radians, ``input * pi / 180`` (``torch.deg2rad``)."""
    return handle_out(_float(input) * (math.pi / 180.0), out)


def rad2deg(input, *, out=None):
    """Radians to degrees, ``input * 180 / pi`` (``torch.rad2deg``)."""
    return handle_out(_float(input) * (180.0 / math.pi), out)


def _integer_pair(name, input, other):
    (a, b), dt = promote(input, other)
    if dt._category != D._INT:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_cap(dt)}'")
    return a, b


def gcd(input, other, *, out=None):
    """Elementwise greatest common divisor of integer tensors (``torch.gcd``)."""
    a, b = _integer_pair("gcd", input, other)
    return handle_out(_wrap(a._backend().gcd(a._data, b._data)), out)


def lcm(input, other, *, out=None):
    """Elementwise least common multiple of integer tensors (``torch.lcm``)."""
    a, b = _integer_pair("lcm", input, other)
    return handle_out(_wrap(a._backend().lcm(a._data, b._data)), out)


def ldexp(input, other, *, out=None):
    """``input * 2 ** other``; integer inputs give the default float (``torch.ldexp``)."""
    tensors_only("ldexp", input, other)
    x = _float(input)
    return handle_out(x * other.to(x.dtype).exp2(), out)


class Nextafter(Op):
    def forward(ctx, a, b):
        return ctx.xp.nextafter(a, b)

    def backward(ctx, g):  # PyTorch's convention: identity for input, zero for other
        return g, (g * 0 if ctx.needs_input_grad[1] else None)


def nextafter(input, other, *, out=None):
    """The next float after ``input`` towards ``other``, elementwise (``torch.nextafter``)."""
    (a, b), dt = promote(input, other)
    if dt._category != D._FLOAT:
        raise NotImplementedError(f"\"nextafter_cpu\" not implemented for '{_cap(dt)}'")
    return handle_out(Nextafter.apply(a, b), out)


class Frexp(Op):
    """Mantissa of ``frexp``; its derivative is ``g / 2 ** exponent``."""
    def forward(ctx, x):
        m, e = ctx.xp.frexp(x)
        ctx.exponent = e
        return m

    def backward(ctx, g):
        return g / _wrap(ctx.xp.ldexp(ctx.xp.ones((), g._data.dtype), ctx.exponent))


def frexp(input, *, out=None):
    """Split floats into mantissa in [0.5, 1) and int32 exponent (``torch.frexp``)."""
    if not input.dtype.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    xp = input._backend()
    e = xp.frexp(input._data)[1].astype(xp.int32)
    result = _frexp_type(Frexp.apply(input), _wrap(e))
    if out is not None:
        handle_out(result[0], out[0])
        handle_out(result[1], out[1])
        return _frexp_type(*out)
    return result


def _opmath(xp, x):
    """float16/bfloat16 compute in float32 and round once, as PyTorch does."""
    return x.astype(xp.float32) if x.dtype.itemsize == 2 else x


class I0(Op):
    save = (0,)

    def forward(ctx, x):
        return _special.i0(ctx.xp, _opmath(ctx.xp, x)).astype(x.dtype, copy=False)

    def backward(ctx, g):
        from .special_ops import i1
        (x,) = ctx.saved_tensors
        return g * i1(x)


def i0(input, *, out=None):
    """Modified Bessel function of the first kind, order 0, elementwise (``torch.i0``)."""
    if input.dtype.is_complex:
        raise NotImplementedError(f"\"i0_vml_cpu\" not implemented for '{_cap(input.dtype)}'")
    return handle_out(I0.apply(_float(input)), out)


def mvlgamma(input, p, *, out=None):
    """Multivariate log-gamma of dimension ``p``: sum_j lgamma(x - j/2) + p(p-1)/4 log(pi)
    (``torch.mvlgamma``)."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = _float(input)
    j = _wrap(x._backend().arange(p, dtype=x._data.dtype) / 2)
    total = (x.unsqueeze(-1) - j).lgamma().sum(-1)
    return handle_out(total + p * (p - 1) / 4 * math.log(math.pi), out)


def renorm(input, p, dim, maxnorm, *, out=None):
    """Rescale each slice along ``dim`` whose p-norm exceeds ``maxnorm`` to norm ``maxnorm``
    (``torch.renorm``)."""
    if input.dim() < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.dim()} "
                           "dimensions")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    from .. import linalg
    d = dim % input.dim()
    dims = tuple(i for i in range(input.dim()) if i != d)
    norm = linalg.vector_norm(input, p, dims, keepdim=True)
    factor = (maxnorm / (norm + 1e-7)).where(norm > maxnorm, 1.0)
    return handle_out(input * factor, out)


def dist(input, other, p=2):
    """p-norm of ``input - other`` (broadcast), as a 0-d tensor (``torch.dist``)."""
    from .. import linalg
    diff = input - other
    if not (diff.dtype.is_floating_point or diff.dtype.is_complex):
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {_cap(diff.dtype)} instead.")
    return linalg.vector_norm(diff, p)


def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance matrix of the variables in the rows of ``input`` (observations in columns),
    with optional integer frequency and float observation weights (``torch.cov``)."""
    if input.dim() > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.dim()} dimensions")
    x = input if input.dim() == 2 else input.reshape(1, -1)
    n = x.shape[1]
    w = None
    if fweights is not None:
        _check_weights("fweights", fweights, n)
        if fweights.dtype._category != D._INT:
            raise RuntimeError("cov(): expected fweights to have integral dtype but got fweights "
                               f"with {_cap(fweights.dtype)} dtype")
        if bool((fweights < 0).any()):
            raise RuntimeError("cov(): fweights cannot be negative")
        w = fweights
    if aweights is not None:
        _check_weights("aweights", aweights, n)
        if not aweights.dtype.is_floating_point:
            raise RuntimeError("cov(): expected aweights to have floating point dtype but got "
                               f"aweights with {_cap(aweights.dtype)} dtype")
        if bool((aweights < 0).any()):
            raise RuntimeError("cov(): aweights cannot be negative")
        w = aweights if w is None else w * aweights
    x = _float(x) if not x.dtype.is_complex else x
    if w is None:
        w_sum = float(n)
        avg = x.mean(1)
    else:
        w = w.to(x.dtype) if not x.dtype.is_complex else w.to(D.float64 if x.dtype is D.complex128
                                                               else D.float32)
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
    if w is None:
        norm = w_sum - correction
    elif correction == 0:
        norm = w_sum
    elif aweights is None:
        norm = w_sum - correction
    else:
        norm = w_sum - correction * (w * aweights.to(w.dtype)).sum() / w_sum
    if (float(norm) if isinstance(norm, Tensor) else norm) <= 0:
        import warnings
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm = norm * 0 if isinstance(norm, Tensor) else 0.0
    xm = x - avg.unsqueeze(1)
    xw = xm if w is None else xm * w
    c = xw @ xm.transpose(0, 1).conj()
    c = c / norm
    return c.squeeze() if input.dim() < 2 or c.shape[0] == 1 else c


def _check_weights(name, w, n):
    if w.dim() > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                           f"{name} with {w.dim()} dimensions")
    if w.numel() != n:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                           f"observations in the input but got {w.numel()} != {n}")


def corrcoef(input):
    """Pearson correlation coefficients of the rows of ``input`` (``torch.corrcoef``),
    clipped to [-1, 1]."""
    if input.dim() > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.dim()} dimensions")
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = c.diagonal()
    s = d.sqrt() if not d.dtype.is_complex else d.real.sqrt()
    c = c / s.unsqueeze(1) / s.unsqueeze(0)
    if c.dtype.is_complex:
        return c
    return c.clamp(-1, 1)
