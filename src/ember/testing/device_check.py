"""Run the same case on cpu and on another device and compare: the device half of the op tables.

A case is ``fn(m)`` (``m`` a module like ``ember``) or, for gradient rows, ``fn(m, *tensors)``.
``on_device(ember, 'cuda')`` is a module whose factories (``tensor``, ``zeros``, ``randn`` ...)
make tensors on that device by default, so a case written once for cpu runs unchanged on cuda.
``compare_on_device`` runs a case both ways: results must match in type, dtype, shape,
``requires_grad`` and values, every result tensor must be on the device, and errors must be of
the same type. ``compare_grads_on_device`` does the same for a forward and its backward.
Used by ``tests/test_cuda_standin.py`` (the strict stand-in) and ``benchmarks/gpu_check.py``
(real CuPy).
"""
import os

import numpy as np
from .._tensor import Tensor
from . import assert_close

_LOOSEN = float(os.environ.get("EMBER_DEVICE_CHECK_LOOSEN", "1"))

__all__ = ["on_device", "compare_on_device", "compare_grads_on_device", "check_same_on_device"]

_FACTORIES = ("tensor", "as_tensor", "asarray", "zeros", "ones", "empty", "full", "arange",
              "range", "linspace", "logspace", "eye", "rand", "randn", "randint", "randperm",
              "normal", "scalar_tensor", "empty_strided", "tril_indices", "triu_indices",
              "from_numpy")


class on_device:
    """A stand-in for module ``mod`` whose factories default to ``device``."""

    def __init__(self, mod, device):
        self._mod = mod
        self._device = device

    def __getattr__(self, name):
        attr = getattr(self._mod, name)
        if name not in _FACTORIES:
            return attr
        dev = self._device
        if name == "from_numpy":
            return lambda a: attr(a).to(dev)

        def factory(*args, **kwargs):
            if kwargs.get("device") is None:
                kwargs["device"] = dev
            return attr(*args, **kwargs)
        return factory


def _is_tensor(x):
    return isinstance(x, Tensor)


def check_same_on_device(d, c, device, *, rtol=1e-5, atol=1e-6, path="result"):
    """Assert ``d`` (computed on ``device``) equals ``c`` (computed on cpu), recursively.
    ``EMBER_DEVICE_CHECK_LOOSEN=k`` multiplies the tolerances of float32/float16 results by k
    (a real GPU sums in another order than NumPy)."""
    if _is_tensor(c):
        if _LOOSEN != 1.0 and c.dtype.name in ("float32", "float16", "bfloat16", "complex64"):
            rtol, atol = rtol * _LOOSEN, atol * _LOOSEN
        assert _is_tensor(d), f"{path}: expected a Tensor, got {type(d).__name__}"
        assert d.device.type == device, f"{path}: result on {d.device}, expected {device}"
        assert d.dtype == c.dtype, f"{path}: dtype {d.dtype} vs {c.dtype}"
        assert tuple(d.shape) == tuple(c.shape), \
            f"{path}: shape {tuple(d.shape)} vs {tuple(c.shape)}"
        assert d.requires_grad == c.requires_grad, f"{path}: requires_grad differs"
        assert_close(d.detach().cpu(), c.detach(), rtol=rtol, atol=atol, msg=path)
    elif isinstance(c, (list, tuple)):
        assert isinstance(d, (list, tuple)) and len(d) == len(c), f"{path}: {d!r} vs {c!r}"
        for i, (a, b) in enumerate(zip(d, c)):
            check_same_on_device(a, b, device, rtol=rtol, atol=atol, path=f"{path}[{i}]")
    elif isinstance(c, float):
        assert isinstance(d, float) and np.isclose(d, c, rtol=rtol, atol=atol, equal_nan=True), \
            f"{path}: {d!r} vs {c!r}"
    elif isinstance(c, str):
        assert isinstance(d, str), f"{path}: {d!r} vs {c!r}"
    else:
        assert type(d) is type(c) and d == c, f"{path}: {d!r} vs {c!r}"


def compare_on_device(fn, device="cuda", *, rtol=1e-5, atol=1e-6, must_succeed=False):
    """Run ``fn(ember)`` and ``fn(on_device(ember, device))``; same results or same error
    (``must_succeed``: the cpu run may not raise)."""
    import ember  # lazy: the root package is a higher layer
    try:
        expected = _seeded(fn, ember)
    except Exception as exc:
        if must_succeed:
            raise
        try:
            _seeded(fn, on_device(ember, device))
        except Exception as mine:
            assert isinstance(mine, type(exc)), \
                f"cpu raised {type(exc).__name__}: {exc}; " \
                f"{device} raised {type(mine).__name__}: {mine}"
            return
        raise AssertionError(f"cpu raised {type(exc).__name__}: {exc}; {device} did not")
    got = _seeded(fn, on_device(ember, device))
    check_same_on_device(got, expected, device, rtol=rtol, atol=atol)


def _seeded(fn, m):
    import ember  # lazy: the root package is a higher layer
    ember.manual_seed(0)
    return fn(m)


def compare_grads_on_device(fn, arrays, device="cuda", *, rtol=1e-6, atol=1e-8, seed=1,
                            setup=None):
    """Forward ``fn(m, *xs)`` and backward through a random weighted sum, on cpu and on
    ``device``, with ``xs`` made from NumPy ``arrays`` (float64, requiring grad); outputs and
    every input gradient must match and the device's gradients must stay on the device.
    ``setup(dev)``, when given, runs before each pass (to place constants the case reads)."""
    import ember  # lazy: the root package is a higher layer
    results = []
    for dev in ("cpu", device):
        if setup is not None:
            setup(dev)
        xs = [ember.tensor(a, requires_grad=True, device=dev) for a in arrays]
        m = ember if dev == "cpu" else on_device(ember, dev)
        ember.manual_seed(0)
        out = fn(m, *xs)
        outs = out if isinstance(out, tuple) else (out,)
        rng = np.random.default_rng(seed)
        total = None
        for o in outs:
            if _is_tensor(o) and o.dtype.is_floating_point and o.requires_grad:
                w = ember.tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype, device=dev)
                term = (o * w).sum()
                total = term if total is None else total + term
        if total is not None:
            total.backward()
        results.append((outs, [x.grad for x in xs]))
    (c_out, c_grads), (d_out, d_grads) = results
    check_same_on_device(list(d_out), list(c_out), device, rtol=rtol, atol=atol, path="output")
    for i, (dg, cg) in enumerate(zip(d_grads, c_grads)):
        if cg is None:
            assert dg is None, f"grad[{i}]: cpu has none, {device} has one"
            continue
        assert dg is not None, f"grad[{i}]: missing on {device}"
        check_same_on_device(dg, cg, device, rtol=rtol, atol=atol, path=f"grad[{i}]")
