"""The binary ops' one no-promotion path (``ops/_dispatch.py``) and the array-backward test."""
import operator
import warnings

import numpy as np
import pytest

import ember
from ember.ops import binary
from ember.ops._dispatch import fast_binary, on_arrays, records

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


def test_on_arrays_without_a_gradient_is_plain_backward_only():
    with ember.no_grad():
        assert on_arrays()  # the fat ops' question: no graph of the gradient to build
    assert not on_arrays()


def test_records_is_grad_mode_and_some_input_requiring_grad():
    x, w = ember.ones(2), ember.ones(2, requires_grad=True)
    assert records(x, w) and records(None, w) and not records(x, None) and not records()
    with ember.no_grad():
        assert not records(w)


def test_float_times_bool_mask_takes_the_dispatch_path():
    """g * (y > 0) (ReLU's backward) stays in g's dtype without the general path; it records
    when g needs grad, and ops that do not declare bool_mask leave it to promotion."""
    g = ember.tensor([1.5, -2.0, 3.0], dtype=ember.float64)
    m = ember.tensor([True, False, True])
    r = fast_binary(binary.Mul, operator.mul, g, m)
    assert r.dtype is ember.float64 and r.grad_fn is None
    np.testing.assert_array_equal(r.numpy(), [1.5, 0.0, 3.0])
    assert fast_binary(binary.Add, operator.add, g, m) is None
    assert fast_binary(binary.Mul, None, g, m) is None  # through _binary: promotion decides
    gr = g.clone().requires_grad_()
    assert fast_binary(binary.Mul, operator.mul, gr, m) is None  # to record: general path
    out = gr * m
    out.sum().backward()
    np.testing.assert_array_equal(gr.grad.numpy(), [1.0, 0.0, 1.0])
    with pytest.raises(RuntimeError, match=r"size of tensor a \(3\) must match"):
        g * ember.tensor([True, False])


def test_array_and_tensor_backwards_agree_bit_for_bit():
    """The hot rules run one formula on arrays (plain backward) or on tensors (create_graph):
    Mul, tanh, sigmoid, relu (unary and nn.functional), the small full Sum, max pooling."""
    import ember.nn.functional as F
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)

    def grads(create_graph):
        x = ember.tensor(x_np, requires_grad=True)
        w = ember.tensor(x_np[::-1].copy(), requires_grad=True)
        y = (x * w).tanh() * x.sigmoid() + x.relu() + F.relu(w * 0.5)
        y = F.max_pool2d(y, 2)
        (gx, gw) = ember.autograd.grad(y.sum(), (x, w), create_graph=create_graph)
        return gx.detach().numpy(), gw.detach().numpy()

    for a, b in zip(grads(False), grads(True)):
        np.testing.assert_array_equal(a, b)


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
