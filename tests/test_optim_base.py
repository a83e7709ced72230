"""Optimizer base behaviour: groups, errors, zero_grad, closures, hooks, state_dict, LBFGS."""
import copy
import math

import numpy as np
import pytest

import ember
from ember import optim
from ember.testing import assert_close


def _leaf(values, dtype=ember.float32):
    return ember.tensor(values, dtype=dtype, requires_grad=True)


def test_first_steps_hand_computed():
    p = _leaf([1.0, -2.0])
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    for _ in range(2):
        p.grad = ember.tensor([0.5, 1.0])
        opt.step()
    # buf1 = g; buf2 = 0.9 g + g = 1.9 g; p = p0 - 0.1 g - 0.19 g
    assert_close(p.detach(), ember.tensor([1.0 - 0.29 * 0.5, -2.0 - 0.29 * 1.0]))
    p = _leaf([1.0, -2.0], ember.float64)
    opt = optim.Adam([p], lr=0.01)
    p.grad = ember.tensor([0.5, -1.0], dtype=ember.float64)
    opt.step()
    g = np.array([0.5, -1.0])
    m, v = 0.1 * g, 0.001 * g * g
    expected = np.array([1.0, -2.0]) - 0.01 / 0.1 * m / (np.sqrt(v) / math.sqrt(0.001) + 1e-8)
    assert_close(p.detach(), ember.tensor(expected))
    p = _leaf([1.0, 4.0], ember.float64)
    opt = optim.Adagrad([p], lr=0.5)
    p.grad = ember.tensor([2.0, -3.0], dtype=ember.float64)
    opt.step()
    assert_close(p.detach(), ember.tensor([1.0 - 0.5 * 2 / (2 + 1e-10),
                                           4.0 + 0.5 * 3 / (3 + 1e-10)], dtype=ember.float64))


def test_errors_match_torch():
    with pytest.raises(ValueError, match=r"^Invalid learning rate: -0.1$"):
        optim.SGD([_leaf([1.0])], lr=-0.1)
    with pytest.raises(ValueError, match=r"Invalid beta parameter at index 0: 1.0"):
        optim.Adam([_leaf([1.0])], betas=(1.0, 0.9))
    with pytest.raises(ValueError, match=r"Invalid beta parameter at index 1: -0.5"):
        optim.Adam([_leaf([1.0])], betas=(0.9, -0.5))
    x = _leaf([1.0])
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([x * 2], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter "
                                         "group"):
        optim.SGD([{"params": [x]}, {"params": [x]}], lr=0.1)
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts"):
        optim.SGD(x, lr=0.1)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors"):
        optim.SGD([1.0], lr=0.1)
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero "
                                         "dampening"):
        optim.SGD([x], lr=0.1, nesterov=True)
    with pytest.raises(NotImplementedError, match="differentiable"):
        optim.Adam([x], differentiable=True)
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        optim.LBFGS([{"params": [x]}, {"params": [_leaf([2.0])]}])
    optim.Adam([x], foreach=True, fused=False, capturable=False)  # accepted and ignored


def test_torch_error_types_agree(torch_mod):
    for lib in (ember, torch_mod):
        with pytest.raises(ValueError) as e:
            lib.optim.SGD([lib.tensor([1.0], requires_grad=True)], lr=-0.1)
        assert str(e.value) == "Invalid learning rate: -0.1"
        y = lib.tensor([1.0], requires_grad=True) * 2
        with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
            lib.optim.Adam([y])


def test_param_groups_and_named_params():
    a, b = _leaf([1.0]), _leaf([2.0])
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.9
    c = _leaf([3.0])
    opt.add_param_group({"params": [c], "lr": 0.01})
    assert opt.param_groups[2]["params"][0] is c
    named = optim.Adam([("w", a), ("b", b)], lr=0.1)
    assert named.param_groups[0]["param_names"] == ["w", "b"]
    assert named.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]
    with pytest.raises(ValueError, match="parameter group didn't specify a value of required"):
        optim.SGD([a], lr=optim.optimizer.required)


def test_zero_grad_and_closure():
    p = _leaf([1.0, 2.0])
    opt = optim.SGD([p], lr=0.1)
    p.grad = ember.tensor([1.0, 1.0])
    opt.zero_grad(set_to_none=False)
    assert_close(p.grad, ember.zeros(2))
    opt.zero_grad()
    assert p.grad is None

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss
    loss = opt.step(closure)
    assert float(loss) == 5.0
    assert_close(p.detach(), ember.tensor([0.8, 1.6]))


def test_step_hooks():
    p = _leaf([1.0])
    opt = optim.SGD([p], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append(("pre", o is opt)))
    opt.register_step_post_hook(lambda o, a, k: calls.append(("post", float(p))))
    p.grad = ember.tensor([1.0])
    opt.step()
    assert calls == [("pre", True), ("post", 0.8999999761581421)]
    h1.remove()
    opt.step()
    assert calls[-1][0] == "post" and len(calls) == 3


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.1, momentum=0.9)),
                                         ("Adam", dict(lr=0.01, amsgrad=True)),
                                         ("NAdam", dict(lr=0.01)), ("RMSprop", dict(lr=0.01,
                                                                                    centered=True)),
                                         ("Rprop", dict()), ("ASGD", dict(t0=2)),
                                         ("Adagrad", dict())])
def test_state_dict_round_trip_mid_training(name, kwargs):
    rng = np.random.default_rng(1)
    init = rng.standard_normal((4, 3)).astype(np.float32)
    grads = [rng.standard_normal((4, 3)).astype(np.float32) for _ in range(8)]

    def make():
        p = ember.tensor(init.copy(), requires_grad=True)
        return p, getattr(optim, name)([p], **kwargs)
    p, opt = make()
    for g in grads[:4]:
        p.grad = ember.tensor(g)
        opt.step()
    sd = copy.deepcopy(opt.state_dict())
    snapshot = p.detach().clone()
    for g in grads[4:]:
        p.grad = ember.tensor(g)
        opt.step()
    q, opt2 = make()
    with ember.no_grad():
        q.copy_(snapshot)
    opt2.load_state_dict(sd)
    for g in grads[4:]:
        q.grad = ember.tensor(g)
        opt2.step()
    assert_close(q.detach(), p.detach(), rtol=0, atol=0)


def test_load_state_dict_casts_to_param_dtype_but_not_step():
    p = _leaf([1.0, 2.0], ember.float64)
    opt = optim.Adam([p])
    p.grad = ember.tensor([1.0, 1.0], dtype=ember.float64)
    opt.step()
    sd = opt.state_dict()
    sd["state"][0]["exp_avg"] = sd["state"][0]["exp_avg"].float()
    q = _leaf([1.0, 2.0], ember.float64)
    opt2 = optim.Adam([q])
    opt2.load_state_dict(sd)
    assert opt2.state[q]["exp_avg"].dtype is ember.float64
    assert opt2.state[q]["step"].dtype is ember.float32
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt2.load_state_dict({"state": {}, "param_groups": []})


def _rosenbrock(xy):
    x, y = xy[0], xy[1]
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def _lbfgs_iterates(lib, line_search_fn, steps, max_iter=20):
    xy = lib.tensor([-1.5, 2.0], dtype=lib.float64, requires_grad=True)
    opt = lib.optim.LBFGS([xy], lr=1, max_iter=max_iter, history_size=10,
                          line_search_fn=line_search_fn, tolerance_grad=1e-12,
                          tolerance_change=1e-15)

    def closure():
        opt.zero_grad()
        loss = _rosenbrock(xy)
        loss.backward()
        return loss
    out = []
    for _ in range(steps):
        opt.step(closure)
        out.append(xy.detach().numpy().copy())
    return out


@pytest.mark.parametrize("ls", [None, "strong_wolfe"])
def test_lbfgs_minimises_rosenbrock(ls):
    its = _lbfgs_iterates(ember, ls, 10)
    np.testing.assert_allclose(its[-1], [1.0, 1.0], atol=1e-5)


@pytest.mark.parametrize("ls", [None, "strong_wolfe"])
def test_lbfgs_iterates_match_torch(torch_mod, ls):
    # one iteration per step without a line search: Rosenbrock amplifies last-bit differences
    steps, max_iter = (12, 1) if ls is None else (3, 20)
    ours = _lbfgs_iterates(ember, ls, steps, max_iter)
    ref = _lbfgs_iterates(torch_mod, ls, steps, max_iter)
    np.testing.assert_allclose(np.array(ours), np.array(ref), rtol=1e-9, atol=1e-9)


def test_tensor_lr_acts_like_its_value():
    a, b = _leaf([1.0, 2.0]), _leaf([1.0, 2.0])
    oa = optim.Adam([a], lr=ember.tensor(0.1))
    ob = optim.Adam([b], lr=0.1)
    for _ in range(3):
        a.grad = ember.tensor([0.3, -0.2])
        b.grad = ember.tensor([0.3, -0.2])
        oa.step()
        ob.step()
    assert_close(a.detach(), b.detach(), rtol=0, atol=0)


@pytest.mark.parametrize("name", ["Adam", "SGD", "RMSprop", "Adagrad"])
def test_torch_optimizer_state_resumes_in_ember(torch_mod, name):
    import io
    kwargs = {"SGD": dict(lr=0.1, momentum=0.9)}.get(name, dict(lr=0.01))
    rng = np.random.default_rng(3)
    init = rng.standard_normal((3, 2)).astype(np.float32)
    grads = [rng.standard_normal((3, 2)).astype(np.float32) for _ in range(6)]
    tp = torch_mod.tensor(init, requires_grad=True)
    topt = getattr(torch_mod.optim, name)([tp], **kwargs)
    for g in grads[:3]:
        tp.grad = torch_mod.tensor(g)
        topt.step()
    buf = io.BytesIO()
    torch_mod.save({"p": tp.detach(), "opt": topt.state_dict()}, buf)
    for g in grads[3:]:
        tp.grad = torch_mod.tensor(g)
        topt.step()
    buf.seek(0)
    ckpt = ember.load(buf)
    ep = ckpt["p"].clone().requires_grad_()
    eopt = getattr(optim, name)([ep], **kwargs)
    eopt.load_state_dict(ckpt["opt"])
    for g in grads[3:]:
        ep.grad = ember.tensor(g)
        eopt.step()
    assert_close(ep.detach(), tp.detach(), rtol=2e-6, atol=1e-7)


def test_update_bn_recomputes_running_stats():
    from ember.optim.swa_utils import update_bn
    model = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.BatchNorm1d(4))
    rng = np.random.default_rng(0)
    xs = [ember.tensor(rng.standard_normal((5, 3)).astype(np.float32)) for _ in range(4)]
    model.eval()
    update_bn([(x, 0) for x in xs], model)
    assert not model.training
    with ember.no_grad():
        feats = [model[0](x).numpy() for x in xs]
    # momentum=None: cumulative average of the per-batch means
    expected = np.mean([f.mean(0) for f in feats], 0)
    np.testing.assert_allclose(model[1].running_mean.numpy(), expected, rtol=1e-5, atol=1e-6)
    assert model[1].momentum == 0.1


def test_user_subclass_with_own_step_gets_hooks_and_state_dict():
    class SignSGD(optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        @ember.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self.state[p]["n"] = self.state[p].get("n", 0) + 1
                        p.add_(p.grad.sign(), alpha=-group["lr"])

    p = _leaf([1.0, -1.0])
    opt = SignSGD([p])
    seen = []
    opt.register_step_pre_hook(lambda o, a, k: seen.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: seen.append("post"))
    p.grad = ember.tensor([3.0, -0.5])
    opt.step()
    assert seen == ["pre", "post"]
    assert_close(p.detach(), ember.tensor([0.9, -0.9]))
    assert opt.state_dict()["state"] == {0: {"n": 1}}
