"""Padding layers: Zero/Constant/Reflection/Replication/Circular padding, 1-d to 3-d."""
from ..module import Module
from .._functional.vision import pad as _pad

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]


class _PadNd(Module):
    _nd = 2
    mode = "constant"

    def __init__(self, padding, value=0.0):
        super().__init__()
        n = 2 * self._nd
        self.padding = tuple(padding) if isinstance(padding, (list, tuple)) else (padding,) * n
        if len(self.padding) != n:
            raise ValueError(f"expected padding of length {n}, got {len(self.padding)}")
        self.value = value

    def extra_repr(self):
        if self.mode == "constant":
            return f"padding={self.padding}, value={self.value}"
        return f"{self.padding}"

    def forward(self, input):
        if self.mode == "constant":
            return _pad(input, self.padding, "constant", self.value)
        return _pad(input, self.padding, self.mode)


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding, value)


class _ZeroPadNd(_PadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class _ModePadNd(_PadNd):
    def __init__(self, padding):
        super().__init__(padding)


class ZeroPad1d(_ZeroPadNd):
    """Pads the last dim with zeros."""
    _nd = 1
    mode = "constant"


class ZeroPad2d(_ZeroPadNd):
    """Pads the last 2 dims with zeros."""
    _nd = 2
    mode = "constant"


class ZeroPad3d(_ZeroPadNd):
    """Pads the last 3 dims with zeros."""
    _nd = 3
    mode = "constant"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim with a constant ``value``."""
    _nd = 1
    mode = "constant"


class ConstantPad2d(_ConstantPadNd):
    """Pads the last 2 dims with a constant ``value``."""
    _nd = 2
    mode = "constant"


class ConstantPad3d(_ConstantPadNd):
    """Pads the last 3 dims with a constant ``value``."""
    _nd = 3
    mode = "constant"


class ReflectionPad1d(_ModePadNd):
    """Pads the last dim by reflecting the input at its edges (edge not repeated)."""
    _nd = 1
    mode = "reflect"


class ReflectionPad2d(_ModePadNd):
    """Pads the last 2 dims by reflecting the input at its edges (edge not repeated)."""
    _nd = 2
    mode = "reflect"


class ReflectionPad3d(_ModePadNd):
    """Pads the last 3 dims by reflecting the input at its edges (edge not repeated)."""
    _nd = 3
    mode = "reflect"


class ReplicationPad1d(_ModePadNd):
    """Pads the last dim by repeating the edge values."""
    _nd = 1
    mode = "replicate"


class ReplicationPad2d(_ModePadNd):
    """Pads the last 2 dims by repeating the edge values."""
    _nd = 2
    mode = "replicate"


class ReplicationPad3d(_ModePadNd):
    """Pads the last 3 dims by repeating the edge values."""
    _nd = 3
    mode = "replicate"


class CircularPad1d(_ModePadNd):
    """Pads the last dim by wrapping around (circular)."""
    _nd = 1
    mode = "circular"


class CircularPad2d(_ModePadNd):
    """Pads the last 2 dims by wrapping around (circular)."""
    _nd = 2
    mode = "circular"


class CircularPad3d(_ModePadNd):
    """Pads the last 3 dims by wrapping around (circular)."""
    _nd = 3
    mode = "circular"
