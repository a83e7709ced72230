"""Running operations along a dimension: diff and logcumsumexp."""

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.node import Op
from ._dims import wrap_dim
from ._operands import dtype_of
from ._inplace import handle_out, _cap
from ._registry import register
from .joining import cat



# ---- diff, logcumsumexp --------------------------------------------------------------------
@register
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim`` (``torch.diff``); bool inputs use xor."""
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    d = wrap_dim(dim, input.dim())
    if prepend is not None or append is not None:
        parts = [t for t in (prepend, input, append) if t is not None]
        input = cat([t if isinstance(t, Tensor) else input.new_tensor(t).expand(
            tuple(1 if i == d else s for i, s in enumerate(input.shape))) for t in parts], d)
    x = input
    for _ in range(n):
        m = x.shape[d]
        if m == 0:
            break
        a, b = x.narrow(d, 1, m - 1), x.narrow(d, 0, m - 1)
        x = a.logical_xor(b) if x.dtype is D.bool_ else a - b
    return x


class LogCumSumExp(Op):
    save = (0, "out")

    def forward(ctx, x, d):
        ctx.d = d
        return ctx.xp.logaddexp.accumulate(x, axis=d) if x.size else x.copy()

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        d = ctx.d

        def rev(z):
            return z.flip(d).logcumsumexp(d).flip(d)

        def log_part(gg):  # log(gg) where gg > 0, else a finite stand-in for -inf (keeps
            # the double backward free of inf - inf)
            return gg.where(gg > 0, 1.0).log().masked_fill(gg <= 0, -1e30)
        return (rev(log_part(g) - y) + x).exp() - (rev(log_part(-g) - y) + x).exp()


@register
def logcumsumexp(input, dim, *, out=None):
    """log(cumsum(exp(input))) along ``dim``, computed stably (``torch.logcumsumexp``)."""
    if dtype_of(input)._category < D._FLOAT:
        raise RuntimeError(f"\"logcumsumexp_out_cpu\" not implemented for "
                           f"'{_cap(dtype_of(input))}'")
    d = wrap_dim(dim, input.dim())
    if input.dim() == 0:
        return handle_out(input.clone(), out)
    return handle_out(LogCumSumExp.apply(input, d=d), out)
