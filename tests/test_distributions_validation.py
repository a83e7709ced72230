"""Argument and support validation of ember.distributions (PyTorch's exception types and
messages), the validate_args switch, constraints, and transform bookkeeping."""
import numpy as np
import pytest

import ember
import ember.distributions as D
from ember.distributions import constraints


def t(x):
    return ember.tensor(np.asarray(x, dtype=np.float32))


BAD_ARGS = [
    (lambda: D.Normal(t([0.0, 1.0]), t([1.0, -1.0])),
     r"Expected parameter scale \(Tensor of shape \(2,\)\) of distribution Normal\(loc: "
     r"torch.Size\(\[2\]\), scale: torch.Size\(\[2\]\)\) to satisfy the constraint "
     r"GreaterThan\(lower_bound=0.0\), but found invalid values"),
    (lambda: D.Bernoulli(probs=t([0.5]), logits=t([0.0])), "Either `probs` or `logits`"),
    (lambda: D.Bernoulli(), "Either `probs` or `logits`"),
    (lambda: D.Bernoulli(t([1.5])), r"constraint Interval\(lower_bound=0.0, upper_bound=1.0\)"),
    (lambda: D.Categorical(t(1.0)), "`probs` parameter must be at least one-dimensional."),
    (lambda: D.Categorical(t([-0.5, 1.5])), r"constraint Simplex\(\)"),
    (lambda: D.Uniform(t([1.0]), t([0.0])), r"LessThan\(upper_bound=tensor\(\[0.\]\)\)"),
    (lambda: D.Gamma(t([0.0]), 1.0), "parameter concentration"),
    (lambda: D.Beta(t([-1.0]), t([1.0])), "IndependentConstraint"),
    (lambda: D.Dirichlet(t(1.0)), "`concentration` parameter must be at least one-dimensional"),
    (lambda: D.Laplace(0.0, t([-1.0])), "parameter scale"),
    (lambda: D.Exponential(t([0.0])), "parameter rate"),
    (lambda: D.Poisson(t([-1.0])), r"GreaterThanEq\(lower_bound=0.0\)"),
    (lambda: D.Binomial(t([2.5]), t([0.5])), r"IntegerGreaterThan\(lower_bound=0\)"),
    (lambda: D.MultivariateNormal(t([0.0, 0.0]), covariance_matrix=t(np.eye(2)),
                                  scale_tril=t(np.eye(2))), "Exactly one of covariance_matrix"),
    (lambda: D.MultivariateNormal(t([0.0, 0.0]), covariance_matrix=t([[1.0, 2.0], [2.0, 1.0]])),
     r"PositiveDefinite\(\)"),
    (lambda: D.MultivariateNormal(t([0.0, 0.0]), scale_tril=t([[1.0, 1.0], [0.0, 1.0]])),
     r"LowerCholesky\(\)"),
    (lambda: D.MultivariateNormal(t(0.0), covariance_matrix=t(np.eye(2))),
     "loc must be at least one-dimensional."),
    (lambda: D.MultivariateNormal(t([0.0]), covariance_matrix=t([1.0])),
     "covariance_matrix matrix must be at least two-dimensional"),
    (lambda: D.Independent(D.Normal(t([0.0]), 1.0), 2),
     r"Expected reinterpreted_batch_ndims <= len\(base_distribution.batch_shape\), actual 2 vs 1"),
    (lambda: D.Normal("a", 1.0), "Input arguments must all be instances of Number"),
    (lambda: D.TransformedDistribution(D.Normal(0.0, 1.0), 3), "transforms must be a Transform"),
    (lambda: D.Geometric(t([0.0, 0.5])), "to be positive but found invalid values"),
    (lambda: D.StudentT(t([-1.0])), "parameter df"),
    (lambda: D.Cauchy(0.0, t([0.0])), "parameter scale"),
    (lambda: D.HalfNormal(t([-1.0])), "parameter scale"),
    (lambda: D.Chi2(t([0.0])), "parameter df"),
    (lambda: D.Gumbel(0.0, t([-1.0])), "parameter scale"),
    (lambda: D.Weibull(t([1.0]), t([0.0])), "parameter concentration"),
    (lambda: D.Pareto(t([1.0]), t([-1.0])), "parameter rate"),  # its base Exponential, as torch
    (lambda: D.NegativeBinomial(t([2.0]), t([1.0])), r"HalfOpenInterval"),
    (lambda: D.MixtureSameFamily(D.Categorical(t([0.5, 0.5])), D.Normal(t([0.0, 1.0, 2.0]), 1.0)),
     "does not equal"),
]


@pytest.mark.parametrize("make,match", BAD_ARGS)
def test_invalid_parameters_raise_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


BAD_VALUES = [
    (D.Normal(0.0, 1.0), [float("nan")], r"within the support \(Real\(\)\)"),
    (D.Exponential(t([1.0, 2.0])), [-1.0, 2.0],
     r"Expected value argument \(Tensor of shape \(2,\)\) to be within the support "
     r"\(GreaterThanEq\(lower_bound=0.0\)\) of the distribution Exponential\(rate: "
     r"torch.Size\(\[2\]\)\), but found invalid values"),
    (D.Bernoulli(t([0.5])), [0.5], r"Boolean\(\)"),
    (D.Categorical(t([0.5, 0.5])), [2.0], r"IntegerInterval\(lower_bound=0, upper_bound=1\)"),
    (D.Uniform(0.0, 1.0), [2.0], r"Interval\(lower_bound=0.0, upper_bound=1.0\)"),
    (D.Binomial(3, t([0.5])), [4.0], "IntegerInterval"),
    (D.Poisson(t([1.0])), [1.5], "IntegerGreaterThan"),
    (D.Beta(t([1.0]), t([1.0])), [1.5], "Interval"),
    (D.Multinomial(3, t([0.5, 0.5])), [3.0, 1.0], r"Multinomial\(\)"),
    (D.OneHotCategorical(t([0.5, 0.5])), [1.0, 1.0], r"OneHot\(\)"),
    (D.LogNormal(0.0, 1.0), [-1.0], r"GreaterThan\(lower_bound=0.0\)"),
    (D.Gamma(t([1.0]), 1.0), [-0.5], "GreaterThanEq"),
    (D.Dirichlet(t([1.0, 1.0])), [0.7, 0.7], r"Simplex\(\)"),
    (D.Geometric(t([0.5])), [-1.0], "IntegerGreaterThan"),
    (D.HalfNormal(t([1.0])), [-1.0], "GreaterThanEq"),
    (D.Pareto(t([1.0]), t([2.0])), [0.5], r"GreaterThanEq\(lower_bound=tensor\(\[1.\]\)\)"),
    (D.NegativeBinomial(t([2.0]), t([0.5])), [0.5], "IntegerGreaterThan"),
]


@pytest.mark.parametrize("dist,value,match", BAD_VALUES)
def test_log_prob_outside_support_raises(dist, value, match):
    with pytest.raises(ValueError, match=match):
        dist.log_prob(t(value))


def test_value_shape_and_type_errors():
    with pytest.raises(ValueError, match="Value is not broadcastable with batch_shape"):
        D.Normal(t([0.0, 0.0]), 1.0).log_prob(t([0.0, 0.0, 0.0]))
    with pytest.raises(ValueError, match="The value argument to log_prob must be a Tensor"):
        D.Normal(0.0, 1.0).log_prob(0.5)
    with pytest.raises(ValueError, match="The right-most size of value must match event_shape"):
        D.Dirichlet(t([1.0, 1.0, 1.0])).log_prob(t([0.5, 0.5]))


def test_validate_args_switch():
    assert D.Distribution._validate_args is True
    D.Normal(0.0, t([-1.0]), validate_args=False)  # no error
    assert np.isnan(D.Normal(0.0, 1.0, validate_args=False).log_prob(t([float("nan")])).item())
    try:
        D.Distribution.set_default_validate_args(False)
        bad = D.Exponential(t([-1.0]))
        assert bad.log_prob(t([-1.0])).shape == (1,)
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Exponential(t([-1.0]))
    with pytest.raises(ValueError):
        D.Distribution.set_default_validate_args(3)
    # expand keeps the flag
    assert D.Normal(0.0, 1.0, validate_args=False).expand((3,))._validate_args is False


def test_unimplemented_and_kl_errors():
    with pytest.raises(NotImplementedError):
        D.Poisson(t([1.0])).entropy()
    with pytest.raises(NotImplementedError, match="Inhomogeneous total count"):
        D.Binomial(t([2.0, 3.0]), t([0.5, 0.5])).entropy()
    with pytest.raises(ValueError, match="different event shapes"):
        D.kl_divergence(D.MultivariateNormal(t([0.0, 0.0]), t(np.eye(2))),
                        D.MultivariateNormal(t([0.0]), t(np.eye(1))))
    with pytest.raises(NotImplementedError, match="KL between Binomials"):
        D.kl_divergence(D.Binomial(2, t([0.5])), D.Binomial(3, t([0.5])))


def test_constraints_check_and_repr():
    assert repr(constraints.positive) == "GreaterThan(lower_bound=0.0)"
    assert repr(constraints.real_vector) == "IndependentConstraint(Real(), 1)"
    assert constraints.is_dependent(constraints.dependent)
    assert constraints.is_dependent(D.Uniform.support)
    assert not constraints.is_dependent(D.Uniform(0.0, 1.0).support)
    np.testing.assert_array_equal(constraints.unit_interval.check(t([-0.1, 0.5, 1.0])).numpy(),
                                  [False, True, True])
    np.testing.assert_array_equal(constraints.simplex.check(t([[0.2, 0.8], [0.5, 0.6]])).numpy(),
                                  [True, False])
    np.testing.assert_array_equal(
        constraints.lower_cholesky.check(t([[[1.0, 0.0], [2.0, 1.0]], [[1.0, 0.0], [0.0, -1.0]]])
                                         ).numpy(), [True, False])
    np.testing.assert_array_equal(
        constraints.independent(constraints.positive, 1).check(t([[1.0, 2.0], [1.0, -2.0]]))
        .numpy(), [True, False])
    assert constraints.nonnegative_integer.is_discrete and constraints.simplex.event_dim == 1
    with pytest.raises(ValueError):
        constraints.dependent.check(t([1.0]))


def test_transform_cache_inverse_and_equality():
    x = t([0.1, 0.2])
    tr = D.ExpTransform(cache_size=1)
    y = tr(x)
    assert tr.inv(y) is x  # cached pair
    assert D.ExpTransform() == D.ExpTransform() and D.ExpTransform() != D.TanhTransform()
    assert D.AffineTransform(1.0, 2.0) == D.AffineTransform(1.0, 2.0)
    assert D.AffineTransform(1.0, -2.0).sign == -1
    comp = D.ComposeTransform([D.ExpTransform(), D.AffineTransform(0.0, -1.0)])
    assert comp.sign == -1 and comp.bijective
    assert comp.inv.inv is comp
    assert repr(D.identity_transform) .startswith("ComposeTransform")
    sm = D.TransformedDistribution(D.Normal(t([0.0, 0.0, 0.0]), 1.0), [D.SoftmaxTransform()])
    assert tuple(sm.event_shape) == (3,) and tuple(sm.batch_shape) == ()
    s = sm.sample((4,))
    np.testing.assert_allclose(s.sum(-1).numpy(), 1.0, rtol=1e-6)
    with pytest.raises(NotImplementedError):
        sm.log_prob(s)
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        D.ExpTransform(cache_size=2)


def test_transformed_shapes_and_support():
    td = D.TransformedDistribution(D.Normal(t([0.0, 1.0]), 1.0),
                                   [D.AffineTransform(t([[0.0], [1.0], [2.0]]), 2.0)])
    assert tuple(td.batch_shape) == (3, 2)
    assert repr(td.support) == "Real()"
    assert repr(D.LogNormal(0.0, 1.0).support) == "GreaterThan(lower_bound=0.0)"
    ind = D.TransformedDistribution(D.Normal(t([0.0, 1.0]), 1.0),
                                    [D.AffineTransform(0.0, 2.0, event_dim=1)])
    assert tuple(ind.event_shape) == (2,) and tuple(ind.batch_shape) == ()
    assert tuple(ind.log_prob(t([0.5, 0.5])).shape) == ()
    assert tuple(ind.expand((4,)).batch_shape) == (4,)
    assert tuple(D.LogNormal(t([0.0, 1.0]), 1.0).expand((3, 2)).sample().shape) == (3, 2)


def test_repr_and_lazy_probs_logits():
    b = D.Bernoulli(logits=t([0.0, 2.0]))
    assert "probs" not in b.__dict__
    np.testing.assert_allclose(b.probs.numpy(), [0.5, 1 / (1 + np.exp(-2.0))], rtol=1e-6)
    assert "probs" in b.__dict__
    assert repr(D.Independent(D.Normal(t([0.0]), 1.0), 1)).startswith("Independent(Normal(")
    assert repr(D.Normal(0.0, 1.0)) == "Normal(loc: 0.0, scale: 1.0)"
    m = D.MultivariateNormal(t([0.0, 0.0]), precision_matrix=t([[2.0, 0.5], [0.5, 1.0]]))
    np.testing.assert_allclose((m.covariance_matrix @ m.precision_matrix).numpy(), np.eye(2),
                               atol=1e-5)


def test_stick_breaking_and_constraint_registry():
    torch = pytest.importorskip("torch")
    x = np.array([[0.3, -1.2, 2.0], [0.0, 0.0, 0.0]])
    e, tt = D.StickBreakingTransform(), torch.distributions.StickBreakingTransform()
    ex, tx = ember.tensor(x), torch.tensor(x)
    ey, ty = e(ex), tt(tx)
    np.testing.assert_allclose(ey.numpy(), ty.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ey.numpy()[1], 0.25, rtol=1e-12)  # x = 0: the uniform point
    np.testing.assert_allclose(e.log_abs_det_jacobian(ex, ey).numpy(),
                               tt.log_abs_det_jacobian(tx, ty).numpy(), rtol=1e-10)
    np.testing.assert_allclose(e.inv(ey).numpy(), x, atol=1e-12)
    assert tuple(e.forward_shape((2, 3))) == (2, 4) and tuple(e.inverse_shape((2, 4))) == (2, 3)
    # a Dirichlet pushed back through stick breaking is a proper density on R^(K-1)
    td = D.TransformedDistribution(D.Dirichlet(ember.tensor([2.0, 3.0, 4.0])), e.inv)
    ttd = torch.distributions.TransformedDistribution(
        torch.distributions.Dirichlet(torch.tensor([2.0, 3.0, 4.0])), tt.inv)
    v = ttd.sample((4,))
    np.testing.assert_allclose(td.log_prob(ember.tensor(v.numpy())).numpy(),
                               ttd.log_prob(v).numpy(), rtol=1e-4)
    u = ember.tensor(np.linspace(-3, 3, 6).reshape(2, 3))
    for c in [constraints.real, constraints.positive, constraints.nonnegative,
              constraints.greater_than(2.0), constraints.less_than(-1.0),
              constraints.unit_interval, constraints.interval(-2.0, 5.0), constraints.simplex,
              constraints.independent(constraints.positive, 1)]:
        for registry in (D.biject_to, D.transform_to):
            y = registry(c)(u)
            assert bool(c.check(y).all()), (c, registry)
    assert isinstance(D.biject_to(constraints.simplex), D.StickBreakingTransform)
    assert isinstance(D.transform_to(constraints.simplex), D.SoftmaxTransform)
    with pytest.raises(NotImplementedError):
        D.biject_to(constraints.lower_cholesky)


@pytest.mark.parametrize("diag", [0, -1, 1])
def test_tril_vector_round_trip_matches_torch(diag):
    torch = pytest.importorskip("torch")
    from ember.distributions.utils import tril_matrix_to_vec, vec_to_tril_matrix
    import torch.distributions.utils as tu
    m = np.arange(32.0).reshape(2, 4, 4)
    v = tril_matrix_to_vec(ember.tensor(m), diag).numpy()
    np.testing.assert_array_equal(v, tu.tril_matrix_to_vec(torch.tensor(m), diag).numpy())
    np.testing.assert_array_equal(vec_to_tril_matrix(ember.tensor(v), diag).numpy(),
                                  tu.vec_to_tril_matrix(torch.tensor(v), diag).numpy())
