"""ember.distributions against torch.distributions: log_prob, entropy, moments, cdf/icdf and
kl_divergence for every family, over several batch shapes with broadcasting."""
import numpy as np
import pytest

import ember
import ember.distributions as D

torch = pytest.importorskip("torch")
TD = torch.distributions

RNG = np.random.default_rng(0)


def e64(x):
    return ember.tensor(np.asarray(x, dtype=np.float64))


def _pos(*shape):
    return RNG.uniform(0.5, 3.0, size=shape)


def _real(*shape):
    return RNG.normal(size=shape)


def _unit(*shape):
    return RNG.uniform(0.05, 0.95, size=shape)


def _simplex(*shape):
    p = RNG.uniform(0.1, 1.0, size=shape)
    return p / p.sum(-1, keepdims=True)


def _spd(*shape):
    n = shape[-1]
    a = RNG.normal(size=shape[:-1] + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _tril(*shape):
    return np.linalg.cholesky(_spd(*shape))


def _uniform(b):
    low = _real(*b)
    return dict(low=low, high=low + _pos(*b))


# name -> function of a batch shape giving the constructor's keyword arguments (NumPy float64)
FAMILIES = {
    "Normal": lambda b: dict(loc=_real(*b), scale=_pos(*b)),
    "Normal_bcast": lambda b: dict(loc=_real(*b), scale=_pos(*b[-1:])),
    "Laplace": lambda b: dict(loc=_real(*b), scale=_pos(*b)),
    "Exponential": lambda b: dict(rate=_pos(*b)),
    "Uniform": lambda b: _uniform(b),
    "Gamma": lambda b: dict(concentration=_pos(*b), rate=_pos(*b)),
    "Beta": lambda b: dict(concentration1=_pos(*b), concentration0=_pos(*b)),
    "Dirichlet": lambda b: dict(concentration=_pos(*b, 4)),
    "Poisson": lambda b: dict(rate=_pos(*b)),
    "Cauchy": lambda b: dict(loc=_real(*b), scale=_pos(*b)),
    "HalfNormal": lambda b: dict(scale=_pos(*b)),
    "Chi2": lambda b: dict(df=_pos(*b) * 2),
    "StudentT": lambda b: dict(df=_pos(*b) * 2, loc=_real(*b), scale=_pos(*b)),
    "StudentT_lowdf": lambda b: dict(df=_pos(*b) - 0.4),
    "Gumbel": lambda b: dict(loc=_real(*b), scale=_pos(*b)),
    "Weibull": lambda b: dict(scale=_pos(*b), concentration=_pos(*b)),
    "Pareto": lambda b: dict(scale=_pos(*b), alpha=_pos(*b)),
    "HalfCauchy": lambda b: dict(scale=_pos(*b)),
    "NegativeBinomial": lambda b: dict(total_count=_pos(*b) * 3, probs=_unit(*b)),
    "NegativeBinomial_logits": lambda b: dict(total_count=_pos(*b) * 3, logits=_real(*b)),
    "Geometric": lambda b: dict(probs=_unit(*b)),
    "Geometric_logits": lambda b: dict(logits=_real(*b)),
    "LogNormal": lambda b: dict(loc=_real(*b), scale=_pos(*b)),
    "Bernoulli": lambda b: dict(probs=_unit(*b)),
    "Bernoulli_logits": lambda b: dict(logits=_real(*b)),
    "Binomial": lambda b: dict(total_count=np.full(b, 7.0), probs=_unit(*b)),
    "Binomial_logits": lambda b: dict(total_count=np.full(b, 5.0), logits=_real(*b)),
    "Categorical": lambda b: dict(probs=_simplex(*b, 5)),
    "Categorical_logits": lambda b: dict(logits=_real(*b, 5)),
    "OneHotCategorical": lambda b: dict(probs=_simplex(*b, 4)),
    "Multinomial": lambda b: dict(total_count=6, probs=_simplex(*b, 3)),
    "MultivariateNormal_cov": lambda b: dict(loc=_real(*b, 3), covariance_matrix=_spd(*b, 3)),
    "MultivariateNormal_tril": lambda b: dict(loc=_real(*b, 3), scale_tril=_tril(*b, 3)),
    "MultivariateNormal_prec": lambda b: dict(loc=_real(*b, 3), precision_matrix=_spd(*b, 3)),
    "MultivariateNormal_bcast": lambda b: dict(loc=_real(*b, 2), scale_tril=_tril(2)),
}
BATCHES = [(), (3,), (2, 3)]
HAS_CDF = {"Normal", "Normal_bcast", "Laplace", "Exponential", "Uniform", "LogNormal", "Gamma",
           "Cauchy", "HalfNormal", "Chi2", "Gumbel", "Weibull", "Pareto", "HalfCauchy"}
HAS_ICDF = {"Normal", "Normal_bcast", "Laplace", "Exponential", "Uniform", "LogNormal", "Cauchy",
            "HalfNormal", "Gumbel", "Weibull", "Pareto", "HalfCauchy"}
NO_ENTROPY = {"Poisson", "NegativeBinomial", "NegativeBinomial_logits"}


def _cls(name):
    return name.split("_")[0]


def _make(name, kwargs):
    arrays = (np.ndarray, np.generic)
    e_kw = {k: ember.tensor(np.asarray(v), dtype=ember.float64) if isinstance(v, arrays) else v
            for k, v in kwargs.items()}
    t_kw = {k: torch.tensor(np.asarray(v), dtype=torch.float64) if isinstance(v, arrays) else v
            for k, v in kwargs.items()}
    return getattr(D, _cls(name))(**e_kw), getattr(TD, _cls(name))(**t_kw)


def _close(e, t, rtol=1e-9, atol=1e-10):
    e = np.asarray(e.detach().numpy() if isinstance(e, ember.Tensor) else e, dtype=np.float64)
    t = t.detach().numpy().astype(np.float64)
    assert e.shape == t.shape, (e.shape, t.shape)
    np.testing.assert_allclose(e, t, rtol=rtol, atol=atol, equal_nan=True)


@pytest.mark.parametrize("batch", BATCHES, ids=str)
@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_parity(name, batch):
    if name == "MultivariateNormal_bcast" and not batch:
        pytest.skip("broadcast case needs a batch")
    kwargs = FAMILIES[name](batch)
    e, t = _make(name, kwargs)
    assert tuple(e.batch_shape) == tuple(t.batch_shape)
    assert tuple(e.event_shape) == tuple(t.event_shape)
    torch.manual_seed(0)
    value = t.sample((4,))
    ev = ember.tensor(value.numpy())
    _close(e.log_prob(ev), t.log_prob(value))
    for attr in ("mean", "variance", "stddev", "mode"):
        try:
            tv = getattr(t, attr)
        except NotImplementedError:
            continue
        _close(getattr(e, attr), tv)
    if name not in NO_ENTROPY:
        # torch's Multinomial entropy takes lgamma of an int64 count (float32 precision)
        _close(e.entropy(), t.entropy(), rtol=1e-6 if name == "Multinomial" else 1e-9)
    if _cls(name) in HAS_CDF or name in HAS_CDF:
        _close(e.cdf(ev), t.cdf(value), rtol=1e-8)
    if name in HAS_ICDF:
        u = torch.rand((4,) + tuple(t.batch_shape), dtype=torch.float64) * 0.98 + 0.01
        _close(e.icdf(ember.tensor(u.numpy())), t.icdf(u), rtol=1e-8)
    # expand keeps the values and gives the new batch shape
    big = (2,) + tuple(t.batch_shape)
    ee, te = e.expand(big), t.expand(big)
    assert tuple(ee.batch_shape) == big
    _close(ee.log_prob(ev[:1]), te.log_prob(value[:1]))
    assert e.has_rsample == t.has_rsample
    assert e.has_enumerate_support == t.has_enumerate_support
    if t.has_enumerate_support:
        _close(e.enumerate_support(), t.enumerate_support().to(torch.float64))


@pytest.mark.parametrize("name", ["Bernoulli", "Binomial", "Categorical", "OneHotCategorical"])
def test_enumerate_support_unexpanded(name):
    e, t = _make(name, FAMILIES[name]((2,)))
    assert tuple(e.enumerate_support(expand=False).shape) == tuple(
        t.enumerate_support(expand=False).shape)


def test_log_prob_broadcasts_value_against_batch():
    e = D.Normal(ember.zeros(3, 1, dtype=ember.float64), ember.ones(1, 4, dtype=ember.float64))
    t = TD.Normal(torch.zeros(3, 1, dtype=torch.float64), torch.ones(1, 4, dtype=torch.float64))
    v = np.linspace(-1, 1, 4)
    _close(e.log_prob(ember.tensor(v)), t.log_prob(torch.tensor(v)))


def test_scalar_parameters_give_default_dtype():
    e, t = D.Normal(0.0, 1.0), TD.Normal(0.0, 1.0)
    assert e.loc.dtype == ember.float32 and tuple(e.batch_shape) == ()
    _close(e.log_prob(ember.tensor(0.5)), t.log_prob(torch.tensor(0.5)), rtol=1e-6)
    eb, tb = D.Bernoulli(0.3), TD.Bernoulli(0.3)
    _close(eb.entropy(), tb.entropy(), rtol=1e-6)


def test_multinomial_zero_probability_category():
    p = np.array([0.0, 0.4, 0.6])
    e, t = D.Multinomial(5, probs=ember.tensor(p)), TD.Multinomial(5, probs=torch.tensor(p))
    v = np.array([[0.0, 2.0, 3.0], [0.0, 5.0, 0.0]])
    _close(e.log_prob(ember.tensor(v)), t.log_prob(torch.tensor(v)))


def test_transformed_distribution_affine_exp_sigmoid_tanh_power():
    cases = [
        ("AffineTransform", dict(loc=0.5, scale=-2.0)),
        ("ExpTransform", {}), ("SigmoidTransform", {}), ("TanhTransform", {}),
    ]
    loc = np.array([0.1, -0.3, 0.7])
    for tname, kw in cases:
        e = D.TransformedDistribution(D.Normal(ember.tensor(loc), 0.5),
                                      [getattr(D, tname)(**kw)])
        t = TD.TransformedDistribution(TD.Normal(torch.tensor(loc), 0.5),
                                       [getattr(TD, tname)(**kw)])
        torch.manual_seed(1)
        y = t.sample((5,))
        _close(e.log_prob(ember.tensor(y.numpy())), t.log_prob(y), rtol=1e-7)
        _close(e.cdf(ember.tensor(y.numpy())), t.cdf(y), rtol=1e-7)
        u = torch.tensor([[0.2], [0.7]], dtype=torch.float64)
        _close(e.icdf(ember.tensor(u.numpy())), t.icdf(u), rtol=1e-7)
    # power and composition on a positive base
    ep = D.TransformedDistribution(D.Gamma(e64([2.0, 3.0]), 1.5),
                                   [D.PowerTransform(0.5), D.AffineTransform(1.0, 3.0)])
    tp = TD.TransformedDistribution(TD.Gamma(torch.tensor([2.0, 3.0], dtype=torch.float64), 1.5),
                                    [TD.PowerTransform(0.5), TD.AffineTransform(1.0, 3.0)])
    y = tp.sample((6,))
    _close(ep.log_prob(ember.tensor(y.numpy())), tp.log_prob(y), rtol=1e-8)


def test_transform_log_abs_det_jacobian_and_inverse():
    x = np.linspace(-2.0, 2.0, 7)
    for name in ["ExpTransform", "SigmoidTransform", "TanhTransform", "SoftplusTransform"]:
        et, tt = getattr(D, name)(), getattr(TD, name)()
        ex, tx = ember.tensor(x), torch.tensor(x)
        ey, ty = et(ex), tt(tx)
        _close(ey, ty)
        _close(et.log_abs_det_jacobian(ex, ey), tt.log_abs_det_jacobian(tx, ty))
        _close(et.inv(ey), tt.inv(ty), rtol=1e-7)
        assert et.inv.inv is et
    ea = D.AffineTransform(e64([1.0, 2.0]), e64([0.5, -3.0]), event_dim=1)
    ta = TD.AffineTransform(torch.tensor([1.0, 2.0], dtype=torch.float64),
                            torch.tensor([0.5, -3.0], dtype=torch.float64), event_dim=1)
    xm = np.arange(6.0).reshape(3, 2)
    _close(ea.log_abs_det_jacobian(ember.tensor(xm), ea(ember.tensor(xm))),
           ta.log_abs_det_jacobian(torch.tensor(xm), ta(torch.tensor(xm))))
    es, ts = D.SoftmaxTransform(), TD.SoftmaxTransform()
    _close(es(ember.tensor(xm)), ts(torch.tensor(xm)))
    comp_e = D.ComposeTransform([D.AffineTransform(0.0, 2.0), D.ExpTransform()])
    comp_t = TD.ComposeTransform([TD.AffineTransform(0.0, 2.0), TD.ExpTransform()])
    _close(comp_e.log_abs_det_jacobian(ember.tensor(x), comp_e(ember.tensor(x))),
           comp_t.log_abs_det_jacobian(torch.tensor(x), comp_t(torch.tensor(x))))
    _close(comp_e.inv(comp_e(ember.tensor(x))), torch.tensor(x), rtol=1e-12)


def test_independent():
    loc, scale = _real(2, 3), _pos(2, 3)
    e = D.Independent(D.Normal(ember.tensor(loc), ember.tensor(scale)), 1)
    t = TD.Independent(TD.Normal(torch.tensor(loc), torch.tensor(scale)), 1)
    assert tuple(e.batch_shape) == (2,) and tuple(e.event_shape) == (3,)
    v = t.sample((4,))
    _close(e.log_prob(ember.tensor(v.numpy())), t.log_prob(v))
    _close(e.entropy(), t.entropy())
    assert tuple(e.expand((5, 2)).batch_shape) == (5, 2)


# ---- KL divergences --------------------------------------------------------------------------
KL_PAIRS = [
    ("Normal", "Normal"), ("Laplace", "Laplace"), ("Exponential", "Exponential"),
    ("Gamma", "Gamma"), ("Beta", "Beta"), ("Dirichlet", "Dirichlet"), ("Poisson", "Poisson"),
    ("Bernoulli", "Bernoulli"), ("Bernoulli_logits", "Bernoulli"), ("Binomial", "Binomial"),
    ("Categorical", "Categorical_logits"), ("OneHotCategorical", "OneHotCategorical"),
    ("Uniform", "Uniform"), ("LogNormal", "LogNormal"), ("Cauchy", "Cauchy"),
    ("HalfNormal", "HalfNormal"), ("Gumbel", "Gumbel"), ("Pareto", "Pareto"),
    ("Geometric", "Geometric_logits"), ("Chi2", "Chi2"),
    ("MultivariateNormal_cov", "MultivariateNormal_tril"),
    ("MultivariateNormal_prec", "MultivariateNormal_cov"),
    ("Exponential", "Normal"), ("Gamma", "Normal"), ("Laplace", "Normal"), ("Uniform", "Normal"),
    ("Beta", "Normal"), ("Gamma", "Exponential"), ("Beta", "Exponential"),
    ("Exponential", "Gamma"), ("Beta", "Gamma"), ("Normal", "Laplace"),
]


@pytest.mark.parametrize("batch", [(), (3,), (2, 3)], ids=str)
@pytest.mark.parametrize("pair", KL_PAIRS, ids="-".join)
def test_kl_parity(pair, batch):
    ep, tp = _make(pair[0], FAMILIES[pair[0]](batch))
    eq, tq = _make(pair[1], FAMILIES[pair[1]](batch))
    _close(D.kl_divergence(ep, eq), TD.kl_divergence(tp, tq), rtol=1e-8, atol=1e-9)


def test_kl_uniform_cross_with_support_mismatch():
    low, high = np.array([0.2, -0.5]), np.array([0.9, 1.0])
    for q_e, q_t in [(D.Exponential(e64([0.7, 0.7])),
                      TD.Exponential(torch.tensor([0.7, 0.7], dtype=torch.float64))),
                     (D.Gamma(e64([2.0, 2.0]), 1.5),
                      TD.Gamma(torch.tensor([2.0, 2.0], dtype=torch.float64), 1.5))]:
        _close(D.kl_divergence(D.Uniform(ember.tensor(low), ember.tensor(high)), q_e),
               TD.kl_divergence(TD.Uniform(torch.tensor(low), torch.tensor(high)), q_t))
    lo, hi = np.array([-0.2, 0.1]), np.array([1.5, 1.5])
    _close(D.kl_divergence(D.Beta(e64([2.0, 2.0]), 3.0),
                           D.Uniform(ember.tensor(lo), ember.tensor(hi))),
           TD.kl_divergence(TD.Beta(torch.tensor([2.0, 2.0], dtype=torch.float64), 3.0),
                            TD.Uniform(torch.tensor(lo), torch.tensor(hi))))
    ue = D.kl_divergence(D.Uniform(e64([0.0, 0.0]), e64([1.0, 2.0])),
                         D.Uniform(e64([0.0, 0.5]), e64([2.0, 3.0])))
    assert ue[1].item() == float("inf") and abs(ue[0].item() - np.log(2.0)) < 1e-7


def test_kl_independent_and_zero_probabilities():
    a, b = _real(2, 3), _real(2, 3)
    e = D.kl_divergence(D.Independent(D.Normal(ember.tensor(a), 1.0), 1),
                        D.Independent(D.Normal(ember.tensor(b), 2.0), 1))
    t = TD.kl_divergence(TD.Independent(TD.Normal(torch.tensor(a), 1.0), 1),
                         TD.Independent(TD.Normal(torch.tensor(b), 2.0), 1))
    _close(e, t)
    p, q = np.array([0.0, 0.5, 0.5]), np.array([0.2, 0.0, 0.8])
    _close(D.kl_divergence(D.Categorical(ember.tensor(p)), D.Categorical(ember.tensor(q))),
           TD.kl_divergence(TD.Categorical(torch.tensor(p)), TD.Categorical(torch.tensor(q))))
    pb, qb = np.array([0.0, 1.0, 0.3]), np.array([0.5, 0.5, 1.0])
    _close(D.kl_divergence(D.Bernoulli(ember.tensor(pb)), D.Bernoulli(ember.tensor(qb))),
           TD.kl_divergence(TD.Bernoulli(torch.tensor(pb)), TD.Bernoulli(torch.tensor(qb))))


def test_register_kl_dispatch_and_errors():
    class MyNormal(D.Normal):
        pass

    calls = []

    @D.register_kl(MyNormal, D.Normal)
    def _kl(p, q):
        calls.append(1)
        return ember.zeros(())

    D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(0.0, 1.0))
    assert calls == [1]
    # a plain Normal still uses the Normal-Normal closed form
    assert D.kl_divergence(D.Normal(0.0, 1.0), MyNormal(1.0, 1.0)).item() == pytest.approx(0.5)
    with pytest.raises(NotImplementedError, match="No KL"):
        D.kl_divergence(D.Poisson(1.0), D.Normal(0.0, 1.0))
    with pytest.raises(TypeError):
        D.register_kl(int, D.Normal)


# ---- mixtures and relaxed distributions ---------------------------------------------------
def _mixtures(batch):
    logits, loc, scale = _real(*batch, 3), _real(*batch, 3, 2), _pos(*batch, 3, 2)
    e = D.MixtureSameFamily(D.Categorical(logits=ember.tensor(logits)),
                            D.Independent(D.Normal(ember.tensor(loc), ember.tensor(scale)), 1))
    t = TD.MixtureSameFamily(TD.Categorical(logits=torch.tensor(logits)),
                             TD.Independent(TD.Normal(torch.tensor(loc), torch.tensor(scale)), 1))
    return e, t


@pytest.mark.parametrize("batch", [(), (4,)], ids=str)
def test_mixture_same_family(batch):
    e, t = _mixtures(batch)
    assert tuple(e.batch_shape) == tuple(t.batch_shape)
    assert tuple(e.event_shape) == (2,)
    torch.manual_seed(0)
    v = t.sample((5,))
    _close(e.log_prob(ember.tensor(v.numpy())), t.log_prob(v))
    _close(e.mean, t.mean)
    _close(e.variance, t.variance)
    ember.manual_seed(0)
    s = e.sample((6,))
    assert tuple(s.shape) == (6,) + tuple(batch) + (2,)
    # scalar-event mixture: cdf too
    w, loc = _simplex(3), _real(3)
    e1 = D.MixtureSameFamily(D.Categorical(ember.tensor(w)), D.Normal(ember.tensor(loc), 1.0))
    t1 = TD.MixtureSameFamily(TD.Categorical(torch.tensor(w)), TD.Normal(torch.tensor(loc), 1.0))
    x = np.linspace(-2, 2, 5)
    _close(e1.cdf(ember.tensor(x)), t1.cdf(torch.tensor(x)))
    _close(e1.log_prob(ember.tensor(x)), t1.log_prob(torch.tensor(x)))
    assert tuple(e1.expand((2,)).sample((3,)).shape) == (3, 2)
    with pytest.raises(ValueError, match="needs to be an  instance of"):
        D.MixtureSameFamily(D.Normal(0.0, 1.0), D.Normal(ember.zeros(3), 1.0))


def test_mixture_sample_moments():
    w, loc = np.array([0.2, 0.8]), np.array([-2.0, 3.0])
    e = D.MixtureSameFamily(D.Categorical(ember.tensor(w)), D.Normal(ember.tensor(loc), 0.5))
    ember.manual_seed(4)
    s = e.sample((20000,)).numpy()
    assert abs(s.mean() - e.mean.item()) < 5 * np.sqrt(e.variance.item() / 20000)


def test_relaxed_distributions():
    temp, logits = np.float64(0.7), _real(2, 4)
    e = D.RelaxedOneHotCategorical(ember.tensor(temp), logits=ember.tensor(logits))
    t = TD.RelaxedOneHotCategorical(torch.tensor(temp), logits=torch.tensor(logits))
    torch.manual_seed(0)
    v = t.sample((3,))
    _close(e.log_prob(ember.tensor(v.numpy())), t.log_prob(v), rtol=1e-7)
    s = e.rsample((5,))
    assert tuple(s.shape) == (5, 2, 4)
    np.testing.assert_allclose(s.sum(-1).numpy(), 1.0, rtol=1e-9)
    p = _unit(3)
    eb = D.RelaxedBernoulli(ember.tensor(temp), probs=ember.tensor(p))
    tb = TD.RelaxedBernoulli(torch.tensor(temp), probs=torch.tensor(p))
    vb = tb.sample((4,))
    _close(eb.log_prob(ember.tensor(vb.numpy())), tb.log_prob(vb), rtol=1e-7)
    sb = eb.rsample((4,))
    assert bool(((sb > 0) & (sb < 1)).all())
