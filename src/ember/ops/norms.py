"""Vector norms: vector_norm (any order, with its derivative) and torch.norm."""
import math

from .. import _dtype as D
from ..autograd.node import Op
from ._dims import wrap_dims
from ._operands import dtype_of
from ._inplace import handle_out, _cap
from .reduce import _restore
from ._registry import register



class VectorNorm(Op):
    """(sum |x|^p)^(1/p) over ``dims``; p = inf/-inf is max/min |x|, p = 0 counts nonzeros.

    The derivative is g * sign(x) |x|^(p-1) / norm^(p-1), zero where the norm is zero
    (PyTorch's subgradient); for inf-norms it is shared among the tied extreme entries.
    """
    save = (0, "out")

    def forward(ctx, x, ord, dims, keepdim):
        ctx.args = (x.shape, dims, keepdim)
        ctx.ord = ord
        xp = ctx.xp
        a = xp.abs(x)
        if ord == math.inf or ord == -math.inf:
            if x.size == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an "
                                   "empty tensor because the operation does not have an identity")
            return (xp.max if ord > 0 else xp.min)(a, axis=dims, keepdims=keepdim)
        if ord == 0:
            return xp.sum(a != 0, axis=dims, keepdims=keepdim).astype(x.dtype)
        if ord == 1:
            return xp.sum(a, axis=dims, keepdims=keepdim)
        if ord == 2:
            return xp.sqrt(xp.sum(a * a, axis=dims, keepdims=keepdim))
        return xp.sum(a ** ord, axis=dims, keepdims=keepdim) ** (1.0 / ord)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        shape, dims, keepdim = ctx.args
        p = ctx.ord
        g = _restore(g, shape, dims, keepdim)
        y = _restore(y, shape, dims, keepdim)
        if p == 0:
            return g * 0 * x
        if p == 1:
            return g * x.sign()
        if p == 2:
            if not bool((y._data == 0).any()):
                return g * (x / y)
            return (g * x / y.masked_fill(y == 0, 1.0)).masked_fill(y == 0, 0.0)
        if p == math.inf or p == -math.inf:
            mask = (x.abs() == y).to(g.dtype)
            return g * x.sign() * mask / mask.sum(dims, keepdim=True)
        ax = x.abs()
        zero = (y == 0) | (ax == 0)
        ratio = (ax / y.masked_fill(zero, 1.0)).masked_fill(zero, 0.0)
        return g * x.sign() * ratio.pow(p - 1)


def _check_float(input, fname):
    if dtype_of(input)._category < D._FLOAT:
        raise RuntimeError(f"{fname}: Expected a floating point or complex tensor as input. "
                           f"Got {_cap(dtype_of(input))}")


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The ``ord``-norm of ``x`` as a vector over ``dim`` (``torch.linalg.vector_norm``)."""
    if dtype is not None:
        x = x.to(D.to_dtype(dtype))
    _check_float(x, "linalg.vector_norm")
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, but got {ord}")
    if x.is_complex():
        x = x.abs()
    dims = wrap_dims(dim, x._data.ndim)
    if x._data.ndim == 0:
        dims = ()
    return handle_out(VectorNorm.apply(x, ord=float(ord), dims=dims, keepdim=keepdim), out)


@register
def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """Matrix or vector norm (``torch.norm``): 'fro' / numbers are vector norms over ``dim``
    (all elements if None), 'nuc' is the nuclear norm of the matrices in ``dim``."""
    if isinstance(dim, int):
        dim = (dim,)
    if p == "nuc":
        from .matrix_functions import matrix_norm  # lazy: import cycle (matrix_functions imports norms at its top)
        dims = (-2, -1) if dim is None else dim
        return handle_out(matrix_norm(input, "nuc", dims, keepdim, dtype=dtype), out)
    if p == "fro" or p is None:
        if dim is not None and len(dim) > 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {list(dim)}")
        p = 2
    elif isinstance(p, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, but got {p}")
    return vector_norm(input, p, dim, keepdim, dtype=dtype, out=out)
