"""gradcheck / gradgradcheck themselves: they pass on right gradients and catch wrong ones."""
import numpy as np
import pytest

import ember
from ember.autograd import Function, gradcheck, gradgradcheck
from ember.autograd.gradcheck import GradcheckError


class WrongGrad(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 3


class WrongSecondGrad(Function):
    """Right first derivative of x**2, but its backward is not differentiable correctly."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2 * x.detach()  # detaching drops the second derivative


def _x(*shape):
    return ember.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)


def test_gradcheck_passes_and_catches_wrong_gradient():
    assert gradcheck(lambda a, b: (a * b).sin(), (_x(3), _x(3)))
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect to "
                                             "input 0") as err:
        gradcheck(WrongGrad.apply, (_x(3),))
    assert isinstance(err.value, RuntimeError)
    assert "numerical" in str(err.value) and "analytical" in str(err.value)
    assert gradcheck(WrongGrad.apply, (_x(3),), raise_exception=False) is False


def test_gradgradcheck_catches_wrong_second_derivative():
    x = _x(3)
    assert gradcheck(WrongSecondGrad.apply, (x,))
    assert gradgradcheck(lambda a: a * a, (x,))
    assert gradgradcheck(WrongSecondGrad.apply, (x,), raise_exception=False) is False


def test_gradcheck_non_contiguous_and_multiple_outputs():
    y = ember.tensor(np.random.default_rng(1).standard_normal((3, 4))).t().requires_grad_()
    assert not y.is_contiguous()
    assert gradcheck(lambda a: (a.exp(), a.sum(0)), (y,))
    assert gradgradcheck(lambda a: (a.exp(), a.sum(0)), (y,))


def test_gradcheck_with_non_tensor_and_non_grad_inputs():
    w = ember.tensor([1.0, 2.0, 3.0], dtype=ember.float64)
    assert gradcheck(lambda a, w, k: (a * w) ** k, (_x(3), w, 2))


def test_gradcheck_needs_an_input_requiring_grad_and_warns_on_float32():
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(lambda a: a.exp(), (ember.ones(2, dtype=ember.float64),))
    with pytest.warns(UserWarning, match="not a double precision"):
        gradcheck(lambda a: a * 2, (ember.ones(2, requires_grad=True),), eps=1e-2, atol=1e-2)


def test_gradcheck_matches_torch_verdicts(torch_mod):
    x = np.random.default_rng(2).standard_normal(4)
    for mod in (ember, torch_mod):
        t = mod.tensor(x, requires_grad=True)
        assert mod.autograd.gradcheck(lambda a: a.tanh() * a, (t,))
        assert mod.autograd.gradgradcheck(lambda a: a.tanh() * a, (t,))
