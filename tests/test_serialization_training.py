"""Module and optimizer state survive ember.save/ember.load and resume training identically."""
import numpy as np
import pytest

import ember
from ember import nn, optim
from ember.testing import assert_close


def _model():
    ember.manual_seed(0)
    return nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 3))


def _batches(n):
    rng = np.random.default_rng(0)
    return [(ember.tensor(rng.standard_normal((8, 5)).astype(np.float32)),
             ember.tensor(rng.integers(0, 3, 8))) for _ in range(n)]


def _train(model, opt, sched, batches):
    for x, y in batches:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()


@pytest.mark.parametrize("name,kwargs", [("Adam", dict(lr=0.01)),
                                         ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
                                         ("RMSprop", dict(lr=0.01, centered=True))])
def test_resume_training_identically(tmp_path, name, kwargs):
    batches = _batches(10)
    model = _model()
    opt = getattr(optim, name)(model.parameters(), **kwargs)
    sched = optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    _train(model, opt, sched, batches[:5])
    ember.save({"model": model.state_dict(), "opt": opt.state_dict(),
                "sched": sched.state_dict()}, tmp_path / "ckpt.pt")
    _train(model, opt, sched, batches[5:])

    model2 = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 3))
    opt2 = getattr(optim, name)(model2.parameters(), **kwargs)
    sched2 = optim.lr_scheduler.StepLR(opt2, step_size=3, gamma=0.5)
    ckpt = ember.load(tmp_path / "ckpt.pt")
    model2.load_state_dict(ckpt["model"])
    opt2.load_state_dict(ckpt["opt"])
    sched2.load_state_dict(ckpt["sched"])
    _train(model2, opt2, sched2, batches[5:])
    for (k, a), (_, b) in zip(model.state_dict().items(), model2.state_dict().items()):
        assert_close(b, a, rtol=0, atol=0, msg=k)
    assert sched2.get_last_lr() == sched.get_last_lr()


def test_ember_optimizer_state_loads_into_torch(torch_mod, tmp_path):
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    _train(model, opt, None, _batches(3))
    ember.save({"model": model.state_dict(), "opt": opt.state_dict()}, tmp_path / "c.pt")
    ckpt = torch_mod.load(tmp_path / "c.pt", weights_only=True)
    tm = torch_mod.nn.Sequential(torch_mod.nn.Linear(5, 16), torch_mod.nn.ReLU(),
                                 torch_mod.nn.Linear(16, 3))
    tm.load_state_dict(ckpt["model"])
    topt = torch_mod.optim.Adam(tm.parameters(), lr=0.01)
    topt.load_state_dict(ckpt["opt"])
    assert topt.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    assert float(topt.state_dict()["state"][0]["step"]) == 3.0
    # one more identical step in both frameworks
    x, y = _batches(4)[3]
    _train(model, opt, None, [(x, y)])
    topt.zero_grad()
    torch_mod.nn.functional.cross_entropy(tm(torch_mod.tensor(x.numpy())),
                                          torch_mod.tensor(y.numpy())).backward()
    topt.step()
    for (k, a), b in zip(model.state_dict().items(), tm.state_dict().values()):
        assert_close(a, b, rtol=1e-5, atol=1e-6, msg=k)
