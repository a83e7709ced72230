"""``ember.accelerator``: the one accelerator Ember can drive (CUDA through CuPy), if present.

Mirrors ``torch.accelerator``; every answer agrees with ``ember.cuda``.
"""
from . import cuda
from ._device import device

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "current_device_idx", "set_device_index", "set_device_idx", "synchronize"]


def is_available():
    """True when an accelerator (a CuPy-visible GPU) can be used (``torch.accelerator.is_available``)."""
    return cuda.is_available()


def current_accelerator(check_available=False):
    """The accelerator device type as ``device('cuda')``, or None when there is none
    (``torch.accelerator.current_accelerator``)."""
    return device("cuda") if cuda.is_available() else None


def device_count():
    """How many accelerator devices are visible; 0 without one (``torch.accelerator.device_count``)."""
    return cuda.device_count()


def current_device_index():
    """Index of the current accelerator device (``torch.accelerator.current_device_index``);
    RuntimeError when there is no accelerator."""
    if not cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")
    return cuda.current_device()


current_device_idx = current_device_index


def set_device_index(device):
    """Make accelerator device ``device`` current (``torch.accelerator.set_device_index``)."""
    if not cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")
    cuda.set_device(device.index if hasattr(device, "index") else int(device))


set_device_idx = set_device_index


def synchronize(device=None):
    """Wait for all work queued on the accelerator (``torch.accelerator.synchronize``)."""
    cuda.synchronize(device)
