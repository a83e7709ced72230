"""Elementwise number functions: deg2rad, rad2deg, gcd, lcm, ldexp, nextafter, frexp, renorm."""
import math

from .. import _dtype as D
from .._tensor import _wrap
from ..autograd.node import Op
from ._operands import promote, float_dtype_for, return_type, tensors_only
from ._inplace import handle_out, _cap
from .norms import vector_norm
from ._registry import register



_frexp_type = return_type("frexp", ["mantissa", "exponent"])


def _float(input):
    """Integer/bool tensors compute in the default float dtype."""
    dt = float_dtype_for(input.dtype)
    return input if dt is input.dtype else input.to(dt)


@register(inplace=True, inplace_function=True)
def deg2rad(input, *, out=None):
    """Degrees to radians, ``input * pi / 180`` (``torch.deg2rad``)."""
    return handle_out(_float(input) * (math.pi / 180.0), out)


@register(inplace=True, inplace_function=True)
def rad2deg(input, *, out=None):
    """Radians to degrees, ``input * 180 / pi`` (``torch.rad2deg``)."""
    return handle_out(_float(input) * (180.0 / math.pi), out)


def _integer_pair(name, input, other):
    (a, b), dt = promote(input, other)
    if dt._category != D._INT:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_cap(dt)}'")
    return a, b


@register(inplace=True, inplace_function=True)
def gcd(input, other, *, out=None):
    """Elementwise greatest common divisor of integer tensors (``torch.gcd``)."""
    a, b = _integer_pair("gcd", input, other)
    return handle_out(_wrap(a._backend().gcd(a._data, b._data)), out)


@register(inplace=True, inplace_function=True)
def lcm(input, other, *, out=None):
    """Elementwise least common multiple of integer tensors (``torch.lcm``)."""
    a, b = _integer_pair("lcm", input, other)
    return handle_out(_wrap(a._backend().lcm(a._data, b._data)), out)


@register(inplace=True, inplace_function=True)
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


@register(inplace=True)
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


@register
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


@register(inplace=True)
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
    d = dim % input.dim()
    dims = tuple(i for i in range(input.dim()) if i != d)
    norm = vector_norm(input, p, dims, keepdim=True)
    factor = (maxnorm / (norm + 1e-7)).where(norm > maxnorm, 1.0)
    return handle_out(input * factor, out)
