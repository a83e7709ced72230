"""Shared test setup: one BLAS thread, seeded RNGs, and the optional ``torch`` for parity tests."""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import ember  # noqa: E402

try:
    import torch  # noqa: F401
    torch.set_num_threads(1)
    HAVE_TORCH = True
except ImportError:
    torch = None
    HAVE_TORCH = False

requires_torch = pytest.mark.skipif(not HAVE_TORCH, reason="torch is not installed")


@pytest.fixture
def torch_mod():
    """Real PyTorch, or skip the test when it is not installed."""
    if not HAVE_TORCH:
        pytest.skip("torch is not installed")
    return torch


@pytest.fixture(autouse=True)
def _seed():
    ember.manual_seed(0)
    np.random.seed(0)
    yield
