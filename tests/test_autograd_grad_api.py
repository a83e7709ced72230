"""autograd.grad, higher-order derivatives, and autograd.functional (vs real torch)."""
import numpy as np
import pytest

import ember
from ember.testing import assert_close


def _t(mod, arr, rg=True):
    return mod.tensor(np.asarray(arr, dtype=np.float64), requires_grad=rg)


def test_grad_returns_without_accumulating():
    a = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    b = ember.tensor([3.0, 4.0], dtype=ember.float64, requires_grad=True)
    out = (a * a * b).sum()
    ga, gb = ember.autograd.grad(out, [a, b])
    assert_close(ga, 2 * a.detach() * b.detach())
    assert_close(gb, a.detach() ** 2)
    assert a.grad is None and b.grad is None
    assert not ga.requires_grad


def test_grad_outputs_and_non_scalar():
    a = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    y = a * a
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        ember.autograd.grad(y, a, retain_graph=True)
    (g,) = ember.autograd.grad(y, a, grad_outputs=ember.tensor([1.0, -1.0], dtype=ember.float64))
    assert_close(g, ember.tensor([2.0, -4.0], dtype=ember.float64))


def test_grad_of_intermediate_tensor():
    a = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    h = a.exp()
    out = (h * 3).sum()
    (gh,) = ember.autograd.grad(out, h)
    assert_close(gh, ember.full((2,), 3.0, dtype=ember.float64))
    assert a.grad is None


def test_allow_unused_and_materialize_grads(torch_mod):
    for mod in (ember, torch_mod):
        a = _t(mod, [1.0, 2.0])
        c = _t(mod, [1.0])
        out = (a * a).sum()
        with pytest.raises(RuntimeError, match="index 1 appears to not have been used in the graph"):
            mod.autograd.grad(out, [a, c], retain_graph=True)
        ga, gc = mod.autograd.grad(out, [a, c], retain_graph=True, allow_unused=True)
        assert gc is None
        ga, gc = mod.autograd.grad(out, [a, c], materialize_grads=True)
        assert_close(gc, mod.zeros(1, dtype=mod.float64))


def test_grad_input_not_requiring_grad_raises():
    a = ember.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="does not require grad"):
        ember.autograd.grad((a * 2).sum(), [ember.ones(1)])


def test_grad_retain_graph():
    a = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    out = a.exp().sum()
    g1 = ember.autograd.grad(out, a, retain_graph=True)[0]
    g2 = ember.autograd.grad(out, a)[0]
    assert_close(g1, g2)
    with pytest.raises(RuntimeError, match="second time"):
        ember.autograd.grad(out, a)


def test_higher_order_derivatives():
    x = ember.tensor(2.0, dtype=ember.float64, requires_grad=True)
    y = x ** 3 + x.sin()
    (g1,) = ember.autograd.grad(y, x, create_graph=True)
    (g2,) = ember.autograd.grad(g1, x, create_graph=True)
    (g3,) = ember.autograd.grad(g2, x, create_graph=True)
    (g4,) = ember.autograd.grad(g3, x)
    v = 2.0
    assert_close(g1, ember.tensor(3 * v ** 2 + np.cos(v), dtype=ember.float64))
    assert_close(g2, ember.tensor(6 * v - np.sin(v), dtype=ember.float64))
    assert_close(g3, ember.tensor(6 - np.cos(v), dtype=ember.float64))
    assert_close(g4, ember.tensor(np.sin(v), dtype=ember.float64))


def test_double_backward_vs_torch_on_a_small_net(torch_mod):
    rng = np.random.default_rng(1)
    W, X = rng.standard_normal((4, 3)), rng.standard_normal((5, 4))
    res = []
    for mod in (ember, torch_mod):
        w, x = _t(mod, W), _t(mod, X)
        y = (x @ w).tanh().pow(2).sum()
        (gx,) = mod.autograd.grad(y, x, create_graph=True)
        penalty = (gx * gx).sum()  # gradient penalty, as in WGAN-GP
        penalty.backward()
        res.append((penalty.detach(), w.grad, x.grad))
    for e, t in zip(*res):
        assert_close(e, t)


def test_grad_with_create_graph_on_multiple_outputs(torch_mod):
    res = []
    for mod in (ember, torch_mod):
        a = _t(mod, [0.5, -1.0, 2.0])
        o1, o2 = (a ** 2).sum(), (a.exp() * a).sum()
        g = mod.autograd.grad([o1, o2], a, create_graph=True)[0]
        (gg,) = mod.autograd.grad(g.sum(), a)
        res.append((g.detach(), gg))
    assert_close(res[0][0], res[1][0])
    assert_close(res[0][1], res[1][1])


# ---- autograd.functional vs torch -----------------------------------------------------------
def _f_vec(x):
    return (x.sin() * x.sum()).exp()


def _f_two(x, y):
    return x * y.sum() + y[:2].pow(2)


def _inputs(mod):
    rng = np.random.default_rng(2)
    return _t(mod, rng.standard_normal(3), rg=False), _t(mod, rng.standard_normal(4), rg=False)


def test_functional_jacobian_vs_torch(torch_mod):
    ex, ey = _inputs(ember)
    tx, ty = _inputs(torch_mod)
    assert_close(ember.autograd.functional.jacobian(_f_vec, ex),
                 torch_mod.autograd.functional.jacobian(_f_vec, tx))
    je = ember.autograd.functional.jacobian(_f_two, (ex[:2], ey))
    jt = torch_mod.autograd.functional.jacobian(_f_two, (tx[:2], ty))
    assert len(je) == 2
    for a, b in zip(je, jt):
        assert_close(a, b)


def test_functional_hessian_vs_torch(torch_mod):
    ex, _ = _inputs(ember)
    tx, _ = _inputs(torch_mod)

    def f(x):
        return (x.pow(3) * x.sum()).sum() + (x[0] * x[1]).exp()
    assert_close(ember.autograd.functional.hessian(f, ex),
                 torch_mod.autograd.functional.hessian(f, tx))


def test_functional_vjp_jvp_hvp_vhp_vs_torch(torch_mod):
    ex, ey = _inputs(ember)
    tx, ty = _inputs(torch_mod)
    v = np.array([0.3, -1.0, 2.0])
    ev, tv = _t(ember, v, rg=False), _t(torch_mod, v, rg=False)

    def f(x):
        return (x.pow(3) * x.sum()).sum()
    for name, fn in (("vjp", _f_vec), ("jvp", _f_vec), ("hvp", f), ("vhp", f)):
        oe, ge = getattr(ember.autograd.functional, name)(fn, ex, ev)
        ot, gt = getattr(torch_mod.autograd.functional, name)(fn, tx, tv)
        assert_close(oe, ot)
        assert_close(ge, gt)


def test_functional_tuple_inputs_vjp(torch_mod):
    ex, ey = _inputs(ember)
    tx, ty = _inputs(torch_mod)
    ve = _t(ember, np.ones(2), rg=False)
    vt = _t(torch_mod, np.ones(2), rg=False)
    oe, ge = ember.autograd.functional.vjp(_f_two, (ex[:2], ey), ve)
    ot, gt = torch_mod.autograd.functional.vjp(_f_two, (tx[:2], ty), vt)
    assert_close(oe, ot)
    for a, b in zip(ge, gt):
        assert_close(a, b)
