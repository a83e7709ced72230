"""Samples of ember.distributions: shapes, dtypes, reproducibility under ember.manual_seed, and
statistics (sample mean / variance within a few standard errors at n = 20000, KS distances)."""
import math

import numpy as np
import pytest

import ember
import ember.distributions as D

N = 20000


def f64(x):
    return ember.tensor(np.asarray(x, dtype=np.float64))


# name -> (distribution, exact mean, exact variance) as NumPy arrays
def _cases():
    return {
        "Normal": (D.Normal(f64([0.5, -1.0]), f64([1.0, 2.5])), [0.5, -1.0], [1.0, 6.25]),
        "Laplace": (D.Laplace(f64([0.5, -1.0]), f64([1.0, 0.5])), [0.5, -1.0], [2.0, 0.5]),
        "Exponential": (D.Exponential(f64([0.5, 3.0])), [2.0, 1 / 3], [4.0, 1 / 9]),
        "Uniform": (D.Uniform(f64([0.0, -2.0]), f64([1.0, 4.0])), [0.5, 1.0], [1 / 12, 3.0]),
        "Gamma": (D.Gamma(f64([0.3, 4.0]), f64([1.0, 2.0])), [0.3, 2.0], [0.3, 1.0]),
        "Beta": (D.Beta(f64([0.5, 3.0]), f64([2.0, 1.5])), [0.2, 3 / 4.5],
                 [0.5 * 2 / (2.5 ** 2 * 3.5), 3 * 1.5 / (4.5 ** 2 * 5.5)]),
        "Poisson": (D.Poisson(f64([0.7, 12.0])), [0.7, 12.0], [0.7, 12.0]),
        "Bernoulli": (D.Bernoulli(f64([0.2, 0.9])), [0.2, 0.9], [0.16, 0.09]),
        "Binomial": (D.Binomial(f64([10.0, 3.0]), f64([0.3, 0.6])), [3.0, 1.8], [2.1, 0.72]),
        "Categorical": (D.Categorical(f64([0.1, 0.2, 0.7])), [1.6], [0.44]),
        "LogNormal": (D.LogNormal(f64([0.0, 0.5]), f64([0.3, 0.2])),
                      [math.exp(0.045), math.exp(0.52)],
                      [(math.exp(0.09) - 1) * math.exp(0.09),
                       (math.exp(0.04) - 1) * math.exp(1.04)]),
        "Dirichlet": (D.Dirichlet(f64([1.0, 2.0, 3.0])), [1 / 6, 2 / 6, 3 / 6],
                      [a * (6 - a) / (36 * 7) for a in (1.0, 2.0, 3.0)]),
        "Multinomial": (D.Multinomial(5, f64([0.2, 0.3, 0.5])), [1.0, 1.5, 2.5],
                        [0.8, 1.05, 1.25]),
        "OneHotCategorical": (D.OneHotCategorical(f64([0.2, 0.8])), [0.2, 0.8], [0.16, 0.16]),
        "HalfNormal": (D.HalfNormal(f64([1.0, 2.0])), [math.sqrt(2 / math.pi), 2 * math.sqrt(
            2 / math.pi)], [1 - 2 / math.pi, 4 * (1 - 2 / math.pi)]),
        "Chi2": (D.Chi2(f64([1.0, 6.0])), [1.0, 6.0], [2.0, 12.0]),
        "StudentT": (D.StudentT(f64([10.0, 12.0]), f64([0.5, -1.0]), f64([1.0, 2.0])),
                     [0.5, -1.0], [10 / 8, 4 * 12 / 10]),
        "Geometric": (D.Geometric(f64([0.3, 0.8])), [1 / 0.3 - 1, 0.25],
                      [(1 / 0.3 - 1) / 0.3, 0.25 / 0.8]),
        "Gumbel": (D.Gumbel(f64([0.5, -1.0]), f64([1.0, 2.0])),
                   [0.5 + 0.5772156649015329, -1.0 + 2 * 0.5772156649015329],
                   [math.pi ** 2 / 6, 4 * math.pi ** 2 / 6]),
        "Weibull": (D.Weibull(f64([1.0, 2.0]), f64([1.5, 3.0])),
                    [math.gamma(1 + 1 / 1.5), 2 * math.gamma(1 + 1 / 3)],
                    [math.gamma(1 + 2 / 1.5) - math.gamma(1 + 1 / 1.5) ** 2,
                     4 * (math.gamma(1 + 2 / 3) - math.gamma(1 + 1 / 3) ** 2)]),
        "Pareto": (D.Pareto(f64([1.0, 0.5]), f64([6.0, 9.0])), [6 / 5, 0.5 * 9 / 8],
                   [6 / (25 * 4), 0.25 * 9 / (64 * 7)]),
        "NegativeBinomial": (D.NegativeBinomial(f64([3.0, 10.0]), f64([0.4, 0.7])),
                             [3 * 0.4 / 0.6, 10 * 0.7 / 0.3],
                             [3 * 0.4 / 0.36, 10 * 0.7 / 0.09]),
        "MultivariateNormal": (D.MultivariateNormal(f64([1.0, -1.0]), f64([[2.0, 0.5],
                                                                           [0.5, 1.0]])),
                               [1.0, -1.0], [2.0, 1.0]),
    }


@pytest.mark.parametrize("name", sorted(_cases()))
def test_sample_moments(name):
    dist, mean, var = _cases()[name]
    ember.manual_seed(1234)
    x = dist.sample((N,)).numpy().astype(np.float64)
    mean, var = np.asarray(mean), np.asarray(var)
    se_mean = np.sqrt(var / N)
    assert np.all(np.abs(x.mean(0) - mean) < 5 * se_mean), (x.mean(0), mean)
    # the sample variance's standard error, from the sample's fourth central moment
    m4 = ((x - x.mean(0)) ** 4).mean(0)
    se_var = np.sqrt(np.maximum(m4 - var ** 2, 1e-12) / N)
    assert np.all(np.abs(x.var(0) - var) < 5 * se_var), (x.var(0), var)
    if name != "Categorical":  # its mean and variance are NaN, as PyTorch's
        np.testing.assert_allclose(dist.mean.numpy(), mean, rtol=1e-12)
        np.testing.assert_allclose(dist.variance.numpy(), var, rtol=1e-12)


@pytest.mark.parametrize("name", ["Normal", "Laplace", "Exponential", "Uniform", "Gamma",
                                  "LogNormal", "HalfNormal", "Chi2", "Cauchy", "Gumbel",
                                  "Weibull", "Pareto", "HalfCauchy"])
def test_ks_against_cdf(name):
    dist = {"Cauchy": lambda: D.Cauchy(f64([0.5, -1.0]), f64([1.0, 3.0])),
            "HalfCauchy": lambda: D.HalfCauchy(f64([1.0, 3.0]))}.get(
        name, lambda: _cases()[name][0])()
    ember.manual_seed(7)
    x = dist.sample((4000,))
    xs = ember.sort(x, dim=0)[0]
    cdf = dist.cdf(xs).numpy()
    n = cdf.shape[0]
    grid = np.arange(1, n + 1)[:, None] / n
    ks = np.max(np.maximum(grid - cdf, cdf - (grid - 1 / n)), axis=0)
    assert np.all(ks < 1.63 / math.sqrt(n)), ks  # the 1% critical value


def test_beta_gamma_small_concentration_ks():
    # implicit-reparameterisation families at small shape, via the Gamma CDF
    g = D.Gamma(f64([0.05]), f64([1.0]))
    ember.manual_seed(3)
    x = ember.sort(g.rsample((4000,)), dim=0)[0]
    cdf = g.cdf(x).numpy()[:, 0]
    grid = np.arange(1, 4001) / 4000
    assert np.max(np.abs(grid - cdf)) < 1.63 / math.sqrt(4000) + 1 / 4000
    assert bool((x > 0).all())


@pytest.mark.parametrize("name", sorted(_cases()))
def test_sample_shape_and_reproducible(name):
    dist = _cases()[name][0]
    ember.manual_seed(5)
    a = dist.sample((3, 2))
    ember.manual_seed(5)
    b = dist.sample((3, 2))
    assert tuple(a.shape) == (3, 2) + tuple(dist.batch_shape) + tuple(dist.event_shape)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not a.requires_grad
    assert tuple(dist.sample().shape) == tuple(dist.batch_shape) + tuple(dist.event_shape)
    if dist.has_rsample:
        assert tuple(dist.rsample((4,)).shape) == (4,) + tuple(dist.batch_shape) + tuple(
            dist.event_shape)
    assert dist.support.check(a).all()


def test_categorical_sample_dtype_and_support():
    c = D.Categorical(logits=ember.zeros(2, 4))
    s = c.sample((10,))
    assert s.dtype == ember.int64 and tuple(s.shape) == (10, 2)
    assert bool(((s >= 0) & (s < 4)).all())


def test_float32_parameters_give_float32_samples():
    for dist in [D.Normal(ember.zeros(2), 1.0), D.Gamma(ember.ones(2), 1.0),
                 D.Dirichlet(ember.ones(3)), D.Exponential(ember.ones(2))]:
        assert dist.rsample((2,)).dtype == ember.float32


def test_sample_n_warns():
    with pytest.warns(UserWarning):
        assert tuple(D.Normal(0.0, 1.0).sample_n(3).shape) == (3,)
