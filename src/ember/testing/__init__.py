"""Testing helpers: ``assert_close`` (as ``torch.testing.assert_close``) for Ember, NumPy and torch."""
import contextlib

import numpy as np
from .. import _device
from .._tensor import Tensor

__all__ = ["assert_close", "to_numpy", "use_standin_cuda"]


@contextlib.contextmanager
def use_standin_cuda():
    """Within the block, device 'cuda' is ``ember.testing.standin_cupy``: a strict CuPy
    look-alike on NumPy that refuses implicit host copies (so tests find them without a GPU).
    Yields the stand-in module. ``EMBER_STANDIN_CUDA=1`` does the same for a whole process."""
    # lazy: ember.testing.standin_cupy is loaded on first use, not at import
    from . import standin_cupy
    old = _device._set_cuda_module(standin_cupy)
    try:
        yield standin_cupy
    finally:
        _device._set_cuda_module(old)

_DEFAULT_TOL = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
                "float64": (1e-7, 1e-7), "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7)}


def to_numpy(x):
    """Any tensor-like (ember, torch, NumPy, number, nested list) as a NumPy array."""
    if isinstance(x, Tensor):
        arr = x._data if isinstance(x._data, np.ndarray) else x._data.get()
        return arr.astype(np.float32) if x.dtype.name == "bfloat16" else arr
    mod = type(x).__module__
    if mod.startswith("torch"):
        x = x.detach().cpu()
        if str(x.dtype) == "torch.bfloat16":
            x = x.float()
        return x.resolve_conj().numpy()
    return np.asarray(x)


def _dtype_name(x):
    if isinstance(x, Tensor):
        return x.dtype.name
    if type(x).__module__.startswith("torch"):
        return str(x.dtype).replace("torch.", "")
    return np.asarray(x).dtype.name


def assert_close(actual, expected, *, rtol=None, atol=None, equal_nan=True, check_dtype=True,
                 check_shape=True, check_device=True, msg=None):
    """Raise AssertionError unless ``actual`` and ``expected`` match in shape, dtype, device
    (two Ember tensors, unless ``check_device=False``) and values."""
    if check_device and isinstance(actual, Tensor) and isinstance(expected, Tensor) and \
            actual.device != expected.device:
        raise AssertionError(f"The values for attribute 'device' do not match: {actual.device} "
                             f"!= {expected.device}." + (f" ({msg})" if msg else ""))
    a, e = to_numpy(actual), to_numpy(expected)
    if check_shape and a.shape != e.shape:
        raise AssertionError(f"shape mismatch: {a.shape} vs {e.shape}" + (f" ({msg})" if msg else ""))
    if check_dtype:
        da, de = _dtype_name(actual), _dtype_name(expected)
        if da != de:
            raise AssertionError(f"dtype mismatch: {da} vs {de}" + (f" ({msg})" if msg else ""))
    name = _dtype_name(expected)
    r, t = _DEFAULT_TOL.get(name, (0, 0))
    rtol = r if rtol is None else rtol
    atol = t if atol is None else atol
    if a.dtype.kind in "biu" and e.dtype.kind in "biu":
        ok = np.array_equal(a, e)
    else:
        ok = np.allclose(a.astype(np.complex128 if a.dtype.kind == "c" else np.float64),
                         e.astype(np.complex128 if e.dtype.kind == "c" else np.float64),
                         rtol=rtol, atol=atol, equal_nan=equal_nan)
    if not ok:
        diff = np.abs(a.astype(np.float64) - e.astype(np.float64)) if a.dtype.kind != "c" else \
            np.abs(a - e)
        raise AssertionError(f"values differ (max abs diff {np.nanmax(diff) if diff.size else 0}, "
                             f"rtol={rtol}, atol={atol})" + (f": {msg}" if msg else "") +
                             f"\nactual:\n{a}\nexpected:\n{e}")

from .._unsupported import install as _install_missing  # noqa: E402
_install_missing(__name__)
del _install_missing
