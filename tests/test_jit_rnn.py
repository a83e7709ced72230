"""The optional Numba kernels of the LSTM recurrence (``ops/_jit_rnn.py``, the ``jit`` extra)
against the NumPy path they replace: the same numbers (to float64 rounding), float64
gradchecks and PyTorch parity on both paths, the switch ``EMBER_JIT=0``, no kernel for other
backends, and no Numba import by ``import ember``."""
import os
import subprocess
import sys

import numpy as np
import pytest

import ember
from ember import nn
from ember.autograd import gradcheck
from ember.ops import _jit_rnn, rnn
from ember.testing import assert_close

try:
    import numba  # noqa: F401
    HAVE_NUMBA = True
except ImportError:
    HAVE_NUMBA = False

PATHS = ["numpy", pytest.param("numba", marks=pytest.mark.skipif(
    not HAVE_NUMBA, reason="numba is not installed (pip install ember[jit])"))]


def _use(monkeypatch, path):
    monkeypatch.setenv("EMBER_JIT", "1" if path == "numba" else "0")
    assert (_jit_rnn.kernels(np) is not None) == (path == "numba")


@pytest.fixture(params=PATHS)
def path(request, monkeypatch):
    _use(monkeypatch, request.param)
    return request.param


class _Ctx:
    pass


def _run(T, B, H, dtype, sizes, reverse, seed=0):
    """Forward then BPTT of one LSTM layer direction on arrays: (Y, cache, grads)."""
    rng = np.random.default_rng(seed)
    xw = rng.standard_normal((T, B, 4 * H)).astype(dtype)
    h0, c0 = (rng.standard_normal((B, H)).astype(dtype) for _ in range(2))
    w = (rng.standard_normal((4 * H, H)) * 0.5).astype(dtype)
    dY = rng.standard_normal((T + 2, B, H)).astype(dtype)
    Y, cache = rnn._lstm_forward(np, xw, h0, c0, w, sizes, reverse)
    ctx = _Ctx()
    ctx.batch_sizes, ctx.reverse, ctx.cache = sizes, reverse, cache
    return Y, cache, rnn._lstm_bptt(np, ctx, dY, w)


@pytest.mark.skipif(not HAVE_NUMBA, reason="numba is not installed")
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-13), (np.float32, 1e-6)])
@pytest.mark.parametrize("sizes", [None, [3, 3, 2, 2, 1]])
@pytest.mark.parametrize("reverse", [False, True])
def test_kernels_match_numpy_path(monkeypatch, dtype, tol, sizes, reverse):
    res = {}
    for p in ("numpy", "numba"):
        _use(monkeypatch, p)
        res[p] = _run(5, 3, 4, dtype, sizes, reverse)
    (y0, c0, g0), (y1, c1, g1) = res["numpy"], res["numba"]
    np.testing.assert_allclose(y1, y0, rtol=tol, atol=tol)
    for a, b in zip(c1, c0):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
    for a, b in zip(g1, g0):
        if b is None:
            assert a is None
        else:
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_lstm_gradcheck(path, bidirectional):
    ember.manual_seed(0)
    lstm = nn.LSTM(2, 3, bidirectional=bidirectional).double()
    d = 2 if bidirectional else 1
    x = ember.randn(4, 2, 2, dtype=ember.float64, requires_grad=True)
    h0, c0 = (ember.randn(d, 2, 3, dtype=ember.float64, requires_grad=True) for _ in range(2))

    def f(x, h0, c0):
        out, (h, c) = lstm(x, (h0, c0))
        return out, h, c * c
    assert gradcheck(f, (x, h0, c0))


def test_packed_lstm_gradcheck(path):
    from ember.nn.utils.rnn import pack_padded_sequence
    ember.manual_seed(1)
    lstm = nn.LSTM(2, 3, bidirectional=True).double()
    x = ember.randn(4, 3, 2, dtype=ember.float64, requires_grad=True)

    def f(x):
        out, (h, c) = lstm(pack_padded_sequence(x, [4, 2, 1]))
        return out.data, h, c
    assert gradcheck(f, (x,))


def test_lstm_parity_with_torch(path):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    tm = torch.nn.LSTM(3, 8, num_layers=2, bidirectional=True)
    m = nn.LSTM(3, 8, num_layers=2, bidirectional=True)
    m.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    xa = np.random.default_rng(2).standard_normal((9, 4, 3)).astype(np.float32)
    x, tx = ember.tensor(xa, requires_grad=True), torch.tensor(xa, requires_grad=True)
    out, (h, c) = m(x)
    tout, (th, tc) = tm(tx)
    (out.square().sum() + h.sum() + (c * c).sum()).backward()
    (tout.square().sum() + th.sum() + (tc * tc).sum()).backward()
    for a, b in ((out, tout), (h, th), (c, tc)):
        assert_close(a, b, rtol=1e-5, atol=1e-6)
    assert_close(x.grad, tx.grad, rtol=1e-4, atol=1e-5)
    for (name, p), tp in zip(m.named_parameters(), tm.parameters()):
        assert_close(p.grad, tp.grad, rtol=1e-4, atol=1e-5, msg=name)


def test_switch_and_backends(monkeypatch):
    from ember.testing import standin_cupy
    monkeypatch.setenv("EMBER_JIT", "0")
    assert _jit_rnn.kernels(np) is None
    monkeypatch.setenv("EMBER_JIT", "1")
    assert _jit_rnn.kernels(standin_cupy) is None   # cuda arrays keep the xp path
    assert (_jit_rnn.kernels(np) is not None) == HAVE_NUMBA


def test_import_ember_does_not_import_numba():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    code = "import sys, ember; assert 'numba' not in sys.modules, 'numba imported'"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, env=env)
