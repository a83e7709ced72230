"""Issues 4-5 numbers against real PyTorch: layers built with the listed arguments give
torch's outputs after loading torch's weights; losses with their listed options give torch's values
and input gradients; optimizers with every listed option follow torch's trajectory; LBFGS (both line
searches) and the schedulers with non-default arguments match. Skips cleanly without torch.
"""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

from api_surface_util import LAYERS  # noqa: E402

INPUTS = {  # name -> input shape(s)
    "Linear": [(2, 4)],
    "Bilinear": [(2, 2), (2, 3)],
    "Conv1d": [(1, 2, 7)],
    "Conv2d": [(1, 2, 6, 6)],
    "Conv3d": [(1, 2, 5, 5, 5)],
    "ConvTranspose1d": [(1, 2, 5)],
    "ConvTranspose2d": [(1, 4, 4, 4)],
    "BatchNorm1d": [(4, 5)],
    "BatchNorm2d": [(2, 5, 3, 3)],
    "LayerNorm": [(2, 3, 4)],
    "GroupNorm": [(2, 4, 3)],
    "InstanceNorm2d": [(2, 4, 3, 3)],
    "PReLU": [(2, 3)],
    "RNN": [(5, 2, 3)],
    "LSTM": [(5, 2, 3)],
    "GRU": [(5, 2, 3)],
    "RNNCell": [(2, 3)],
    "LSTMCell": [(2, 3)],
    "GRUCell": [(2, 3)],
    "TransformerEncoderLayer": [(3, 2, 8)],
}


@pytest.mark.parametrize(
    "name, args, kw", [c for c in LAYERS if c[0] in INPUTS], ids=lambda v: str(v)
)
def test_layer_forward_matches_torch(name, args, kw):
    tm = getattr(torch.nn, name)(*args, **kw).double()
    em = getattr(ember.nn, name)(*args, **kw).double()
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    if "Transformer" in name:  # dropout off
        tm.eval()
        em.eval()
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal(s) for s in INPUTS[name]]
    to = tm(*[torch.tensor(x) for x in xs])
    eo = em(*[ember.tensor(x) for x in xs])
    if isinstance(to, tuple):
        to, eo = to[0], eo[0]
    ember.testing.assert_close(eo.detach(), to.detach().numpy(), rtol=1e-9, atol=1e-10)


rng = np.random.default_rng(0)
x = rng.standard_normal((4, 3))
y = rng.standard_normal((4, 3))
p = 1 / (1 + np.exp(-x))
t01 = (rng.random((4, 3)) > 0.5).astype(float)
cls = np.array([0, 2, 1, 2])
pos = np.abs(y) + 0.1
sgn = np.sign(rng.standard_normal(4))
LOSSES = {
    "MSELoss": (dict(reduction="sum"), [x, y]),
    "L1Loss": (dict(reduction="none"), [x, y]),
    "SmoothL1Loss": (dict(beta=0.5), [x, y]),
    "HuberLoss": (dict(delta=0.7, reduction="sum"), [x, y]),
    "CrossEntropyLoss": (dict(weight=[1.0, 2, 3], ignore_index=1, label_smoothing=0.2), [x, cls]),
    "CrossEntropyLoss/prob": (dict(label_smoothing=0.1), [x, p / p.sum(1, keepdims=True)]),
    "NLLLoss": (dict(reduction="sum"), [x, cls]),
    "BCELoss": (dict(weight=[1.0, 2, 3]), [p, t01]),
    "BCEWithLogitsLoss": (dict(pos_weight=[1.0, 2, 3]), [x, t01]),
    "KLDivLoss": (dict(reduction="batchmean", log_target=True), [x, y]),
    "CosineEmbeddingLoss": (dict(margin=0.2), [x, y, sgn]),
    "MarginRankingLoss": (dict(margin=0.1), [x[:, 0], y[:, 0], sgn]),
    "TripletMarginLoss": (dict(margin=0.5, p=1.0, swap=True), [x, y, y[::-1].copy()]),
    "HingeEmbeddingLoss": (dict(margin=0.5), [x, np.sign(y)]),
    "MultiLabelSoftMarginLoss": ({}, [x, t01]),
    "PoissonNLLLoss": (dict(log_input=False, full=True), [pos, y * 0 + 2.0]),
    "GaussianNLLLoss": (dict(full=True, eps=1e-3), [x, y, pos]),
}


@pytest.mark.parametrize("case", list(LOSSES))
def test_loss_options_match_torch(case):
    kw, args = LOSSES[case]
    cname = case.split("/")[0]
    out = []
    for L in (torch, ember):
        kk = {
            k: (L.tensor(v, dtype=L.float64) if isinstance(v, list) else v) for k, v in kw.items()
        }
        aa = [L.tensor(a) for a in args]
        aa[0].requires_grad_(True)
        r = getattr(L.nn, cname)(**kk)(*aa)
        r.sum().backward()
        out.append((r.detach().numpy(), aa[0].grad.numpy()))
    np.testing.assert_allclose(out[1][0], out[0][0], rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(out[1][1], out[0][1], rtol=1e-9, atol=1e-10)


OPTS = [
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01, maximize=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1, amsgrad=True)),
    ("Adam", dict(lr=0.01, maximize=True, foreach=False)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, momentum_decay=0.005, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1, momentum=0.5, centered=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1)),
    ("Adadelta", dict(lr=1.0, rho=0.8, weight_decay=0.1)),
    ("Rprop", dict(lr=0.01, etas=(0.4, 1.3), step_sizes=(1e-5, 1.0))),
    ("ASGD", dict(lr=0.01, lambd=1e-3, t0=2)),
]


def _trajectory(L, name, kw):
    p = L.nn.Parameter(L.tensor(np.linspace(-1, 1, 6).reshape(2, 3)))
    o = getattr(L.optim, name)([p], **kw)
    for i in range(10):
        o.zero_grad()
        ((p**2).sum() * (i + 1) + p.sin().sum()).backward()
        o.step()
    return p.detach().numpy()


@pytest.mark.parametrize("name, kw", OPTS, ids=lambda v: str(v))
def test_optimizer_options_match_torch(name, kw):
    np.testing.assert_allclose(
        _trajectory(ember, name, kw), _trajectory(torch, name, kw), rtol=1e-10, atol=1e-12
    )


def _lbfgs(L, line_search_fn):
    p = L.nn.Parameter(L.tensor([-1.5, 2.0], dtype=L.float64))
    o = L.optim.LBFGS(
        [p],
        lr=1,
        history_size=5,
        max_iter=20,
        tolerance_grad=1e-9,
        tolerance_change=1e-12,
        line_search_fn=line_search_fn,
    )

    def closure():
        o.zero_grad()
        loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
        loss.backward()
        return loss

    o.step(closure)  # one step of 20 iterations: float rounding later grows chaotically
    return p.detach().numpy()


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_options_match_torch(line_search_fn):
    np.testing.assert_allclose(
        _lbfgs(ember, line_search_fn), _lbfgs(torch, line_search_fn), rtol=1e-8, atol=1e-10
    )


SCHEDS = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5], gamma=0.3)),
    ("ConstantLR", dict(factor=0.5, total_iters=4)),
    ("LinearLR", dict(start_factor=0.2, end_factor=0.9, total_iters=6)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("PolynomialLR", dict(total_iters=8, power=2.0)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.01)),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2, eta_min=0.001)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=3, mode="exp_range", gamma=0.9)),
    (
        "OneCycleLR",
        dict(max_lr=0.5, total_steps=30, pct_start=0.2, anneal_strategy="linear", three_phase=True),
    ),
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.95)),
    ("LambdaLR", dict(lr_lambda=lambda e: 1 / (e + 1))),
]


def _lrs(L, name, kw):
    p = L.nn.Parameter(L.ones(1))
    o = L.optim.SGD([p], lr=0.1, momentum=0.9)
    s = getattr(L.optim.lr_scheduler, name)(o, **kw)
    out = []
    for _ in range(25):
        o.step()
        s.step()
        out.append(s.get_last_lr()[0])
    return out


@pytest.mark.parametrize("name, kw", SCHEDS, ids=lambda v: str(v))
def test_scheduler_options_match_torch(name, kw):
    np.testing.assert_allclose(_lrs(ember, name, kw), _lrs(torch, name, kw), rtol=1e-12, atol=0)


def test_reduce_on_plateau_matches_torch():
    def run(L):
        p = L.nn.Parameter(L.ones(1))
        o = L.optim.SGD([p], lr=1.0)
        s = L.optim.lr_scheduler.ReduceLROnPlateau(
            o,
            mode="max",
            factor=0.5,
            patience=2,
            threshold=0.1,
            threshold_mode="abs",
            cooldown=1,
            min_lr=0.05,
        )
        out = []
        for m in [1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3]:
            o.step()
            s.step(m)
            out.append(o.param_groups[0]["lr"])
        return out

    assert run(ember) == run(torch)
