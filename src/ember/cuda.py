"""``ember.cuda``: GPU availability (CuPy backend)."""
from ._device import cuda_available

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all", "synchronize"]


def is_available():
    """True when CuPy is installed and a GPU is visible."""
    return cuda_available()


def device_count():
    if not is_available():
        return 0
    import cupy
    return cupy.cuda.runtime.getDeviceCount()


def manual_seed(seed):
    pass


def manual_seed_all(seed):
    pass


def synchronize(device=None):
    if is_available():
        import cupy
        cupy.cuda.Device().synchronize()

from ._unsupported import install as _install_missing  # noqa: E402
_install_missing(__name__)
del _install_missing
