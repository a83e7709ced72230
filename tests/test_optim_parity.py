"""Every optimizer and option combination against real PyTorch (10 steps, same gradients)."""
import numpy as np
import pytest

import ember
from ember import optim
from ember.testing import assert_close

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, maximize=True, amsgrad=True, weight_decay=0.05)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True, maximize=True)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.9), weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.9), weight_decay=0.1, decoupled_weight_decay=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.9, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1, maximize=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.01, etas=(0.3, 1.5), step_sizes=(1e-4, 0.05), maximize=True)),
    ("ASGD", dict(lr=0.01)),
    ("ASGD", dict(lr=0.01, lambd=1e-3, alpha=0.5, t0=3, weight_decay=0.1)),
    ("Adafactor", dict()),
    ("Adafactor", dict(lr=0.05, beta2_decay=-0.5, eps=(1e-20, 1e-2), d=1.5, weight_decay=0.1,
                       maximize=True)),
]

SHAPES = [(3, 4), (5,)]


def _grad_fn(arrays, k):
    """A deterministic gradient for step k from the current parameter values."""
    return [(2.0 * (a - 0.3) + 0.5 * np.cos(3 * a + k) * (-1) ** k).astype(a.dtype)
            for a in arrays]


def _run(lib, name, kwargs, init, steps=10, dtype="float32"):
    params = [lib.tensor(a.astype(dtype), requires_grad=True) for a in init]
    opt = getattr(lib.optim, name)(params, **kwargs)
    for k in range(steps):
        grads = _grad_fn([p.detach().numpy() for p in params], k)
        for p, g in zip(params, grads):
            p.grad = lib.tensor(g)
        opt.step()
    return params, opt


def _init():
    rng = np.random.default_rng(0)
    return [rng.standard_normal(s).astype(np.float32) for s in SHAPES]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_matches_torch(torch_mod, name, kwargs):
    init = _init()
    ours, _ = _run(ember, name, kwargs, init)
    ref, _ = _run(torch_mod, name, kwargs, init)
    for a, b in zip(ours, ref):
        assert_close(a.detach(), b.detach(), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name,kwargs", CASES[::3], ids=[n for n, _ in CASES[::3]])
def test_matches_torch_float64(torch_mod, name, kwargs):
    init = _init()
    ours, _ = _run(ember, name, kwargs, init, dtype="float64")
    ref, _ = _run(torch_mod, name, kwargs, init, dtype="float64")
    for a, b in zip(ours, ref):
        assert_close(a.detach(), b.detach(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_state_dict_matches_torch_layout(torch_mod, name, kwargs):
    init = _init()
    _, ours = _run(ember, name, kwargs, init, steps=3)
    _, ref = _run(torch_mod, name, kwargs, init, steps=3)
    a, b = ours.state_dict(), ref.state_dict()
    assert list(a["state"]) == list(b["state"])
    assert a["param_groups"] == b["param_groups"]
    for i in b["state"]:
        assert list(a["state"][i]) == list(b["state"][i])
        for key, value in b["state"][i].items():
            if value is None:
                assert a["state"][i][key] is None
            else:
                assert_close(a["state"][i][key], value, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name,kwargs", [("Adam", dict(lr=0.01, amsgrad=True)),
                                         ("AdamW", dict(lr=0.01)), ("RMSprop", dict(lr=0.01)),
                                         ("SGD", dict(lr=0.1, momentum=0.9)),
                                         ("Adagrad", dict(lr=0.1)), ("NAdam", dict(lr=0.01))])
def test_complex_params_match_torch(torch_mod, name, kwargs):
    rng = np.random.default_rng(2)
    init = (rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))).astype(np.complex64)
    grads = [(rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))).astype(
        np.complex64) for _ in range(5)]
    out = []
    for lib in (ember, torch_mod):
        p = lib.tensor(init, requires_grad=True)
        opt = getattr(lib.optim, name)([p], **kwargs)
        for g in grads:
            p.grad = lib.tensor(g)
            opt.step()
        out.append(p.detach())
    assert_close(out[0], out[1], rtol=2e-5, atol=2e-6)


HALF_CASES = [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
              ("Adam", dict(lr=0.01, weight_decay=0.1, eps=1e-4)),
              ("AdamW", dict(lr=0.01, amsgrad=True, eps=1e-4)),
              ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
              ("Adagrad", dict(lr=0.1)), ("NAdam", dict(lr=0.01, eps=1e-4)),
              ("Adamax", dict(lr=0.01))]


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name,kwargs", HALF_CASES, ids=[n for n, _ in HALF_CASES])
def test_half_precision_matches_torch(torch_mod, name, kwargs, dtype):
    rng = np.random.default_rng(0)
    init = rng.standard_normal((16, 16)).astype(np.float32)
    grads = [rng.standard_normal((16, 16)).astype(np.float32) for _ in range(3)]
    out = []
    for lib in (ember, torch_mod):
        p = lib.tensor(init).to(getattr(lib, dtype)).requires_grad_()
        opt = getattr(lib.optim, name)([p], **kwargs)
        for g in grads:
            p.grad = lib.tensor(g).to(getattr(lib, dtype))
            opt.step()
        out.append(p.detach().float().numpy())
    ulp = 2.0 ** (-10 if dtype == "float16" else -7)
    assert np.isfinite(out[1]).all()
    np.testing.assert_allclose(out[0], out[1], rtol=ulp, atol=1e-6)


@pytest.mark.parametrize("shape", [(8, 5), (4, 9)])
@pytest.mark.parametrize("kwargs", [dict(lr=0.02), dict(lr=0.02, nesterov=False, weight_decay=0.0,
                                                        adjust_lr_fn="match_rms_adamw")])
def test_muon_matches_torch(torch_mod, shape, kwargs):
    rng = np.random.default_rng(0)
    init = rng.standard_normal(shape).astype(np.float32)
    grads = [rng.standard_normal(shape).astype(np.float32) for _ in range(4)]
    out = []
    for lib in (ember, torch_mod):
        p = lib.tensor(init, requires_grad=True)
        opt = lib.optim.Muon([p], **kwargs)
        for g in grads:
            p.grad = lib.tensor(g)
            opt.step()
        out.append(p.detach())
    assert_close(out[0], out[1], rtol=1e-5, atol=1e-6)


def test_muon_rejects_non_matrices():
    with pytest.raises(ValueError, match="Muon only supports 2D parameters"):
        optim.Muon([ember.zeros(3, requires_grad=True)])
