"""Operands of ops: dtypes of tensors and Python scalars, scalar tensors, promotion, device checks,
result tuples."""
from collections import namedtuple

from .. import _backend as B, _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd.node import _same_device
from .._backend.quiet import quiet
from .._checks import check_fits
from .creation import tensor
from .._checks import check_scalar_int


_NP_TO_DTYPE = D._BY_NP


def dtype_of(x):
    return _NP_TO_DTYPE[x._data.dtype]


def is_scalar(x):
    return isinstance(x, B.SCALAR_TYPES) and not isinstance(x, Tensor)


@quiet  # a Python float that overflows the dtype becomes inf silently, as in PyTorch
def scalar_tensor(value, dtype, like):
    """A 0-d tensor holding Python scalar ``value`` with ``dtype`` on ``like``'s device."""
    xp = like._backend()
    if isinstance(value, B.HOST_SCALAR):
        value = value.item()
    if type(value) is int and not -0x8000000000000000 <= value <= 0xFFFFFFFFFFFFFFFF:
        check_scalar_int(value)  # PyTorch reads a Scalar in 64 bits: OverflowError past them
    if dtype._category < D._FLOAT and isinstance(value, float):
        value = int(value)
    if type(value) is int and dtype._category == D._INT:  # PyTorch's RuntimeError, not NumPy's
        value = check_fits(value, dtype)
    return _wrap(xp.asarray(value, dtype=dtype.np))


def to_tensor(x, like=None):
    """Accept a Tensor, Python scalar, list or array as a Tensor (no copy for Tensors)."""
    if isinstance(x, Tensor):
        return x
    dev = like.device if like is not None else None
    return tensor(x, device=dev)


def return_type(name, fields):
    """A named tuple printed like PyTorch's ``torch.return_types.<name>``."""
    base = namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{name}(\n{body})"
    return type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__str__": __repr__})


def named(result, name):
    """Give the graph node just made for ``result`` PyTorch's name (``MeanBackward0``...), for
    ops written as compositions; only call it on a result this op created."""
    fn = result.grad_fn
    if fn is not None:
        fn._name = name
    return result


def as_operand(x):
    """A NumPy array operand becomes a tensor of its dtype (PyTorch accepts ``t + array``)."""
    return _wrap(x) if type(x) is B.HOST_ARRAY else x


def tensors_only(name, input, other, argname="other"):
    """PyTorch's TypeError for ops whose operands must both be tensors."""
    for pos, (x, n) in enumerate(((input, "input"), (other, argname)), 1):
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}(): argument '{n}' (position {pos}) must be Tensor, not "
                            f"{type(x).__name__}")


def check_same_device(*tensors):
    first = None
    for t in tensors:
        if isinstance(t, Tensor):
            d = t.is_cpu
            if first is None:
                first = (d, t)
            elif first[0] != d:
                raise RuntimeError("Expected all tensors to be on the same device, but found at "
                                   f"least two devices, {first[1].device} and {t.device}!")


def promote(*operands, compute_dtype=None):
    """Convert operands (Tensors or scalars) to Tensors of one dtype, PyTorch's promotion."""
    dt = compute_dtype or D.result_type(*operands)
    like = next(x for x in operands if isinstance(x, Tensor))
    out = []
    for x in operands:
        if isinstance(x, Tensor):
            if x._data.dtype != dt.np:
                x = x.to(dt)
            out.append(x)
        elif x is None:
            out.append(None)
        else:
            out.append(scalar_tensor(x, dt, like))
    if len(out) > 1:
        kind = type(like._data)
        for x in out:
            if x is not None and type(x._data) is not kind:
                out = list(_same_device(out))  # raises, or moves 0-d cpu tensors over
                break
    return out, dt


def float_dtype_for(dt):
    """Integer and bool inputs of float-only ops compute in the default float dtype."""
    return dt if dt._category >= D._FLOAT else D.get_default_dtype()
