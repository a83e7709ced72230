"""Gradients through ember.distributions: gradcheck (float64) of log_prob, entropy, cdf and
rsample; the implicit reparameterisation gradient of gamma samples; REINFORCE and VAE uses."""
import math

import numpy as np
import pytest

import ember
import ember.distributions as D
from ember.autograd import gradcheck
from ember.distributions.utils import gammainc


def p64(x):
    return ember.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)


def c64(x):
    return ember.tensor(np.asarray(x, dtype=np.float64))


# name -> (constructor from parameter tensors, parameter values, a value in the support)
CONTINUOUS = {
    "Normal": (D.Normal, ([0.3, -0.5], [1.2, 0.7]), [0.1, 0.4]),
    "Laplace": (D.Laplace, ([0.3, -0.5], [1.2, 0.7]), [0.1, 0.4]),
    "Exponential": (D.Exponential, ([0.8, 2.0],), [0.5, 1.5]),
    "Uniform": (D.Uniform, ([-1.0, 0.0], [1.0, 2.5]), [0.1, 0.4]),
    "Gamma": (D.Gamma, ([0.7, 3.0], [1.5, 0.8]), [0.5, 1.5]),
    "Beta": (D.Beta, ([0.7, 3.0], [1.5, 0.8]), [0.3, 0.6]),
    "LogNormal": (D.LogNormal, ([0.3, -0.5], [1.2, 0.7]), [0.5, 1.5]),
    "Cauchy": (D.Cauchy, ([0.3, -0.5], [1.2, 0.7]), [0.1, 0.4]),
    "HalfNormal": (D.HalfNormal, ([1.2, 0.7],), [0.1, 0.4]),
    "Chi2": (D.Chi2, ([1.2, 4.7],), [0.5, 1.5]),
    "StudentT": (D.StudentT, ([3.2, 4.7], [0.3, -0.5], [1.2, 0.7]), [0.1, 0.4]),
    "Gumbel": (D.Gumbel, ([0.3, -0.5], [1.2, 0.7]), [0.1, 0.4]),
    "Weibull": (D.Weibull, ([1.2, 0.7], [0.8, 2.5]), [0.5, 1.5]),
    "Pareto": (D.Pareto, ([0.2, 0.3], [1.5, 3.0]), [0.5, 1.5]),
    "HalfCauchy": (D.HalfCauchy, ([1.2, 0.7],), [0.1, 0.4]),
    "Dirichlet": (D.Dirichlet, ([[0.7, 3.0, 1.5]],), [[0.2, 0.5, 0.3]]),
    "MultivariateNormal": (lambda loc, tril: D.MultivariateNormal(loc, scale_tril=tril.tril()),
                           ([0.2, -0.4], [[1.2, 0.0], [0.3, 0.8]]), [0.1, 0.3]),
}


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_gradcheck_log_prob_entropy(name):
    make, params, value = CONTINUOUS[name]
    params = [p64(p) for p in params]
    value = c64(value)
    assert gradcheck(lambda *ps: make(*ps).log_prob(value), params)
    assert gradcheck(lambda *ps: make(*ps).entropy(), params)
    if name == "Dirichlet":  # perturbing one coordinate leaves the simplex
        return
    # the value side too (the density's slope)
    v = p64(value.numpy())
    assert gradcheck(lambda x: make(*[p.detach() for p in params]).log_prob(x), [v])


@pytest.mark.parametrize("name", ["Normal", "Laplace", "Exponential", "Uniform", "LogNormal",
                                  "MultivariateNormal", "Cauchy", "HalfNormal", "Gumbel",
                                  "Weibull", "Pareto", "HalfCauchy"])
def test_gradcheck_rsample_fixed_seed(name):
    make, params, _ = CONTINUOUS[name]
    params = [p64(p) for p in params]

    def draw(*ps):
        ember.manual_seed(11)
        return make(*ps).rsample((3,))
    assert gradcheck(draw, params)


@pytest.mark.parametrize("name", ["Normal", "Laplace", "Exponential", "Gamma", "Cauchy",
                                  "HalfNormal"])
def test_gradcheck_cdf(name):
    make, params, value = CONTINUOUS[name]
    params = [p64(p) for p in params]
    assert gradcheck(lambda *ps: make(*ps).cdf(c64(value)), params)
    assert gradcheck(lambda x: make(*[p.detach() for p in params]).cdf(x), [p64(value)])


@pytest.mark.parametrize("name,params", [
    ("Bernoulli", dict(probs=[0.3, 0.8])), ("Bernoulli", dict(logits=[0.3, -1.8])),
    ("Categorical", dict(probs=[[0.2, 0.5, 0.3]])),
    ("Categorical", dict(logits=[[0.2, -1.0, 2.0]])),
    ("Binomial", dict(probs=[0.3, 0.8])), ("Poisson", dict(rate=[0.7, 4.0])),
    ("NegativeBinomial", dict(probs=[0.3, 0.8])), ("NegativeBinomial", dict(logits=[0.3, -1.8])),
    ("Geometric", dict(probs=[0.3, 0.8])), ("Geometric", dict(logits=[0.3, -1.8])),
    ("Multinomial", dict(probs=[0.2, 0.5, 0.3])), ("OneHotCategorical", dict(probs=[0.3, 0.7])),
])
def test_gradcheck_discrete_log_prob_entropy(name, params):
    key, val = next(iter(params.items()))
    x = p64(val)
    extra = {"Binomial": dict(total_count=6), "Multinomial": dict(total_count=4),
             "NegativeBinomial": dict(total_count=2.5)}.get(name, {})
    values = {"Bernoulli": [1.0, 0.0], "Categorical": [2], "Binomial": [2.0, 5.0],
              "Poisson": [0.0, 3.0], "Geometric": [0.0, 3.0], "NegativeBinomial": [0.0, 3.0],
              "Multinomial": [1.0, 2.0, 1.0],
              "OneHotCategorical": [0.0, 1.0]}[name]
    value = ember.tensor(values) if name == "Categorical" else c64(values)

    def make(p):
        return getattr(D, name)(**extra, **{key: p}, validate_args=False)
    assert gradcheck(lambda p: make(p).log_prob(value), [x])
    if name not in ("Poisson", "NegativeBinomial"):
        assert gradcheck(lambda p: make(p).entropy(), [x])


# ---- gamma: implicit reparameterisation --------------------------------------------------------
def _gamma_quantile(a, u, iters=200):
    """x with P(a, x) = u, by bisection in log x (a and u NumPy arrays)."""
    lo, hi = np.full_like(a, -700.0), np.full_like(a, math.log(1e4))
    for _ in range(iters):
        mid = (lo + hi) / 2
        p = gammainc(c64(a), c64(np.exp(mid))).numpy()
        below = p < u
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return np.exp((lo + hi) / 2)


def test_gamma_rsample_grad_matches_inverse_cdf_finite_difference():
    # the implicit gradient is the derivative of the quantile map a -> F^-1(u; a) with the
    # uniform draw u = F(x; a) held fixed (the common random number)
    a = np.array([0.05, 0.3, 0.9, 1.7, 4.0, 25.0, 300.0])
    alpha = p64(np.repeat(a, 3))
    ember.manual_seed(21)
    x = D.Gamma(alpha, 1.0).rsample()
    (grad,) = ember.autograd.grad(x.sum(), alpha)
    xa, aa = x.detach().numpy(), alpha.detach().numpy()
    u = gammainc(c64(aa), c64(xa)).numpy()
    h = 1e-5 * aa
    fd = (_gamma_quantile(aa + h, u) - _gamma_quantile(aa - h, u)) / (2 * h)
    np.testing.assert_allclose(grad.numpy(), fd, rtol=1e-4, atol=1e-200)


def test_gamma_rsample_grad_against_torch():
    torch = pytest.importorskip("torch")
    alpha = p64(np.linspace(0.1, 40.0, 50))
    ember.manual_seed(2)
    x = D.Gamma(alpha, 1.0).rsample()
    (grad,) = ember.autograd.grad(x.sum(), alpha)
    ref = torch._standard_gamma_grad(torch.tensor(alpha.detach().numpy()),
                                     torch.tensor(x.detach().numpy()))
    # torch's own derivative is an approximation good to about 1e-3
    np.testing.assert_allclose(grad.numpy(), ref.numpy(), rtol=2e-3)


@pytest.mark.parametrize("make,a,dmean", [
    (lambda a: D.Gamma(a, 2.0), 2.5, 1 / 2.0),
    (lambda a: D.Gamma(a, 1.0), 0.2, 1.0),
    (lambda a: D.Beta(a, 1.5), 0.8, 1.5 / (0.8 + 1.5) ** 2),
    (lambda a: D.Dirichlet(ember.stack([a, a.detach() * 0 + 2.0, a.detach() * 0 + 1.0], -1)),
     0.6, 3.0 / (0.6 + 3.0) ** 2),
])
def test_reparameterised_gradient_is_unbiased(make, a, dmean):
    # d/da E[x_0] estimated by the mean of the per-sample pathwise gradients, n = 20000
    n = 20000
    alpha = p64(np.full(n, a))
    ember.manual_seed(8)
    x = make(alpha).rsample()
    first = x[..., 0] if x.dim() > 1 else x
    first.sum().backward()
    grads = alpha.grad.numpy()
    se = grads.std() / math.sqrt(n)
    assert abs(grads.mean() - dmean) < 5 * se, (grads.mean(), dmean, se)


def test_relaxed_rsample_and_log_prob_gradients():
    temp = c64(0.6)
    logits = p64([[0.2, -0.7, 1.1]])

    def draw_cat(lg):
        ember.manual_seed(9)
        return D.RelaxedOneHotCategorical(temp, logits=lg).rsample((2,))
    assert gradcheck(draw_cat, [logits])
    value = c64([[0.2, 0.3, 0.5]])
    assert gradcheck(lambda lg: D.RelaxedOneHotCategorical(temp, logits=lg).log_prob(value),
                     [logits])
    probs = p64([0.3, 0.8])

    def draw_bern(p):
        ember.manual_seed(9)
        return D.RelaxedBernoulli(temp, probs=p).rsample((2,))
    assert gradcheck(draw_bern, [probs])
    assert gradcheck(lambda p: D.RelaxedBernoulli(temp, probs=p).log_prob(c64([0.4, 0.9])),
                     [probs])


def test_mixture_log_prob_gradient():
    logits, loc = p64([0.3, -0.2, 0.5]), p64([-1.0, 0.5, 2.0])
    x = c64([-0.5, 0.0, 1.7])
    assert gradcheck(lambda lg, m: D.MixtureSameFamily(D.Categorical(logits=lg),
                                                       D.Normal(m, 0.8)).log_prob(x),
                     [logits, loc])


def test_student_t_rsample_gradient_in_loc_scale_and_df():
    df, loc, scale = p64([3.2, 8.0]), p64([0.3, -0.5]), p64([1.2, 0.7])

    def draw(loc, scale):
        ember.manual_seed(6)
        return D.StudentT(df.detach(), loc, scale).rsample((2,))
    assert gradcheck(draw, [loc, scale])
    ember.manual_seed(6)
    D.StudentT(df, loc, scale).rsample().sum().backward()
    assert df.grad is not None and bool(ember.isfinite(df.grad).all())


def test_gamma_second_derivative_raises_instead_of_zero():
    a = p64([1.5, 3.0])
    ember.manual_seed(1)
    x = D.Gamma(a, 1.0).rsample()
    (g,) = ember.autograd.grad(x.sum(), a, create_graph=True)
    assert g.grad_fn is not None
    with pytest.raises(RuntimeError, match="standard_gamma_grad is not implemented"):
        g.sum().backward()
    from ember.distributions.utils import standard_gamma
    assert standard_gamma(a).grad_fn.name() == "StandardGammaBackward0"
    (gp,) = ember.autograd.grad(gammainc(a, c64([1.0, 2.0])).sum(), a, create_graph=True)
    with pytest.raises(RuntimeError, match="gammainc w.r.t. its first argument"):
        gp.sum().backward()


def test_gamma_rate_gradient_and_gammainc_grad():
    a, b = p64([0.7, 3.0]), p64([1.5, 0.8])

    def draw(b):
        ember.manual_seed(4)
        return D.Gamma(a.detach(), b).rsample((2,))
    assert gradcheck(draw, [b])  # the rate enters as x / rate
    assert gradcheck(lambda a, x: gammainc(a, x), [p64([0.4, 2.0, 30.0]), p64([0.3, 3.0, 25.0])])


# ---- how policy-gradient and VAE code use it -----------------------------------------------
def test_reinforce_gradient_through_categorical_log_prob():
    theta = p64([0.2, -0.4, 1.1, 0.0])
    ember.manual_seed(0)
    dist = D.Categorical(logits=theta)
    actions = dist.sample((64,))
    rewards = c64(np.linspace(-1.0, 2.0, 64))
    loss = -(rewards * dist.log_prob(actions)).mean()
    loss.backward()
    # d/dtheta log softmax(theta)[a] = onehot(a) - softmax(theta)
    p = np.exp(theta.detach().numpy())
    p /= p.sum()
    onehot = np.eye(4)[actions.numpy()]
    expected = -(rewards.numpy()[:, None] * (onehot - p)).mean(0)
    np.testing.assert_allclose(theta.grad.numpy(), expected, rtol=1e-12, atol=1e-14)


def test_vae_reparameterised_normal_gradient():
    mu, logvar = p64([0.3, -0.7, 1.2]), p64([-0.5, 0.2, 0.0])
    ember.manual_seed(3)
    q = D.Normal(mu, (0.5 * logvar).exp())
    z = q.rsample()
    prior = D.Normal(ember.zeros(3, dtype=ember.float64), ember.ones(3, dtype=ember.float64))
    loss = (z ** 2).sum() + D.kl_divergence(q, prior).sum()
    loss.backward()
    m, lv, zz = mu.detach().numpy(), logvar.detach().numpy(), z.detach().numpy()
    sigma = np.exp(0.5 * lv)
    eps = (zz - m) / sigma
    np.testing.assert_allclose(mu.grad.numpy(), 2 * zz + m, rtol=1e-12)
    np.testing.assert_allclose(logvar.grad.numpy(), 2 * zz * eps * 0.5 * sigma
                               + 0.5 * (sigma ** 2 - 1), rtol=1e-12)
    assert not q.sample().requires_grad
