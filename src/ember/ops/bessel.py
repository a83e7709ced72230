"""Modified Bessel functions i0 and i1 (with derivatives) and the multivariate log-gamma mvlgamma."""
import math

from .._tensor import _wrap
from ..autograd.node import Op
from .._backend import special as _special
from ._inplace import handle_out, _cap
from .number_functions import _float
from ._registry import register
from .special_ops import i1



def _opmath(xp, x):
    """float16/bfloat16 compute in float32 and round once, as PyTorch does."""
    return x.astype(xp.float32) if x.dtype.itemsize == 2 else x


class I0(Op):
    save = (0,)

    def forward(ctx, x):
        return _special.i0(ctx.xp, _opmath(ctx.xp, x)).astype(x.dtype, copy=False)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * i1(x)


@register(inplace=True, inplace_function=True)
def i0(input, *, out=None):
    """Modified Bessel function of the first kind, order 0, elementwise (``torch.i0``)."""
    if input.dtype.is_complex:
        raise NotImplementedError(f"\"i0_vml_cpu\" not implemented for '{_cap(input.dtype)}'")
    return handle_out(I0.apply(_float(input)), out)


@register(inplace=True)
def mvlgamma(input, p, *, out=None):
    """Multivariate log-gamma of dimension ``p``: sum_j lgamma(x - j/2) + p(p-1)/4 log(pi)
    (``torch.mvlgamma``)."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = _float(input)
    j = _wrap(x._backend().arange(p, dtype=x._data.dtype) / 2)
    total = (x.unsqueeze(-1) - j).lgamma().sum(-1)
    return handle_out(total + p * (p - 1) / 4 * math.log(math.pi), out)
