"""The binary ops' one no-promotion path (``ops/_dispatch.py``) and the array-backward test."""
import operator
import warnings

import numpy as np
import pytest

import ember
from ember.ops import binary
from ember.ops._dispatch import fast_binary, on_arrays

OPS = [("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
       ("div", operator.truediv)]


@pytest.mark.parametrize("name,pyop", OPS)
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_fast_and_recorded_paths_agree(name, pyop, dtype):
    rng = np.random.default_rng(0)
    na, nb = rng.standard_normal((3, 4)), rng.standard_normal((4,)) + 3
    a, b = ember.tensor(na, dtype=dtype), ember.tensor(nb, dtype=dtype)
    fast = pyop(a, b)  # nothing to record: straight to the backend
    ar = a.detach().requires_grad_()
    rec = pyop(ar, b)  # recorded through Op.apply
    assert rec.grad_fn is not None and fast.grad_fn is None
    assert fast.dtype is dtype and rec.dtype is dtype
    np.testing.assert_array_equal(fast.numpy(), rec.detach().numpy())
    np.testing.assert_array_equal(fast.numpy(), pyop(na.astype(dtype.np), nb.astype(dtype.np)))
    for s in (2, 2.5):  # a Python number keeps the tensor's dtype
        np.testing.assert_array_equal(pyop(a, s).numpy(), pyop(ar, s).detach().numpy())
        assert pyop(a, s).dtype is dtype


def test_general_path_cases_are_left_to_promotion():
    f32, f64 = ember.ones(2), ember.ones(2, dtype=ember.float64)
    i64, h = ember.ones(2, dtype=ember.int64), ember.ones(2, dtype=ember.float16)
    assert fast_binary(binary.Add, operator.add, f32, f64) is None  # dtypes differ
    assert fast_binary(binary.Add, operator.add, i64, i64) is None  # not float
    assert fast_binary(binary.Add, operator.add, h, 1.5) is None  # half: float32 opmath
    assert fast_binary(binary.Add, operator.add, 2.0, f32) is None  # number first
    assert fast_binary(binary.Add, operator.add, f32, True) is None  # bool is not a number here
    assert (f32 + f64).dtype is ember.float64 and (i64 / 2).dtype is ember.float32
    r = fast_binary(binary.Add, None, f32, 2)  # no array shortcut: through Op.apply
    np.testing.assert_array_equal(r.numpy(), [3.0, 3.0])


def test_broadcast_error_names_the_sizes():
    with pytest.raises(RuntimeError, match=r"size of tensor a \(3\) must match the size of "
                                           r"tensor b \(4\)"):
        ember.ones(2, 3) + ember.ones(4)


def test_fast_path_is_quiet_under_user_warning_filters():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = ember.tensor([1.0, -1.0]) / ember.tensor([0.0, 0.0])
    np.testing.assert_array_equal(r.numpy(), [np.inf, -np.inf])


def test_on_arrays_only_for_plain_backward_of_one_real_dtype():
    g, y = ember.ones(2), ember.ones(2)
    with ember.no_grad():
        assert on_arrays(g, y, None)
        assert not on_arrays(g, y.double())
        assert not on_arrays(ember.ones(2, dtype=ember.complex64))
    assert not on_arrays(g, y)  # grad mode on: create_graph=True builds a graph of the gradient


def test_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    na, nb = rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal(3).astype(
        np.float32)
    for _, pyop in OPS:
        for other in (nb, 1.5, 3):
            e = pyop(ember.from_numpy(na), ember.from_numpy(other) if isinstance(
                other, np.ndarray) else other)
            t = pyop(torch.from_numpy(na), torch.from_numpy(other) if isinstance(
                other, np.ndarray) else other)
            np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6)
            assert str(e.dtype) == str(t.dtype)
