"""Shared setup of the cuda tests: the strict CuPy stand-in, or real CuPy when asked.

``EMBER_TEST_REAL_CUDA=1`` (set by ``benchmarks/gpu_check.py``) runs the cuda tests on real
CuPy; tests about the stand-in itself are marked ``standin_only`` and skip there.
"""
import os

import numpy as np
import pytest

import ember
from ember.testing import use_standin_cuda

REAL = os.environ.get("EMBER_TEST_REAL_CUDA") == "1"
standin_only = pytest.mark.skipif(REAL, reason="about the stand-in, not the GPU")


@pytest.fixture(autouse=True)
def cuda_device():
    """Every test of a module importing this runs with 'cuda' on the stand-in (or on CuPy)."""
    if REAL:
        if not ember.cuda.is_available():
            pytest.skip("EMBER_TEST_REAL_CUDA=1 but no GPU is visible to CuPy")
        yield
        return
    with use_standin_cuda():
        yield


def device_array(a):
    """True for a cuda array (the stand-in's or CuPy's), never a NumPy one."""
    return not isinstance(a, np.ndarray) and hasattr(a, "__cuda_array_interface__")
