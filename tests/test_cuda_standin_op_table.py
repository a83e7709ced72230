"""The op table (``ember.testing.op_table``) on cuda, against its cpu results: the strict CuPy
stand-in (``ember.testing.standin_cupy``: no NumPy array, no implicit host copy), and real
CuPy when it is importable and sees a GPU (``EMBER_TEST_REAL_CUDA=1``, as
``benchmarks/gpu_check.py`` sets, runs only that one). For every entry: each forward sample
(layouts, broadcast pairs, float32/float64, every dtype of the elementwise ops) and one-off
case must give the cpu result or the cpu exception type, with every result on the device;
the first derivative through a random weighted sum (also with transposed inputs) and the
in-place twin must match cpu too.
"""
import os

import numpy as np
import pytest

import ember
from ember.testing import use_standin_cuda
from ember.testing import op_table as ot
from ember.testing.device_check import compare_on_device, compare_grads_on_device

from test_op_table import ENTRIES, forward_samples, _tensors, _forward_dtypes, \
    _dtype_inputs, _twin_dtype, grad_samples

REAL = os.environ.get("EMBER_TEST_REAL_CUDA") == "1"


def _cupy_ready():
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # not installed, no driver, no device
        return False


@pytest.fixture(params=["standin", "cupy"])
def backend(request):
    """'cuda' on the stand-in, or on real CuPy (skipped where there is none)."""
    if request.param == "cupy":
        if not _cupy_ready():
            pytest.skip("CuPy with a visible GPU is not available")
        yield "cupy"
        return
    if REAL:
        pytest.skip("EMBER_TEST_REAL_CUDA=1: the table runs on CuPy")
    with use_standin_cuda():
        yield "standin"


def _all(pred=lambda e: True):
    return [pytest.param(e, id=e.name) for e in ENTRIES if pred(e)]


@pytest.mark.parametrize("e", _all())
def test_forward_on_device(e, backend):
    failures = []

    def run(label, fn, **kw):
        try:
            compare_on_device(fn, "cuda", **kw)
        except AssertionError as exc:
            failures.append(f"{label}: {exc}")
    if e.specs:
        for label, layout, shapes in forward_samples(e):
            for dt in _forward_dtypes(e):
                run(f"{label}/{dt}", lambda m, layout=layout, shapes=shapes, dt=dt, label=label:
                    e.fn(m, *_tensors(m, e, layout, shapes, dt, label)[0]))
        if e.elementwise and len(e.dtypes) > 2:
            for dt in e.dtypes:
                run(dt, lambda m, dt=dt: e.fn(m, *_dtype_inputs(m, e, dt)), rtol=1e-2, atol=1e-2)
    for key, fn in e.cases.items():
        run(key, fn)
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize("e", _all(lambda e: e.grad and e.specs))
def test_grads_on_device(e, backend):
    for _, arrays in grad_samples(e):
        compare_grads_on_device(e.fn, arrays, "cuda", rtol=1e-6, atol=1e-8)
    arrays = ot.make_arrays(e.specs, ot.seed_of(e.name))
    if e.noncontig and min(a.ndim for a in arrays) >= 2:  # the op reads transposed views
        compare_grads_on_device(
            lambda m, *xs: e.fn(m, *[x.mT.contiguous().mT for x in xs]), arrays, "cuda",
            rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("e", _all(lambda e: e.inplace is not None and e.specs))
def test_inplace_twin_on_device(e, backend):
    def fn(m):
        xs, _ = _tensors(m, e, "contiguous", None, _twin_dtype(e))
        x = xs[0].clone()
        v0 = x._version[0]
        r = getattr(x, e.inplace)(*xs[1:])
        return x, r is x, x._version[0] > v0
    compare_on_device(fn, "cuda", must_succeed=True)


def test_device_tensors_are_not_numpy(backend):
    x = ember.ones(2, 3, device="cuda")
    assert x.is_cuda and not isinstance(x._data, np.ndarray)
