"""Half-precision "opmath" parity with PyTorch, and ndarray <op> tensor behaviour."""
import operator

import numpy as np
import pytest

import ember
from ember.testing import assert_close


def _pair(torch, dt, n=512):
    x = np.random.RandomState(0).randn(n).astype(np.float32)
    return ember.tensor(x).to(getattr(ember, dt)), torch.tensor(x).to(getattr(torch, dt))


def _same(e, t):
    got, want = e.float().numpy(), t.float().numpy()
    np.testing.assert_array_equal(got, want)
    assert str(e.dtype) == str(t.dtype)


@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
@pytest.mark.parametrize("s", [0.1, 3, 1e-3, 0.7])
@pytest.mark.parametrize("fn", [lambda x, s: x * s, lambda x, s: s * x, lambda x, s: x / s,
                                lambda x, s: s / x, lambda x, s: x + s, lambda x, s: x - s,
                                lambda x, s: s - x, lambda x, s: x.abs() ** s])
def test_half_scalar_arithmetic_matches_torch(torch_mod, dt, s, fn):
    e, t = _pair(torch_mod, dt)
    _same(fn(e, s), fn(t, s))


@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
@pytest.mark.parametrize("name", ["sigmoid", "exp", "sin", "cos", "tanh", "reciprocal",
                                  "expm1", "atan", "sinh"])
def test_half_unary_matches_torch(torch_mod, dt, name):
    e, t = _pair(torch_mod, dt)
    _same(getattr(e, name)(), getattr(t, name)())


@pytest.mark.parametrize("name", ["sqrt", "log", "log2"])
def test_half_unary_positive_domain(torch_mod, name):
    e, t = _pair(torch_mod, "float16")
    _same(getattr(e.abs() + 0.5, name)(), getattr(t.abs() + 0.5, name)())


def test_half_scalar_mul_gradient_and_name(torch_mod):
    e, t = _pair(torch_mod, "float16", 16)
    e.requires_grad_(True)
    t.requires_grad_(True)
    ye, yt = e * 0.1, t * 0.1
    _same(ye.detach(), yt.detach())
    assert ye.grad_fn.name() == yt.grad_fn.name()
    ye.sum().backward()
    yt.sum().backward()
    _same(e.grad, t.grad)
    assert (2 / e).grad_fn.name() == (2 / t).grad_fn.name()


def test_float32_rdiv_matches_torch(torch_mod):
    x = np.random.RandomState(1).randn(1000).astype(np.float32)
    _same(0.1 / ember.tensor(x), 0.1 / torch_mod.tensor(x))
    assert_close(3 / ember.tensor([1, 2, 4]), ember.tensor([3., 1.5, 0.75]))


@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul, operator.floordiv,
                                operator.mod, operator.pow, operator.matmul])
def test_ndarray_op_tensor_is_type_error(torch_mod, op):
    with pytest.raises(TypeError) as want:
        op(np.ones(3), torch_mod.ones(3))
    with pytest.raises(TypeError) as got:
        op(np.ones(3), ember.ones(3))
    assert str(got.value) == str(want.value)


def test_tensor_op_ndarray_and_ndarray_div(torch_mod):
    for op in (operator.add, operator.mul, operator.truediv):
        e, t = op(ember.ones(3), np.full(3, 2.0)), op(torch_mod.ones(3), np.full(3, 2.0))
        assert type(e) is ember.Tensor and str(e.dtype) == str(t.dtype)
        assert_close(e, ember.tensor(t.numpy()))
    e, t = np.full(3, 2.0) / ember.ones(3), np.full(3, 2.0) / torch_mod.ones(3)
    assert str(e.dtype) == str(t.dtype)
    assert_close(e, ember.tensor(t.numpy()))


@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
@pytest.mark.parametrize("op", ["mul_", "div_", "add_", "sub_"])
def test_half_inplace_scalar_matches_torch(torch_mod, dt, op):
    e, t = _pair(torch_mod, dt)
    getattr(e, op)(0.1)
    getattr(t, op)(0.1)
    _same(e, t)
