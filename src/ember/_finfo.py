"""``finfo``/``iinfo``: numeric limits of Ember's dtypes, as ``torch.finfo``/``torch.iinfo``."""
import math

import numpy as np

from . import _dtype as D

__all__ = ["finfo", "iinfo", "can_cast"]


def bfloat16_finfo():
    """NumPy-style finfo of bfloat16 (from ml_dtypes, imported on first use)."""
    import ml_dtypes
    return ml_dtypes.finfo(D.bfloat16.np)


class finfo:
    """Limits of a floating dtype (the real part's for complex): eps, max, min, tiny, bits..."""
    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")

    def __init__(self, type=None):
        dt = D.get_default_dtype() if type is None else D.to_dtype(type)
        if not (dt.is_floating_point or dt.is_complex):
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo "
                            "to handle 'torch.finfo'")
        real = dt.to_real()
        info = bfloat16_finfo() if real is D.bfloat16 else np.finfo(real.np)
        self.bits = real.itemsize * 8
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -math.floor(-math.log10(self.eps))
        self.dtype = real.name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype: bits, min, max."""
    __slots__ = ("bits", "max", "min", "dtype")

    def __init__(self, type):
        dt = D.to_dtype(type)
        if dt._category != D._INT:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        info = np.iinfo(dt.np)
        self.bits, self.max, self.min, self.dtype = dt.itemsize * 8, int(info.max), int(info.min), \
            dt.name

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


def can_cast(from_, to):
    """Whether PyTorch's type promotion allows casting ``from_`` to ``to`` (``torch.can_cast``):
    never to a lower category (complex > floating > integer > bool)."""
    return D.can_cast(from_, to)
