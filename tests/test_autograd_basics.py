"""Autograd basics: requires_grad, leaves, grad_fn, backward's arguments and errors, .grad."""
import warnings

import numpy as np
import pytest

import ember
from ember.testing import assert_close


def _x(values=(1.0, 2.0, 3.0), dtype=None):
    return ember.tensor(list(values), dtype=dtype or ember.float64, requires_grad=True)


# ---- requires_grad, leaves, grad_fn ---------------------------------------------------------
def test_requires_grad_constructor_and_method():
    a = ember.ones(2)
    assert not a.requires_grad and a.is_leaf and a.grad_fn is None
    assert a.requires_grad_() is a and a.requires_grad
    a.requires_grad_(False)
    assert not a.requires_grad
    b = ember.zeros(2, requires_grad=True)
    assert b.requires_grad and b.is_leaf


def test_results_of_ops_are_non_leaves_with_named_grad_fn():
    x = _x()
    y = x * 2
    assert y.requires_grad and not y.is_leaf
    assert y.grad_fn.name() == "MulBackward0"
    (fn, nr), (fn2, _) = y.grad_fn.next_functions
    assert fn.name() == "AccumulateGrad" and fn.variable is x and nr == 0
    assert fn2 is None  # the Python scalar needs no grad
    z = (y + x).sum()
    assert z.grad_fn.name() == "SumBackward0"
    assert z.grad_fn.next_functions[0][0].name() == "AddBackward0"
    assert "SumBackward0" in repr(z.grad_fn)


def test_grad_fn_names_match_torch(torch_mod):
    cases = [lambda t: t.exp(), lambda t: t.sum(), lambda t: t * t, lambda t: t + 1,
             lambda t: t.view(-1), lambda t: t @ t.t(), lambda t: t.sin(), lambda t: t - t,
             lambda t: t / 2]
    a = ember.ones(2, 2, requires_grad=True)
    ta = torch_mod.ones(2, 2, requires_grad=True)
    for f in cases:
        assert f(a).grad_fn.name() == f(ta).grad_fn.name()


def test_no_grad_results_do_not_require_grad():
    x = _x()
    with ember.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


def test_int_and_bool_tensors_cannot_require_grad(torch_mod):
    for dt in (ember.int64, ember.int32, ember.bool):
        with pytest.raises(RuntimeError, match="floating point"):
            ember.zeros(2, dtype=dt, requires_grad=True)
        with pytest.raises(RuntimeError, match="floating point"):
            ember.zeros(2, dtype=dt).requires_grad_()
    with pytest.raises(RuntimeError, match="floating point"):
        torch_mod.zeros(2, dtype=torch_mod.int64).requires_grad_()


def test_requires_grad_false_on_non_leaf_raises():
    y = _x() * 2
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
        y.requires_grad = False


def test_integer_outputs_have_no_grad_fn():
    x = ember.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]], requires_grad=True)
    for r in (x.argmax(), x.argmin(dim=1), x > 1, x == x, x.max(dim=1)[1]):
        assert r.grad_fn is None and not r.requires_grad
    values, idx = x.max(dim=1)
    assert values.requires_grad and idx.grad_fn is None
    if hasattr(ember, "sort"):
        s, i = ember.sort(x, dim=1)
        assert s.requires_grad and not i.requires_grad


# ---- backward ---------------------------------------------------------------------------------
def test_backward_scalar_and_gradient_argument():
    x = _x()
    (x * x).sum().backward()
    assert_close(x.grad, ember.tensor([2.0, 4.0, 6.0], dtype=ember.float64))
    x.grad = None
    (x * x).backward(ember.tensor([1.0, 0.5, 0.0], dtype=ember.float64))
    assert_close(x.grad, ember.tensor([2.0, 2.0, 0.0], dtype=ember.float64))


def test_backward_non_scalar_without_gradient_raises(torch_mod):
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (_x() * 2).backward()
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (torch_mod.ones(3, requires_grad=True) * 2).backward()


def test_backward_gradient_shape_mismatch_raises():
    x = _x()
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(ember.ones(4, dtype=ember.float64))


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        ember.ones(3).sum().backward()


def test_backward_twice_raises_unless_retain_graph():
    x = _x()
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.clone()
    y.backward()
    assert_close(x.grad, first * 2)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_saved_tensors_are_freed_after_backward():
    x = _x()
    y = x.exp()
    y.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.grad_fn.saved_tensors


def test_gradients_accumulate_across_backward_calls():
    x = _x()
    for _ in range(3):
        (x * 3).sum().backward()
    assert_close(x.grad, ember.full((3,), 9.0, dtype=ember.float64))
    x.grad.zero_()
    (x * 1).sum().backward()
    assert_close(x.grad, ember.ones(3, dtype=ember.float64))


def test_backward_inputs_limits_accumulation():
    a, b = _x(), _x((4.0, 5.0, 6.0))
    (a * b).sum().backward(inputs=[a])
    assert_close(a.grad, b.detach())
    assert b.grad is None
    with pytest.raises(RuntimeError, match="cannot be empty"):
        (a * b).sum().backward(inputs=[])


def test_backward_inputs_non_leaf(torch_mod):
    for mod in (ember, torch_mod):
        a = mod.tensor([1.0, 2.0], requires_grad=True)
        h = a * 3
        h.retain_grad()
        (h * h).sum().backward(inputs=[h])
        assert a.grad is None
        assert_close(h.grad, 2 * h.detach())


def test_autograd_backward_function_with_several_outputs():
    a = _x()
    ember.autograd.backward([(a * 2).sum(), (a * a).sum()])
    assert_close(a.grad, 2 + 2 * a.detach())
    a.grad = None
    ember.autograd.backward([a * 2, a * 1], [ember.ones(3, dtype=ember.float64)] * 2)
    assert_close(a.grad, ember.full((3,), 3.0, dtype=ember.float64))


def test_create_graph_backward_gives_differentiable_grad():
    x = _x()
    (x ** 3).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    assert_close(g, 3 * x.detach() ** 2)
    x.grad = None
    g.sum().backward()
    assert_close(x.grad, 6 * x.detach())


def test_broadcast_gradients_are_summed_to_input_shape(torch_mod):
    rng = np.random.default_rng(0)
    A, B, C = rng.standard_normal((3, 1)), rng.standard_normal(4), rng.standard_normal(())
    res = []
    for mod in (ember, torch_mod):
        a, b, c = (mod.tensor(v, requires_grad=True) for v in (A, B, C))
        ((a + b) * c / (b * b + 1) - a).pow(2).sum().backward()
        res.append((a.grad, b.grad, c.grad))
    for e, t in zip(*res):
        assert_close(e, t)
    assert tuple(res[0][0].shape) == (3, 1) and tuple(res[0][2].shape) == ()


def test_gradient_dtype_follows_input_dtype():
    a = ember.ones(3, dtype=ember.float32, requires_grad=True)
    b = ember.ones(3, dtype=ember.float64, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype is ember.float32 and b.grad.dtype is ember.float64


# ---- non-leaf .grad, retain_grad, detach, .data -----------------------------------------------
def test_non_leaf_grad_warns_unless_retained():
    x = _x()
    y = x * 2
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert y.grad is None
    y.retain_grad()
    assert y.retains_grad
    (y * y).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_close(y.grad, 2 * y.detach())
    assert_close(x.grad, 8 * x.detach())


def test_retain_grad_accumulates_and_needs_requires_grad():
    x = _x()
    y = x * 1
    y.retain_grad()
    (y * 2).sum().backward(retain_graph=True)
    (y * 2).sum().backward()
    assert_close(y.grad, ember.full((3,), 4.0, dtype=ember.float64))
    with pytest.raises(RuntimeError, match="retain_grad on Tensor that has requires_grad=False"):
        ember.ones(2).retain_grad()
    x.retain_grad()  # no-op on a leaf


def test_detach_shares_data_and_version_but_not_graph():
    x = _x()
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    d[0] = 10.0
    assert y[0].item() == 10.0
    assert d._version_counter == y._version_counter == 1


def test_detach_in_place():
    x = _x()
    y = x * 2
    assert y.detach_() is y
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


def test_data_shares_storage_not_version_and_is_outside_autograd():
    x = _x()
    d = x.data
    assert not d.requires_grad and d.is_leaf
    d.mul_(2)
    assert_close(x.detach(), ember.tensor([2.0, 4.0, 6.0], dtype=ember.float64))
    assert x._version_counter == 0
    x.data = ember.zeros(3, dtype=ember.float64)
    assert x.requires_grad and x.sum().item() == 0.0


def test_grad_setter_checks_shape_and_type():
    x = _x()
    x.grad = ember.ones(3, dtype=ember.float64)
    with pytest.raises(RuntimeError, match="different size"):
        x.grad = ember.ones(4, dtype=ember.float64)
    with pytest.raises(TypeError):
        x.grad = 3


def test_variable_returns_tensor():
    v = ember.autograd.Variable(ember.ones(2), requires_grad=True)
    assert type(v) is ember.Tensor and v.requires_grad
    (v * 2).sum().backward()
    assert_close(v.grad, ember.full((2,), 2.0))


def test_backward_under_no_grad_and_grad_with_create_graph(torch_mod):
    for mod in (ember, torch_mod):
        x = mod.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        with mod.no_grad():
            y.backward()  # grad mode only affects recording, not backward itself
            z = x * 2
        assert_close(x.grad, mod.tensor([2.0, 4.0]))
        with pytest.raises(RuntimeError, match="does not require grad"):
            z.sum().backward()
        cube = (x ** 3).sum()
        with mod.no_grad():
            (g,) = mod.autograd.grad(cube, x, create_graph=True)
        assert g.requires_grad
        assert_close(g.detach(), mod.tensor([3.0, 12.0]))


def test_grad_through_dtype_conversion_and_expand(torch_mod):
    res = []
    for mod in (ember, torch_mod):
        m = mod.tensor([1.0, 2.0], requires_grad=True)
        (m.double() * 2).sum().backward()
        e = mod.zeros(3, requires_grad=True)
        (e.expand(2, 3) * mod.tensor([[1.0], [2.0]])).sum().backward()
        res.append((m.grad, e.grad))
    for a, b in zip(*res):
        assert_close(a, b)
    assert res[0][0].dtype is ember.float32
