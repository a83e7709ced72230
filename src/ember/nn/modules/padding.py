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


_DOCS = {"ZeroPad": (_ZeroPadNd, "constant", "Pads the last {} dim(s) with zeros."),
         "ConstantPad": (_ConstantPadNd, "constant", "Pads the last {} dim(s) with ``value``."),
         "ReflectionPad": (_ModePadNd, "reflect", "Pads the last {} dim(s) by reflecting the "
                           "input at its edges (edge not repeated)."),
         "ReplicationPad": (_ModePadNd, "replicate", "Pads the last {} dim(s) by repeating the "
                            "edge values."),
         "CircularPad": (_ModePadNd, "circular", "Pads the last {} dim(s) by wrapping around.")}

for _kind, (_base, _mode, _doc) in _DOCS.items():
    for _nd in (1, 2, 3):
        _name = f"{_kind}{_nd}d"
        globals()[_name] = type(_name, (_base,), {"_nd": _nd, "mode": _mode,
                                                  "__doc__": _doc.format(_nd),
                                                  "__module__": __name__,
                                                  "__qualname__": _name})
