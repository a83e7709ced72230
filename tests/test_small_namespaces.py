"""ember.random, ember.accelerator, constants and top-level in-place functions vs torch."""
import math

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def test_constants_match_torch():
    assert ember.pi == torch.pi and ember.e == torch.e and ember.inf == torch.inf
    assert math.isnan(ember.nan) and ember.newaxis is None


def test_accelerator_consistent_with_cuda():
    assert ember.accelerator.is_available() == ember.cuda.is_available()
    assert ember.accelerator.device_count() == ember.cuda.device_count()
    if not ember.cuda.is_available():
        assert ember.accelerator.current_accelerator() is None
        with pytest.raises(RuntimeError, match="none is available"):
            ember.accelerator.current_device_index()


def test_random_namespace_state_round_trip():
    ember.random.manual_seed(3)
    assert ember.random.initial_seed() == 3
    state = ember.random.get_rng_state()
    a = ember.rand(4)
    ember.random.set_rng_state(state)
    np.testing.assert_array_equal(ember.rand(4).numpy(), a.numpy())
    expected = ember.rand(4).numpy()
    ember.random.set_rng_state(state)
    ember.rand(4)
    with ember.random.fork_rng():  # draws inside do not advance the outer stream
        ember.rand(10)
    np.testing.assert_array_equal(ember.rand(4).numpy(), expected)


@pytest.mark.parametrize("name,args", [
    ("relu_", ()), ("sigmoid_", ()), ("tanh_", ()), ("exp_", ()), ("neg_", ()), ("abs_", ()),
    ("clamp_min_", (0.1,)), ("clip_", (-0.5, 0.5)), ("round_", ()), ("selu_", ()),
    ("celu_", (0.7,)), ("threshold_", (0.2, -3.0)), ("zero_", ()), ("fill_", (2.5,)),
])
def test_inplace_functions_match_torch(name, args):
    values = np.array([-1.5, -0.2, 0.0, 0.3, 2.0])
    e, t = ember.tensor(values), torch.tensor(values)
    out_e = getattr(ember, name)(e, *args)
    out_t = getattr(torch, name)(t, *args)
    assert out_e is e  # in place, returns its input
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12)
    np.testing.assert_allclose(out_e.numpy(), out_t.numpy(), rtol=1e-12)
