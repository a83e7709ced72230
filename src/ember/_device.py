"""Devices and their array backends: NumPy for ``cpu``, CuPy for ``cuda`` (imported lazily)."""
import numpy as np

__all__ = ["device", "backend_of", "backend_for"]


class device:
    """Where a tensor lives, like ``torch.device('cpu')`` or ``torch.device('cuda', 0)``."""
    __slots__ = ("type", "index")

    def __init__(self, type_or_str, index=None):
        if isinstance(type_or_str, device):
            self.type, self.index = type_or_str.type, type_or_str.index
            return
        if isinstance(type_or_str, int):
            type_or_str, index = "cuda", type_or_str
        if isinstance(index, int) and index < 0:
            raise RuntimeError("Device index must not be negative")
        if not isinstance(type_or_str, str):
            raise TypeError(f"device() received an invalid combination of arguments: {type_or_str!r}")
        kind, _, idx = type_or_str.partition(":")
        if kind not in ("cpu", "cuda", "meta"):
            raise RuntimeError(f"Expected one of cpu, cuda, meta device type at start of device "
                               f"string: {type_or_str}")
        if idx:
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type_or_str}'")
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type_or_str}")
            index = int(idx)
        self.type, self.index = kind, index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")
_cupy = None


def _import_cupy():
    global _cupy
    if _cupy is None:
        try:
            import cupy
        except ImportError:
            raise RuntimeError("Torch not compiled with CUDA enabled: ember's cuda device needs "
                               "CuPy (pip install ember[gpu]) and an NVIDIA GPU") from None
        _cupy = cupy
    return _cupy


def cuda_available():
    """True when CuPy imports and sees at least one GPU."""
    try:
        return _import_cupy().cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def backend_of(array):
    """The array module (numpy or cupy) that owns ``array``."""
    if isinstance(array, np.ndarray):
        return np
    return _import_cupy() if _cupy is None or not isinstance(array, np.ndarray) else np


def backend_for(dev):
    """The array module for device ``dev``."""
    return np if dev.type == "cpu" else _import_cupy()


def device_of(array):
    if isinstance(array, np.ndarray):
        return CPU
    return device("cuda", int(array.device.id))


def to_device(d):
    """Normalise a device argument (str, int, device or None)."""
    if d is None:
        return CPU
    if type(d) is device:
        if d.type == "cuda" and d.index is None:
            return device("cuda", 0)
        return d
    return to_device(device(d))
