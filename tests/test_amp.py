"""``torch.amp``: GradScaler follows PyTorch's loss scaling step for step; autocast works
switched off and refuses to run switched on."""
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _pair():
    torch.manual_seed(0)
    tm = torch.nn.Linear(3, 2)
    em = ember.nn.Linear(3, 2)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return tm, em


@pytest.mark.parametrize("enabled", [True, False])
def test_grad_scaler_matches_torch(enabled):
    tm, em = _pair()
    topt, eopt = torch.optim.SGD(tm.parameters(), lr=0.1), ember.optim.SGD(em.parameters(),
                                                                           lr=0.1)
    ts = torch.amp.GradScaler("cpu", init_scale=1024.0, growth_interval=2, enabled=enabled)
    es = ember.amp.GradScaler("cpu", init_scale=1024.0, growth_interval=2, enabled=enabled)
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    for it in range(7):
        for m, opt, s, inp in ((tm, topt, ts, torch.tensor(x)), (em, eopt, es, ember.tensor(x))):
            opt.zero_grad()
            s.scale(m(inp).pow(2).mean()).backward()
            if it == 3:                      # an overflowing step is skipped and backs off
                m.weight.grad[0, 0] = float("inf")
            if it == 5:
                s.unscale_(opt)              # explicit unscale (e.g. before clipping)
            s.step(opt)
            s.update()
        assert es.get_scale() == ts.get_scale()
        for p, q in zip(tm.parameters(), em.parameters()):
            np.testing.assert_allclose(q.detach().numpy(), p.detach().numpy(), rtol=1e-6,
                                       atol=1e-7)
    assert es.state_dict() == {k: (v.item() if hasattr(v, "item") else v)
                               for k, v in ts.state_dict().items()}
    assert es.is_enabled() == ts.is_enabled() == enabled


def test_grad_scaler_state_dict_and_errors():
    s = ember.amp.GradScaler("cpu")
    s.load_state_dict({"scale": 8.0, "growth_factor": 3.0, "backoff_factor": 0.25,
                       "growth_interval": 5, "_growth_tracker": 2})
    assert s.get_scale() == 8.0 and s.get_growth_factor() == 3.0
    opt = ember.optim.SGD(ember.nn.Linear(1, 1).parameters(), lr=0.1)
    s.unscale_(opt)
    with pytest.raises(RuntimeError, match="already been called"):
        s.unscale_(opt)
    with pytest.raises(RuntimeError, match="empty"):
        s.load_state_dict({})
    assert ember.GradScaler is ember.amp.GradScaler


def test_cuda_scaler_without_cuda_disables_itself():
    if ember.cuda.is_available():
        pytest.skip("CUDA is available here")
    with pytest.warns(UserWarning, match="CUDA is not available"):
        s = ember.amp.GradScaler()
    assert not s.is_enabled() and s.get_scale() == 1.0 and s.state_dict() == {}
    loss = ember.tensor(2.0)
    assert s.scale(loss) is loss


def test_autocast_off_is_a_no_op_and_on_refuses():
    x = ember.ones(2)
    with ember.autocast("cpu", enabled=False):
        assert not ember.is_autocast_enabled()
        y = x * 2
    assert y.dtype == ember.float32

    @ember.amp.autocast("cuda", enabled=False)
    def f(a):
        return a + 1
    assert ember.equal(f(x), x + 1)
    with pytest.raises(NotImplementedError, match="docs/unsupported.md"):
        ember.autocast("cpu", dtype=ember.bfloat16)
    with pytest.raises(ValueError, match="device_type"):
        ember.autocast(ember.device("cpu"), enabled=False)
    assert ember.amp.is_autocast_available("cpu") is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.amp.GradScaler("cpu", enabled=False)
