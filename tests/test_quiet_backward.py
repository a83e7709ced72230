"""Backward passes and optimizer steps over inf/nan values raise no NumPy RuntimeWarning (PyTorch
is silent there), even under an "error" warnings filter."""
import warnings

import pytest

import ember


def _inf_model():
    m = ember.nn.Linear(2, 2)
    x = ember.tensor([[float("inf"), 1.0], [0.0, float("nan")]])
    return m, x


def test_backward_through_inf_is_silent():
    m, x = _inf_model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (m(x) * 0).sum().backward()      # inf * 0 -> nan inside the derivative
        ember.log(x.abs() - x.abs()).sum()  # log(0), inf - inf in the forward
    assert not ember.isfinite(m.weight.grad).all()


@pytest.mark.parametrize("opt", ["SGD", "Adam", "RMSprop"])
def test_optimizer_step_on_inf_grads_is_silent(opt):
    m, x = _inf_model()
    o = getattr(ember.optim, opt)(m.parameters(), lr=0.1)
    (m(x) * 0).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        o.step()
        o.step()
    assert not ember.isfinite(m.weight).all()


def test_user_warnings_still_raise_after_backward():
    """The quiet state ends with backward: the user's own NumPy code warns again."""
    import numpy as np
    m, x = _inf_model()
    (m(x) * 0).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeWarning):
            np.log(np.zeros(1))
