"""Vector norms: vector_norm (any order, with its derivative) and torch.norm."""
import math
import numbers

from .. import _dtype as D
from ..autograd.node import Op
from ._dims import wrap_dims
from ._operands import dtype_of
from ._inplace import handle_out, _cap
from .reduce import _restore
from ._registry import register
from .._tensor import Tensor
from .._checks import check_scalar_int



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


def _check_ord(ord):
    """``vector_norm``'s order read as PyTorch's Scalar: a real number or a 0-d tensor
    (TypeError otherwise, RuntimeError for a complex one, OverflowError past 64 bits)."""
    if isinstance(ord, Tensor) and ord.dim() == 0:
        ord = ord.item()
    if type(ord) is int:
        check_scalar_int(ord)
    if isinstance(ord, complex) or (isinstance(ord, numbers.Complex) and
                                    not isinstance(ord, numbers.Real)):
        raise RuntimeError("linalg.vector_norm: Expected a non-complex scalar as the order of "
                           "norm.")
    if not isinstance(ord, numbers.Real):
        name = "Tensor" if isinstance(ord, Tensor) else type(ord).__name__
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, "
                        f"not {name}")
    return ord


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The ``ord``-norm of ``x`` as a vector over ``dim`` (``torch.linalg.vector_norm``)."""
    if dtype is not None:
        x = x.to(D.to_dtype(dtype))
    ord = _check_ord(ord)
    _check_float(x, "linalg.vector_norm")
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
    if isinstance(p, str):
        if p == "fro" and (dim is None or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype, out=out)
        # the nuclear norm, or an order matrix_norm refuses (PyTorch's errors, in its order)
        dims = tuple(range(input.dim())) if dim is None else tuple(dim)
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if len(dims) != 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                               f"{' '.join(str(d) for d in dims)}")
        from .matrix_functions import matrix_norm  # lazy: matrix_functions imports us
        return handle_out(matrix_norm(input, p, dims, keepdim, dtype=dtype), out)
    return vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype=dtype, out=out)
