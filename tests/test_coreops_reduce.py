"""torch.norm / vector_norm, quantile/nanquantile, diff, logcumsumexp vs NumPy and torch."""
import math

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from ember.testing import assert_close

NAN = float("nan")


def _both(torch, arr):
    return ember.tensor(arr), torch.tensor(arr)


def _x64(shape, requires_grad=True):
    return ember.tensor(np.random.randn(*shape), dtype=ember.float64, requires_grad=requires_grad)


@pytest.mark.parametrize("p", ["fro", 2, 1, 3, 0.5, 0, math.inf, -math.inf])
@pytest.mark.parametrize("dim", [None, 1, (0, 2)])
def test_norm_matches_torch(torch_mod, p, dim):
    e, t = _both(torch_mod, np.random.randn(3, 4, 2).astype(np.float32))
    assert_close(ember.norm(e, p, dim), torch_mod.norm(t, p, dim))
    assert_close(e.norm(p, dim, keepdim=True), t.norm(p, dim, keepdim=True))


def test_norm_numpy_and_nuc(torch_mod):
    x = np.random.randn(4, 3)
    e = ember.tensor(x)
    assert_close(ember.norm(e), np.linalg.norm(x))
    assert_close(ember.norm(e, "nuc"), np.linalg.norm(x, "nuc"))
    assert_close(ember.norm(e, 1, 0), np.linalg.norm(x, 1, 0))
    assert_close(ember.linalg.vector_norm(e, 3, -1), (np.abs(x) ** 3).sum(-1) ** (1 / 3))
    assert_close(ember.linalg.vector_norm(ember.tensor([1, 2, 2]).float(), dtype=ember.float64),
                 np.float64(3.0))
    with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor"):
        ember.norm(ember.tensor([1, 2]))
    ez = ember.zeros(3, dtype=ember.float64)
    assert_close(ember.norm(ez), torch_mod.norm(torch_mod.zeros(3, dtype=torch_mod.float64)))


@pytest.mark.parametrize("p", [2, 1, 3, 1.5, math.inf, -math.inf])
def test_norm_gradcheck(p):
    x = _x64((3, 4))
    assert gradcheck(lambda a: ember.linalg.vector_norm(a, p, 1), (x,))
    assert gradcheck(lambda a: a.norm(p), (x,))


def test_norm_grad_at_zero_matches_torch(torch_mod):
    for p in (2, 1, 3):
        e = ember.zeros(3, dtype=ember.float64, requires_grad=True)
        t = torch_mod.zeros(3, dtype=torch_mod.float64, requires_grad=True)
        ember.norm(e, p).backward()
        torch_mod.norm(t, p).backward()
        assert_close(e.grad, t.grad)
    assert gradgradcheck(lambda a: a.norm(), (_x64((4,)),))


@pytest.mark.parametrize("interp", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_matches_torch(torch_mod, interp):
    x = np.random.randn(3, 6)
    e, t = _both(torch_mod, x)
    q = np.array([0.0, 0.1, 0.5, 0.75, 1.0])
    eq, tq = _both(torch_mod, q)
    assert_close(ember.quantile(e, eq, interpolation=interp), torch_mod.quantile(t, tq, interpolation=interp))
    assert_close(e.quantile(0.3, 1, interpolation=interp), t.quantile(0.3, 1, interpolation=interp))
    assert_close(e.quantile(eq, 0, keepdim=True, interpolation=interp),
                 t.quantile(tq, 0, keepdim=True, interpolation=interp))
    assert_close(e.quantile(0.4, keepdim=True, interpolation=interp),
                 t.quantile(0.4, keepdim=True, interpolation=interp))
    assert_close(ember.quantile(e, 0.25, 1, interpolation=interp),
                 np.quantile(x, 0.25, axis=1, method=interp))


def test_nanquantile_and_nan(torch_mod):
    x = np.array([[1., NAN, 3, 4], [NAN, NAN, NAN, NAN], [0, 2, 1, 5]])
    e, t = _both(torch_mod, x)
    for q in (0.5, 0.2):
        assert_close(e.quantile(q, 1), t.quantile(q, 1))
        assert_close(e.nanquantile(q, 1), t.nanquantile(q, 1))
        assert_close(ember.nanquantile(e, q), torch_mod.nanquantile(t, q))
    assert_close(ember.nanquantile(e, 0.5, 1), np.nanquantile(x, 0.5, axis=1))


def test_quantile_errors_and_grad():
    e = ember.randn(5)
    with pytest.raises(RuntimeError, match=r"q values must be in the range \[0, 1\]"):
        e.quantile(1.5)
    with pytest.raises(RuntimeError, match="either float or double"):
        ember.tensor([1, 2]).quantile(0.5)
    with pytest.raises(RuntimeError, match="same dtype"):
        e.quantile(ember.tensor([0.5], dtype=ember.float64))
    with pytest.raises(ValueError, match="interpolation"):
        e.quantile(0.5, interpolation="cubic")
    x = _x64((3, 5))
    q = ember.tensor([0.3, 0.9], dtype=ember.float64)
    assert gradcheck(lambda a: a.quantile(q, 1), (x,))
    assert gradcheck(lambda a: a.nanquantile(0.5, 0, interpolation="midpoint"), (x,))


def test_diff(torch_mod):
    x = np.random.randn(3, 5)
    e, t = _both(torch_mod, x)
    assert_close(e.diff(), t.diff())
    assert_close(ember.diff(e, 2, 0), torch_mod.diff(t, 2, 0))
    assert_close(ember.diff(e, 1, 1, prepend=ember.ones(3, 2, dtype=ember.float64),
                            append=ember.zeros(3, 1, dtype=ember.float64)),
                 torch_mod.diff(t, 1, 1, prepend=torch_mod.ones(3, 2, dtype=torch_mod.float64),
                                append=torch_mod.zeros(3, 1, dtype=torch_mod.float64)))
    assert_close(ember.diff(e, 7), torch_mod.diff(t, 7))
    assert_close(ember.diff(e, 2), np.diff(x, 2))
    b = np.array([True, True, False, True])
    assert_close(ember.tensor(b).diff(), torch_mod.tensor(b).diff())
    i = np.array([1, 4, 9, 16])
    assert_close(ember.tensor(i).diff(), torch_mod.tensor(i).diff())
    with pytest.raises(RuntimeError, match="at least one-dimensional"):
        ember.tensor(1.0).diff()
    assert gradcheck(lambda a: a.diff(2, 1), (_x64((2, 5)),))


def test_logcumsumexp(torch_mod):
    x = np.random.randn(3, 5) * 30
    x[0, 0] = -np.inf
    e, t = _both(torch_mod, x)
    for d in (0, 1):
        assert_close(e.logcumsumexp(d), t.logcumsumexp(d))
    big = np.array([1000.0, -1000.0, 999.0])
    assert_close(ember.logcumsumexp(ember.tensor(big), 0), np.logaddexp.accumulate(big))
    with pytest.raises(RuntimeError, match="not implemented for 'Long'"):
        ember.tensor([1, 2]).logcumsumexp(0)
    xg = _x64((3, 4))
    assert gradcheck(lambda a: a.logcumsumexp(1), (xg,))
    assert gradgradcheck(lambda a: a.logcumsumexp(0), (xg,))
    ebig = ember.tensor(big, requires_grad=True)
    tbig = torch_mod.tensor(big, requires_grad=True)
    w = np.array([1.0, -2.0, 0.5])
    (ebig.logcumsumexp(0) * ember.tensor(w)).sum().backward()
    (tbig.logcumsumexp(0) * torch_mod.tensor(w)).sum().backward()
    assert_close(ebig.grad, tbig.grad)
