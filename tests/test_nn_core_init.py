"""nn.init (distributions, bounds, gains, fans, errors vs torch) and nn.utils (gradient
clipping, parameter/vector conversion) checked against torch and hand-computed values."""
import copy
import math

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn import init
from ember.testing import assert_close


@pytest.mark.parametrize("nl,param", [("linear", None), ("conv2d", None), ("sigmoid", None),
                                      ("tanh", None), ("relu", None), ("leaky_relu", None),
                                      ("leaky_relu", 0.2), ("selu", None)])
def test_calculate_gain(torch_mod, nl, param):
    assert init.calculate_gain(nl, param) == pytest.approx(torch_mod.nn.init.calculate_gain(nl, param))


def test_gain_and_fan_errors(torch_mod):
    for call in [lambda m: m.nn.init.calculate_gain("foo"),
                 lambda m: m.nn.init.calculate_gain("leaky_relu", "x"),
                 lambda m: m.nn.init._calculate_fan_in_and_fan_out(m.ones(3)),
                 lambda m: m.nn.init.kaiming_uniform_(m.ones(3, 2), mode="fan_middle"),
                 lambda m: m.nn.init.eye_(m.ones(2, 2, 2)),
                 lambda m: m.nn.init.dirac_(m.ones(2, 2))]:
        with pytest.raises(ValueError) as ee:
            call(ember)
        with pytest.raises(ValueError) as te:
            call(torch_mod)
        assert str(ee.value) == str(te.value)
    for shape in [(3, 4), (5, 2, 3, 3), (4, 6, 7)]:
        assert init._calculate_fan_in_and_fan_out(ember.empty(*shape)) == \
            torch_mod.nn.init._calculate_fan_in_and_fan_out(torch_mod.empty(*shape))


def _check_uniform(t, bound):
    a = t.detach().numpy()
    assert a.max() <= bound and a.min() >= -bound
    assert a.max() > 0.97 * bound and a.min() < -0.97 * bound
    assert abs(a.std() - bound / math.sqrt(3)) < 0.03 * bound


def test_uniform_family():
    w = ember.empty(300, 200)
    init.xavier_uniform_(w, gain=2.0)
    _check_uniform(w, 2.0 * math.sqrt(6.0 / 500))
    init.kaiming_uniform_(w, a=math.sqrt(5))
    _check_uniform(w, 1 / math.sqrt(200))
    init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu")
    _check_uniform(w, math.sqrt(2) * math.sqrt(3 / 300))
    init.uniform_(w, -0.3, 0.7)
    a = w.numpy()
    assert a.min() >= -0.3 and a.max() <= 0.7 and abs(a.mean() - 0.2) < 0.01


def test_normal_family():
    w = ember.empty(300, 200)
    init.xavier_normal_(w)
    assert abs(float(w.std()) - math.sqrt(2 / 500)) < 0.002
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert abs(float(w.std()) - math.sqrt(2 / 300)) < 0.002
    init.normal_(w, 3.0, 0.5)
    assert abs(float(w.mean()) - 3.0) < 0.01 and abs(float(w.std()) - 0.5) < 0.01
    init.trunc_normal_(w, mean=0.5, std=1.0, a=-1.0, b=1.5)
    a = w.numpy()
    assert a.min() >= -1.0 and a.max() <= 1.5


def test_trunc_normal_moments(torch_mod):
    w = ember.empty(200000)
    init.trunc_normal_(w, mean=0.0, std=1.0, a=-1.0, b=2.0)
    t = torch_mod.empty(200000)
    torch_mod.nn.init.trunc_normal_(t, mean=0.0, std=1.0, a=-1.0, b=2.0)
    assert abs(float(w.mean()) - float(t.mean())) < 0.01
    assert abs(float(w.std()) - float(t.std())) < 0.01


def test_constant_eye_dirac_orthogonal_sparse(torch_mod):
    w = ember.empty(3, 4)
    assert_close(init.constant_(w, 2.5), ember.full((3, 4), 2.5))
    assert_close(init.ones_(w), ember.ones(3, 4))
    assert_close(init.zeros_(w), ember.zeros(3, 4))
    assert_close(init.eye_(w), torch_mod.nn.init.eye_(torch_mod.empty(3, 4)))
    for shape, groups in [((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((2, 2, 1, 3, 3), 1)]:
        assert_close(init.dirac_(ember.empty(*shape), groups),
                     torch_mod.nn.init.dirac_(torch_mod.empty(*shape), groups))
    for shape in [(5, 3), (3, 5), (4, 2, 3)]:
        q = init.orthogonal_(ember.empty(*shape), gain=2.0).reshape(shape[0], -1).double()
        gram = q @ q.T if shape[0] <= q.shape[1] else q.T @ q
        assert_close(gram, 4.0 * ember.eye(gram.shape[0], dtype=ember.float64), atol=1e-5, rtol=1e-5)
    s = init.sparse_(ember.empty(10, 6), 0.3)
    assert ((s == 0).sum(0) >= 3).all()
    with pytest.warns(FutureWarning):
        init.uniform(ember.empty(2))


def test_init_does_not_record_graph():
    p = nn.Parameter(ember.empty(3, 3))
    init.kaiming_uniform_(p)
    init.trunc_normal_(p)
    assert p.is_leaf and p.grad_fn is None and p.requires_grad


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
def test_clip_grad_norm(torch_mod, norm_type):
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(s).astype(np.float32) for s in [(3, 4), (5,), (2, 2, 2)]]

    def setup(m):
        ps = [m.nn.Parameter(m.zeros(*g.shape)) for g in grads]
        for p, g in zip(ps, grads):
            p.grad = m.tensor(g.copy())
        return ps
    ep, tp = setup(ember), setup(torch_mod)
    en = nn.utils.clip_grad_norm_(ep, 0.5, norm_type=norm_type)
    tn = torch_mod.nn.utils.clip_grad_norm_(tp, 0.5, norm_type=norm_type)
    assert_close(en, tn)
    for a, b in zip(ep, tp):
        assert_close(a.grad, b.grad)
    # no clipping when under the limit
    ep2 = setup(ember)
    nn.utils.clip_grad_norm_(ep2, 1e6, norm_type, foreach=True)
    assert_close(ep2[0].grad, ember.tensor(grads[0]))


def test_clip_grad_nonfinite_and_value(torch_mod):
    p = nn.Parameter(ember.zeros(2))
    p.grad = ember.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    q = nn.Parameter(ember.zeros(4))
    q.grad = ember.tensor([-3.0, -0.5, 0.2, 9.0])
    nn.utils.clip_grad_value_([q], 1.0)
    assert_close(q.grad, ember.tensor([-1.0, -0.5, 0.2, 1.0]))
    assert nn.utils.clip_grad_norm_([nn.Parameter(ember.ones(1))], 1.0).item() == 0.0


def test_parameters_vector_roundtrip(torch_mod):
    m = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    v = nn.utils.parameters_to_vector(m.parameters())
    assert v.shape == (11,)
    assert_close(v[:6], m[0].weight.reshape(-1))
    nn.utils.vector_to_parameters(ember.arange(11.0), m.parameters())
    assert_close(m[0].weight, ember.arange(6.0).reshape(2, 3))
    assert_close(m[1].bias, ember.tensor([10.0]))
    with pytest.raises(TypeError):
        nn.utils.vector_to_parameters([1.0], m.parameters())


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_weight_norm_matches_torch(torch_mod):
    for dim in (0, 1, None):
        e = nn.utils.weight_norm(nn.Linear(3, 4), dim=dim)
        t = torch_mod.nn.utils.weight_norm(torch_mod.nn.Linear(3, 4), dim=dim)
        assert list(e.state_dict()) == list(t.state_dict())
        from nn_core_util import compare_modules, rnd
        compare_modules(e, t, rnd(5, 3), atol=1e-5)
        w = e.weight.detach()
        nn.utils.remove_weight_norm(e)
        assert list(e.state_dict()) == ["bias", "weight"] and isinstance(e.weight, nn.Parameter)
        assert_close(e.weight, w)


def test_spectral_norm_matches_torch(torch_mod):
    from nn_core_util import compare_modules, rnd
    e = nn.utils.spectral_norm(nn.Linear(5, 4))
    t = torch_mod.nn.utils.spectral_norm(torch_mod.nn.Linear(5, 4))
    assert list(e.state_dict()) == list(t.state_dict())
    compare_modules(e, t, rnd(3, 5), atol=1e-5)     # one power iteration in training mode
    e.eval()
    t.eval()
    compare_modules(e, t, rnd(3, 5), atol=1e-5)
    e.train()
    for _ in range(30):                               # power iteration converges
        e(ember.ones(1, 5))
    sv = np.linalg.svd(e.weight.detach().numpy(), compute_uv=False)
    assert abs(sv[0] - 1) < 1e-3
    nn.utils.remove_spectral_norm(e)
    assert list(e.state_dict()) == ["bias", "weight"]


def test_parametrizations_weight_norm_matches_torch(torch_mod):
    from nn_core_util import compare_modules, rnd
    e = nn.utils.parametrizations.weight_norm(nn.Linear(3, 4))
    t = torch_mod.nn.utils.parametrizations.weight_norm(torch_mod.nn.Linear(3, 4))
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    compare_modules(e, t, rnd(5, 3), atol=1e-5)
    assert nn.utils.parametrize.is_parametrized(e, "weight")
    assert nn.utils.parametrize.type_before_parametrizations(e) is nn.Linear
    w = e.weight.detach().clone()
    c = copy.deepcopy(e)
    assert_close(c.weight, w)
    nn.utils.parametrize.remove_parametrizations(e, "weight")
    assert type(e) is nn.Linear and list(e.state_dict()) == ["bias", "weight"]
    assert_close(e.weight, w)


def test_parametrizations_spectral_norm_matches_torch(torch_mod):
    from nn_core_util import compare_modules, rnd
    e = nn.utils.parametrizations.spectral_norm(nn.Linear(5, 4))
    t = torch_mod.nn.utils.parametrizations.spectral_norm(torch_mod.nn.Linear(5, 4))
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    compare_modules(e, t, rnd(3, 5), atol=1e-5)
    e.eval()
    t.eval()
    compare_modules(e, t, rnd(3, 5), atol=1e-5)
    sv = np.linalg.svd(e.weight.detach().numpy(), compute_uv=False)
    assert abs(sv[0] - 1) < 1e-3      # 15 power iterations at registration


def test_custom_parametrization_and_cache():
    class Symmetric(nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).T

    m = nn.Linear(3, 3)
    nn.utils.parametrize.register_parametrization(m, "weight", Symmetric())
    assert_close(m.weight, m.weight.T)
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original"]
    with nn.utils.parametrize.cached():
        assert m.weight is m.weight
    m.weight = ember.eye(3) * 2          # assignment goes through right_inverse (identity here)
    assert_close(m.parametrizations.weight.original, ember.eye(3) * 2)
    m(ember.ones(2, 3)).sum().backward()
    assert m.parametrizations.weight.original.grad is not None
    with pytest.raises(ValueError, match="does not have a parameter, a buffer"):
        nn.utils.parametrize.register_parametrization(m, "nope", Symmetric())
    nn.utils.parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)
    assert type(m) is nn.Linear and isinstance(m.weight, nn.Parameter)


def test_skip_init_functional_call_and_fusion(torch_mod):
    m = nn.utils.skip_init(nn.Linear, 3, 4)
    assert type(m) is nn.Linear and m.weight.shape == (4, 3)
    lin = nn.Linear(3, 4)
    x = ember.randn(5, 3)
    params = {"weight": ember.zeros(4, 3, requires_grad=True), "bias": ember.ones(4)}
    y = nn.utils.stateless.functional_call(lin, params, (x,))
    assert_close(y, ember.ones(5, 4))
    y.sum().backward()
    assert_close(params["weight"].grad, ember.ones(4, 1) * x.sum(0))
    assert lin.weight.grad is None and float(lin.weight.abs().sum()) > 0
    with pytest.raises(RuntimeError, match="Missing key"):
        nn.utils.stateless.functional_call(lin, {"weight": ember.zeros(4, 3)}, (x,), strict=True)
    bn = nn.BatchNorm1d(4)
    bn.running_mean.uniform_(-1, 1)
    bn.running_var.uniform_(0.5, 2)
    with ember.no_grad():
        bn.weight.uniform_(0.5, 2)
        bn.bias.uniform_(-1, 1)
    lin.eval()
    bn.eval()
    fused = nn.utils.fuse_linear_bn_eval(lin, bn)
    assert_close(fused(x), bn(lin(x)), atol=1e-5, rtol=1e-5)
    with pytest.raises(AssertionError, match="Fusion only for eval"):
        nn.utils.fuse_linear_bn_eval(nn.Linear(3, 4), bn)
    w, b = nn.utils.fuse_conv_bn_weights(ember.randn(4, 2, 3, 3), None, bn.running_mean, bn.running_var,
                                         1e-5, bn.weight, bn.bias)
    tw, tb = torch_mod.nn.utils.fuse_conv_bn_weights(torch_mod.tensor(np.ones((4, 2, 3, 3), np.float32)), None,
                                                     *[torch_mod.tensor(t.detach().numpy()) for t in
                                                       (bn.running_mean, bn.running_var)], 1e-5,
                                                     *[torch_mod.tensor(t.detach().numpy()) for t in (bn.weight, bn.bias)])
    w1, b1 = nn.utils.fuse_conv_bn_weights(ember.ones(4, 2, 3, 3), None, bn.running_mean, bn.running_var,
                                           1e-5, bn.weight, bn.bias)
    assert_close(w1, tw.detach())
    assert_close(b1, tb.detach())
