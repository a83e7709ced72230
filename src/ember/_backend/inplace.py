"""Unrecorded in-place arithmetic (optimizer updates, no-grad ``add_``...), allocation-free.

Each helper updates a tensor's storage in place through its backend (``t._backend()``), using
one reusable scratch array per optimizer (``Workspace``) instead of temporaries, and bumps the
version counter like any in-place op. The arithmetic order follows PyTorch's kernels:
``add_``: t + alpha*x (alpha in t's dtype), ``lerp_``: t + w*(end - t) (or end - (end - t)*(1 - w) for
w >= 0.5), ``addcmul_``: t + (value*a)*b, ``addcdiv_``: t + (value*a)/b. For float16 and
bfloat16 tensors the scratch is float32, so, as in PyTorch's kernels, each helper computes
in float32 with float32 scalars and rounds once into the tensor.
"""
__all__ = ["bump_version", "Workspace", "div_scalar", "mul_", "add_", "lerp_", "addcmul_",
           "addcdiv_", "binary_ufunc_"]


def bump_version(t):
    """Mark ``t`` as written in place: its version counter (shared with its views) goes up.

    The one place a version is bumped; saved tensors compare against it in backward."""
    t._version[0] += 1
    return t


def _low(a):
    return a.dtype.itemsize == 2 and a.dtype.kind in "fV"


def div_scalar(xp, a, c, out):
    """out = a / c for a Python scalar ``c``, which stays float32 for float16/bfloat16 data
    (NumPy would round it to the array's dtype first; PyTorch does not)."""
    if _low(out):
        return xp.divide(a, c, out=out, dtype=xp.float32, casting="unsafe")
    return xp.divide(a, c, out=out)


def _arr(x):
    return getattr(x, "_data", x)  # a tensor's array, or a scalar / array as it is


class Workspace:
    """Scratch arrays reused across steps, one per (slot, dtype, array type), grown on demand."""
    __slots__ = ("_bufs",)

    def __init__(self):
        self._bufs = {}

    def get(self, like, slot=0, exact=False):
        """A scratch array shaped like tensor ``like`` (contents undefined), in its compute
        dtype (float32 for float16/bfloat16), or in ``like``'s own dtype when ``exact``."""
        a = like._data
        xp = like._backend()
        dt = xp.dtype(xp.float32) if not exact and _low(a) else a.dtype
        key = (slot, dt, type(a))
        buf = self._bufs.get(key)
        if buf is None or buf.size < a.size:
            buf = self._bufs[key] = xp.empty(a.size, dtype=dt)
        return buf[:a.size].reshape(a.shape)


def mul_(t, c, ws):
    """t *= c for a Python scalar ``c`` (kept in float32 for float16/bfloat16 tensors)."""
    xp, d = t._backend(), t._data
    if d.dtype.itemsize > 2:
        xp.multiply(d, c, out=d)
    else:
        s = ws.get(t)
        xp.multiply(d, c, out=s, dtype=s.dtype)
        xp.copyto(d, s, casting="unsafe")
    return bump_version(t)


def add_(t, x, alpha, ws):
    """t += alpha * x."""
    xp, d = t._backend(), t._data
    if alpha == 1 and d.dtype.itemsize > 2:
        xp.add(d, _arr(x), out=d)
    else:
        s = ws.get(t)
        if s.dtype != d.dtype:  # PyTorch rounds alpha to the tensor's dtype first
            alpha = float(xp.asarray(alpha, dtype=d.dtype))
        xp.multiply(_arr(x), alpha, out=s, dtype=s.dtype)
        xp.add(d, s, out=d, casting="unsafe")
    return bump_version(t)


def lerp_(t, end, weight, ws):
    """t = lerp(t, end, weight) in place (``Tensor.lerp_`` with a scalar weight)."""
    xp, d, s = t._backend(), t._data, ws.get(t)
    e = _arr(end)
    xp.subtract(e, d, out=s, dtype=s.dtype)
    if weight < 0.5:
        xp.multiply(s, weight, out=s)
        xp.add(d, s, out=d, casting="unsafe")
    else:
        xp.multiply(s, 1 - weight, out=s)
        xp.subtract(e, s, out=d, casting="unsafe")
    return bump_version(t)


def addcmul_(t, a, b, value, ws):
    """t += value * a * b."""
    xp, d, s = t._backend(), t._data, ws.get(t)
    xp.multiply(_arr(a), value, out=s, dtype=s.dtype)
    xp.multiply(s, _arr(b), out=s)
    xp.add(d, s, out=d, casting="unsafe")
    return bump_version(t)


def addcdiv_(t, a, b, value, ws):
    """t += value * a / b."""
    xp, d, s = t._backend(), t._data, ws.get(t)
    xp.multiply(_arr(a), value, out=s, dtype=s.dtype)
    xp.divide(s, _arr(b), out=s)
    xp.add(d, s, out=d, casting="unsafe")
    return bump_version(t)


def binary_ufunc_(t, ufunc_name, other):
    """t <op>= other with NumPy's/CuPy's ufunc writing straight into ``t``'s storage.

    For the no-grad ``add_``/``sub_``/``mul_``/``div_`` of a float32/float64/complex tensor
    with a same-dtype tensor or a Python number. Returns False (nothing written) when the
    operands need PyTorch's general path (other dtypes, half precision's float32 opmath,
    overlapping or read-only memory, shapes that do not broadcast into ``t``).
    """
    d = t._data
    if 0 in d.strides or d.dtype.kind not in "fc" or d.dtype.itemsize <= 2:
        return False
    if type(other) is float or (type(other) is int and -(1 << 63) <= other < (1 << 64)):
        o = other  # (an int past 64 bits takes the general path: PyTorch's OverflowError)
    else:
        o = getattr(other, "_data", None)
        if o is None or o.dtype != d.dtype or type(o) is not type(d):  # other device: general path
            return False
    try:  # unguarded: NumPy's warnings from Ember's modules are filtered (quiet.py)
        getattr(t._backend(), ufunc_name)(d, o, out=d)
    except ValueError:
        return False
    except RuntimeWarning:  # the user's filters made it an error; the result is already written
        pass
    bump_version(t)
    return True
