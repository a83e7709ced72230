"""The small-op fast paths of issue 15, each against the general path it skips: same-dtype
binary ops straight to their Op, float unary ops straight to theirs, scalar ``rsub`` and
float-by-mask products straight to the backend, the array backward of Mul / tanh / sigmoid /
relu / a small full sum (checked against the tensor-op backward that ``create_graph`` runs),
and sigmoid's 1 / (1 + exp(-x)) (PyTorch's values, no overflow warning)."""
import warnings

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from ember.ops import binary, unary
from ember.testing import assert_close

RNG = np.random.default_rng(0)


def _t(shape, dtype=np.float32, rg=True):
    return ember.tensor(RNG.standard_normal(shape).astype(dtype), requires_grad=rg)


def _grads(out, inputs, create_graph):
    g = ember.ones_like(out) if out.dim() else None
    return ember.autograd.grad(out, inputs, g, create_graph=create_graph, allow_unused=True)


# ---- binary ops: the recording fast route against the general _binary path -------------------
OPS = [(binary.add, binary.Add), (binary.sub, binary.Sub), (binary.mul, binary.Mul),
       (binary.div, binary.Div)]


@pytest.mark.parametrize("fn,op", OPS, ids=["add", "sub", "mul", "div"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 3), (5, 1))])
def test_binary_route_matches_general_path(fn, op, dtype, shapes):
    a, b = _t(shapes[0], dtype), _t(shapes[1], dtype)
    fast = fn(a, b)
    slow = binary._binary(op, a, b, None, float_result=op is binary.Div)
    assert fast.dtype == slow.dtype and fast.grad_fn.name() == slow.grad_fn.name()
    np.testing.assert_array_equal(fast.detach().numpy(), slow.detach().numpy())
    for gf, gs in zip(_grads(fast.sum(), [a, b], False), _grads(slow.sum(), [a, b], False)):
        np.testing.assert_array_equal(gf.numpy(), gs.numpy())


@pytest.mark.parametrize("fn", [binary.add, binary.sub, binary.mul, binary.div])
def test_binary_route_bad_broadcast_names_shapes(fn):
    a, b = _t((2, 3)), _t((4,))
    with pytest.raises(RuntimeError, match=r"size of tensor a \(3\) must match .* \(4\)"):
        fn(a, b)


@pytest.mark.parametrize("fn", [lambda a, b: a * b, lambda a, b: a / b, lambda a, b: a - b,
                                lambda a, b: a + b * a])
def test_binary_route_gradcheck(fn):
    a, b = _t((3, 2), np.float64), _t((2,), np.float64)
    assert gradcheck(fn, (a, b))
    assert gradgradcheck(fn, (a, b))


def test_binary_parity_with_torch():
    torch = pytest.importorskip("torch")
    a, b = _t((4, 3)), _t((3,))
    ta, tb = (torch.tensor(t.detach().numpy(), requires_grad=True) for t in (a, b))
    y = ((a * b - a) / (b + 2.0)).sum()
    ty = ((ta * tb - ta) / (tb + 2.0)).sum()
    y.backward(), ty.backward()
    assert_close(y.item(), ty.item())
    assert_close(a.grad.numpy(), ta.grad.numpy())
    assert_close(b.grad.numpy(), tb.grad.numpy())


# ---- scalar rsub and float-by-mask products ----------------------------------------------------
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int64", "int32"])
@pytest.mark.parametrize("scalar", [1, 2.5])
def test_scalar_rsub_dtype_and_values(dtype, scalar):
    torch = pytest.importorskip("torch")
    x = np.arange(-3, 3).astype(dtype)
    ours = scalar - ember.tensor(x)
    theirs = scalar - torch.tensor(x)
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_scalar_rsub_records_and_refuses_arrays():
    x = _t((3,), np.float64)
    y = 1 - x
    assert y.grad_fn is not None
    (g,) = _grads(y.sum(), [x], False)
    np.testing.assert_array_equal(g.numpy(), -np.ones(3))
    with pytest.raises(TypeError):
        np.ones(3) - ember.ones(3)  # PyTorch's reflected operators refuse ndarrays
    with pytest.raises(RuntimeError, match="bool"):
        True - ember.tensor([True, False])


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_times_bool_mask(dtype):
    x = ember.tensor(np.array([1.5, -2.0, 3.0], dtype))
    m = ember.tensor([True, False, True])
    for r in (x * m, m * x):
        assert r.dtype == x.dtype
        np.testing.assert_array_equal(r.numpy(), np.array([1.5, 0.0, 3.0], dtype))
    xr = x.detach().requires_grad_()
    r = xr * m  # recording: the general path
    (g,) = _grads(r.sum(), [xr], False)
    np.testing.assert_array_equal(g.numpy(), np.array([1, 0, 1], dtype))


# ---- unary ops: fast route and array backward ------------------------------------------------
@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu", "exp", "neg", "sin"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_unary_route_matches_general_path(name, dtype):
    x = _t((4, 5), dtype)
    fast = getattr(ember, name)(x)
    slow = unary.OPS[name].apply(x)
    assert fast.dtype == slow.dtype == x.dtype
    np.testing.assert_array_equal(fast.detach().numpy(), slow.detach().numpy())


def test_unary_route_keeps_integer_and_bool_rules():
    i = ember.tensor([1, 2, 3])
    assert ember.tanh(i).dtype == ember.float32
    assert ember.relu(i).dtype == ember.int64
    with pytest.raises(RuntimeError, match="relu"):
        ember.relu(ember.tensor([True]))


@pytest.mark.parametrize("fn", [lambda x, y: (x * y).tanh(), lambda x, y: (x * y).sigmoid(),
                                lambda x, y: (x * y).relu(), lambda x, y: (x * y).sum(),
                                lambda x, y: ((x.tanh() * y - x).sigmoid() * y + x).relu().sum()])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_array_backward_equals_tensor_backward(fn, dtype):
    x, y = _t((3, 4), dtype), _t((3, 4), dtype)
    plain = _grads(fn(x, y), [x, y], create_graph=False)   # array derivatives
    graph = _grads(fn(x, y), [x, y], create_graph=True)    # tensor-op derivatives
    for p, g in zip(plain, graph):
        assert p.dtype == g.dtype
        np.testing.assert_array_equal(p.detach().numpy(), g.detach().numpy())


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu"])
def test_activation_gradchecks(name):
    x = ember.tensor(RNG.standard_normal((3, 4)) + 0.05, requires_grad=True)  # relu: off 0
    fn = getattr(ember, name)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_mul_array_backward_with_broadcast_and_scalar():
    a = _t((2, 3), np.float64)
    b = _t((3,), np.float64)
    y = (a * b * 3.0).sum()
    ga, gb = _grads(y, [a, b], False)
    np.testing.assert_allclose(ga.numpy(), np.broadcast_to(3 * b.detach().numpy(), (2, 3)))
    np.testing.assert_allclose(gb.numpy(), 3 * a.detach().numpy().sum(0))


def test_mul_mixed_dtype_backward():
    a = _t((3,), np.float32)
    b = _t((3,), np.float64)
    ga, gb = _grads((a * b).sum(), [a, b], False)
    assert ga.dtype == ember.float32 and gb.dtype == ember.float64
    np.testing.assert_allclose(ga.numpy(), b.detach().numpy().astype(np.float32), rtol=1e-6)


@pytest.mark.parametrize("shape", [(), (3, 3), (200, 100)])  # small: filled; large: a view
def test_sum_backward_fills_input_shape(shape):
    x = _t(shape, np.float64)
    (g,) = _grads(x.sum(), [x], False)
    assert tuple(g.shape) == shape
    np.testing.assert_array_equal(g.numpy(), np.ones(shape))
    x.sum().backward()
    x.grad.add_(1.0)  # the accumulated gradient is a writable tensor of its own
    np.testing.assert_array_equal(x.grad.numpy(), np.full(shape, 2.0))


# ---- sigmoid ---------------------------------------------------------------------------------
def test_sigmoid_extremes_match_torch_without_warnings():
    torch = pytest.importorskip("torch")
    for dtype in (np.float32, np.float64, np.float16):
        x = np.array([-1000, -200, -100, -90, -88, -20, -1, 0, 1, 20, 100, 1000], dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ours = ember.sigmoid(ember.tensor(x)).numpy()
        theirs = torch.sigmoid(torch.tensor(x)).numpy()
        assert ours.dtype == theirs.dtype
        np.testing.assert_allclose(ours, theirs, rtol=1e-6 if dtype != np.float16 else 1e-3,
                                   atol=1e-30)


def test_sigmoid_random_values_match_torch():
    torch = pytest.importorskip("torch")
    x = (RNG.standard_normal(10000) * 10).astype(np.float32)
    ours = ember.sigmoid(ember.tensor(x)).numpy()
    np.testing.assert_allclose(ours, torch.sigmoid(torch.tensor(x)).numpy(), rtol=1e-6, atol=1e-7)
    zero_d = ember.sigmoid(ember.tensor(0.5))
    assert zero_d.dim() == 0 and abs(zero_d.item() - 1 / (1 + np.exp(-0.5))) < 1e-7
