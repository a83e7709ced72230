"""Devices and their array backends: NumPy for ``cpu``, CuPy for ``cuda`` (imported lazily)."""
import os

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
_n_devices = None
_cupy_missing = False
# PyTorch's AssertionError text on a build without CUDA, then what Ember needs for it
_NO_CUDA = ("Torch not compiled with CUDA enabled (ember's cuda device needs CuPy, "
            "pip install ember[gpu], and an NVIDIA GPU)")


def _import_cupy():
    """The cuda array module: CuPy, or ember.testing's strict stand-in when it is switched on
    (``EMBER_STANDIN_CUDA=1`` or ``ember.testing.use_standin_cuda()``)."""
    global _cupy, _cupy_missing
    if _cupy is None:
        if os.environ.get("EMBER_STANDIN_CUDA", "") not in ("", "0"):
            from .testing import standin_cupy  # bottom layer: it imports only NumPy
            _cupy = standin_cupy
            return _cupy
        if _cupy_missing:
            raise AssertionError(_NO_CUDA)
        try:
            import cupy
        except ImportError:
            _cupy_missing = True  # do not search the path again on every is_available()
            raise AssertionError(_NO_CUDA) from None
        _cupy = cupy
    return _cupy


def _set_cuda_module(module):
    """Install ``module`` as the cuda array module (None: import CuPy again on next use);
    returns the previous one. Used by ``ember.testing.use_standin_cuda``."""
    global _cupy, _n_devices, _cupy_missing
    old, _cupy, _n_devices, _cupy_missing = _cupy, module, None, False
    return old


def cuda_available():
    """True when CuPy (or the stand-in) imports and sees at least one GPU."""
    try:
        return _import_cupy().cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def backend_of(array):
    """The array module (numpy or cupy) that owns ``array``."""
    if isinstance(array, np.ndarray) or isinstance(array, np.generic):
        return np
    return _import_cupy()


def backend_for(dev):
    """The array module for device ``dev``; RuntimeError for a cuda device that is not there."""
    if dev.type == "cpu":
        return np
    if dev.type == "meta":
        raise NotImplementedError("ember has no meta device backend")
    xp = _import_cupy()
    if dev.index:  # cuda:0 always exists once the module imports
        global _n_devices
        if _n_devices is None:
            _n_devices = xp.cuda.runtime.getDeviceCount()
        if dev.index >= _n_devices:
            raise RuntimeError("CUDA error: invalid device ordinal")
    return xp


def device_of(array):
    """The ``ember.device`` an array lives on."""
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
