"""In-place arithmetic for the optimizers' hot paths, allocation-free.

Each helper updates a tensor's storage in place through its backend (``t._backend()``), using
one reusable scratch array per optimizer (``Workspace``) instead of temporaries, and bumps the
version counter like any in-place op. The arithmetic order follows PyTorch's kernels:
``add_``: t + alpha*x, ``lerp_``: t + w*(end - t), ``addcmul_``: t + (value*a)*b,
``addcdiv_``: t + (value*a)/b.
"""
from .._tensor import Tensor

__all__ = ["Workspace", "add_", "lerp_", "addcmul_", "addcdiv_", "sqrt_into"]


def _arr(x):
    return x._data if isinstance(x, Tensor) else x


class Workspace:
    """Scratch arrays reused across steps, one per (slot, dtype, array type), grown on demand."""
    __slots__ = ("_bufs",)

    def __init__(self):
        self._bufs = {}

    def get(self, like, slot=0):
        """A scratch array shaped like tensor ``like`` (contents undefined)."""
        a = like._data
        key = (slot, a.dtype, type(a))
        buf = self._bufs.get(key)
        if buf is None or buf.size < a.size:
            buf = self._bufs[key] = like._backend().empty(a.size, dtype=a.dtype)
        return buf[:a.size].reshape(a.shape)


def add_(t, x, alpha, ws):
    """t += alpha * x."""
    xp, d = t._backend(), t._data
    if alpha == 1:
        xp.add(d, _arr(x), out=d)
    else:
        s = ws.get(t)
        xp.multiply(_arr(x), alpha, out=s)
        xp.add(d, s, out=d)
    t._version[0] += 1
    return t


def lerp_(t, end, weight, ws):
    """t += weight * (end - t)  (``Tensor.lerp_`` with a scalar weight)."""
    xp, d, s = t._backend(), t._data, ws.get(t)
    xp.subtract(_arr(end), d, out=s)
    xp.multiply(s, weight, out=s)
    xp.add(d, s, out=d)
    t._version[0] += 1
    return t


def addcmul_(t, a, b, value, ws):
    """t += value * a * b."""
    xp, d, s = t._backend(), t._data, ws.get(t)
    xp.multiply(_arr(a), value, out=s)
    xp.multiply(s, _arr(b), out=s)
    xp.add(d, s, out=d)
    t._version[0] += 1
    return t


def addcdiv_(t, a, b, value, ws):
    """t += value * a / b."""
    xp, d, s = t._backend(), t._data, ws.get(t)
    xp.multiply(_arr(a), value, out=s)
    xp.divide(s, _arr(b), out=s)
    xp.add(d, s, out=d)
    t._version[0] += 1
    return t


def sqrt_into(src, out_arr, xp):
    """out_arr = sqrt(src) (an array result in scratch space)."""
    return xp.sqrt(_arr(src), out=out_arr)
