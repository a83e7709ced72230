"""deg2rad ... corrcoef (ops/number_functions.py, bessel.py, statistics.py) vs real PyTorch: values, dtypes, gradients, errors."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck
from ember.testing import assert_close

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 5))
B = RNG.standard_normal((3, 5))


def _e(x, **kw):
    return ember.tensor(x, **kw)


def _same(e, t):
    """Ember result ``e`` equals torch result ``t`` in values and dtype."""
    assert str(e.dtype) == str(t.dtype), (e.dtype, t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    assert_close(e, ember.tensor(t.detach().numpy()), equal_nan=True)


def _err(fn_e, fn_t):
    with pytest.raises(Exception) as te:
        fn_t()
    with pytest.raises(type(te.value)) as ee:
        fn_e()
    assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("name", ["deg2rad", "rad2deg", "i0"])
@pytest.mark.parametrize("data", [A, A.astype(np.float32), np.array([1, -2, 3]),
                                  np.array([True, False])])
def test_unary_float_functions(torch_mod, name, data):
    if name == "i0" and data.dtype == bool:
        data = data.astype(np.int64)
    _same(getattr(ember, name)(_e(data)), getattr(torch_mod, name)(torch_mod.tensor(data)))
    _same(getattr(_e(data), name)(), getattr(torch_mod.tensor(data), name)())


@pytest.mark.parametrize("name", ["deg2rad", "rad2deg", "i0"])
def test_unary_grad_and_inplace(torch_mod, name):
    x = _e(A, requires_grad=True)
    assert gradcheck(getattr(ember, name), (x,))
    y, ty = _e(A.copy()), torch_mod.tensor(A.copy())
    getattr(y, name + "_")()
    getattr(ty, name + "_")()
    _same(y, ty)


@pytest.mark.parametrize("name", ["deg2rad", "rad2deg", "i0"])
@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
def test_unary_half_precision(torch_mod, name, dt):
    data = [0.5, 1.5, -2.0, 7.3, 0.0]
    e = getattr(ember, name)(ember.tensor(data, dtype=getattr(ember, dt)))
    t = getattr(torch_mod, name)(torch_mod.tensor(data, dtype=getattr(torch_mod, dt)))
    assert str(e.dtype) == str(t.dtype)
    assert e.tolist() == t.tolist()


def test_i0_second_derivative():
    x = _e(np.array([-2.0, -0.3, 0.0, 0.7, 3.0]), requires_grad=True)
    assert ember.autograd.gradgradcheck(ember.i0, (x,))


@pytest.mark.parametrize("name", ["gcd", "lcm"])
def test_gcd_lcm(torch_mod, name):
    a = RNG.integers(-30, 30, (4, 6))
    b = RNG.integers(-30, 30, (6,)).astype(np.int32)
    _same(getattr(ember, name)(_e(a), _e(b)), getattr(torch_mod, name)(torch_mod.tensor(a),
                                                                       torch_mod.tensor(b)))
    _same(getattr(_e(a), name)(_e(b)), getattr(torch_mod.tensor(a), name)(torch_mod.tensor(b)))
    x, tx = _e(a.copy()), torch_mod.tensor(a.copy())
    getattr(x, name + "_")(_e(b))
    getattr(tx, name + "_")(torch_mod.tensor(b))
    _same(x, tx)
    _err(lambda: getattr(ember, name)(_e(A), _e(B)),
         lambda: getattr(torch_mod, name)(torch_mod.tensor(A), torch_mod.tensor(B)))


def test_ldexp(torch_mod):
    e = RNG.integers(-4, 5, (3, 5))
    for x in (A, A.astype(np.float32), np.arange(15).reshape(3, 5)):
        _same(ember.ldexp(_e(x), _e(e)), torch_mod.ldexp(torch_mod.tensor(x), torch_mod.tensor(e)))
    x = _e(A, requires_grad=True)
    assert gradcheck(lambda t: ember.ldexp(t, _e(e)), (x,))
    _err(lambda: ember.ldexp(_e(A), 2), lambda: torch_mod.ldexp(torch_mod.tensor(A), 2))


def test_nextafter(torch_mod):
    for dt in (np.float32, np.float64):
        a, b = A.astype(dt), B.astype(dt)
        _same(ember.nextafter(_e(a), _e(b)), torch_mod.nextafter(torch_mod.tensor(a),
                                                                  torch_mod.tensor(b)))
    xe, oe = _e(A, requires_grad=True), _e(B, requires_grad=True)
    xt, ot = torch_mod.tensor(A, requires_grad=True), torch_mod.tensor(B, requires_grad=True)
    ember.nextafter(xe, oe).sum().backward()
    torch_mod.nextafter(xt, ot).sum().backward()
    _same(xe.grad, xt.grad)
    _same(oe.grad, ot.grad)
    _err(lambda: ember.nextafter(_e([1, 2]), _e([2, 3])),
         lambda: torch_mod.nextafter(torch_mod.tensor([1, 2]), torch_mod.tensor([2, 3])))


def test_frexp(torch_mod):
    data = np.concatenate([A.ravel() * 100, [0.0, 1.0, -0.5, 1e-300]])
    for dt in (np.float32, np.float64):
        m, e = ember.frexp(_e(data.astype(dt)))
        tm, te = torch_mod.frexp(torch_mod.tensor(data.astype(dt)))
        _same(m, tm)
        _same(e, te)
        r = _e(data.astype(dt)).frexp()
        assert type(r).__name__ == "frexp" and r.mantissa is r[0] and r.exponent is r[1]
    x = _e(A * 10, requires_grad=True)
    assert gradcheck(lambda t: ember.frexp(t).mantissa, (x,))
    _err(lambda: ember.frexp(_e([1, 2])), lambda: torch_mod.frexp(torch_mod.tensor([1, 2])))


@pytest.mark.parametrize("p", [1, 2, 3])
def test_mvlgamma(torch_mod, p):
    data = np.abs(A) + 1.5
    _same(ember.mvlgamma(_e(data), p), torch_mod.mvlgamma(torch_mod.tensor(data), p))
    _same(_e(data).mvlgamma(p=p), torch_mod.tensor(data).mvlgamma(p=p))
    x = _e(data, requires_grad=True)
    assert gradcheck(lambda t: ember.mvlgamma(t, p), (x,))
    y, ty = _e(data.copy()), torch_mod.tensor(data.copy())
    y.mvlgamma_(p)
    ty.mvlgamma_(p)
    _same(y, ty)


@pytest.mark.parametrize("p,dim,maxnorm", [(2, 0, 1.0), (1, 1, 0.5), (3, -1, 2.0), (2.5, 0, 10.)])
def test_renorm(torch_mod, p, dim, maxnorm):
    _same(ember.renorm(_e(A), p, dim, maxnorm), torch_mod.renorm(torch_mod.tensor(A), p, dim,
                                                                 maxnorm))
    x = _e(A, requires_grad=True)
    assert gradcheck(lambda t: ember.renorm(t, p, dim, maxnorm), (x,))
    y, ty = _e(A.copy()), torch_mod.tensor(A.copy())
    y.renorm_(p, dim, maxnorm)
    ty.renorm_(p, dim, maxnorm)
    _same(y, ty)


def test_renorm_errors(torch_mod):
    for args in (((3,), 2, 0, 1.0), ((2, 3), 2, 0, -1.0), ((2, 3), -1, 0, 1.0)):
        _err(lambda: ember.renorm(ember.ones(args[0]), *args[1:]),
             lambda: torch_mod.renorm(torch_mod.ones(args[0]), *args[1:]))


@pytest.mark.parametrize("p", [2, 1, 0, float("inf"), 3.5])
def test_dist(torch_mod, p):
    _same(ember.dist(_e(A), _e(B[0]), p), torch_mod.dist(torch_mod.tensor(A),
                                                         torch_mod.tensor(B[0]), p))
    _same(_e(A).dist(_e(B), p=p), torch_mod.tensor(A).dist(torch_mod.tensor(B), p=p))
    if p != 0:
        x, y = _e(A, requires_grad=True), _e(B, requires_grad=True)
        assert gradcheck(lambda s, t: ember.dist(s, t, p), (x, y))


@pytest.mark.parametrize("correction", [0, 1, 2])
def test_cov(torch_mod, correction):
    fw = RNG.integers(0, 4, 5)
    aw = RNG.random(5)
    for kw in ({}, {"fweights": fw}, {"aweights": aw}, {"fweights": fw, "aweights": aw}):
        ek = {k: _e(v) for k, v in kw.items()}
        tk = {k: torch_mod.tensor(v) for k, v in kw.items()}
        _same(ember.cov(_e(A), correction=correction, **ek),
              torch_mod.cov(torch_mod.tensor(A), correction=correction, **tk))
        x = _e(A, requires_grad=True)
        assert gradcheck(lambda t: ember.cov(t, correction=correction, **ek), (x,))
    _same(ember.cov(_e(A[0])), torch_mod.cov(torch_mod.tensor(A[0])))
    _same(_e(A[:1]).cov(), torch_mod.tensor(A[:1]).cov())
    ints = RNG.integers(0, 9, (2, 4))
    _same(ember.cov(_e(ints)), torch_mod.cov(torch_mod.tensor(ints)))


def test_cov_errors(torch_mod):
    cases = [((2, 2, 2), {}), ((2, 3), {"fweights": [1., 2., 3.]}),
             ((2, 3), {"fweights": [1, -2, 3]}),
             ((2, 3), {"aweights": [1., -2., 3.]}), ((2, 3), {"aweights": [1, 2, 3]}),
             ((2, 3), {"aweights": [1., 2.]}), ((2, 3), {"fweights": [[1, 2, 3]]})]
    for shape, kw in cases:
        _err(lambda: ember.cov(ember.ones(shape), **{k: _e(v) for k, v in kw.items()}),
             lambda: torch_mod.cov(torch_mod.ones(shape),
                                   **{k: torch_mod.tensor(v) for k, v in kw.items()}))


def test_corrcoef(torch_mod):
    for x in (A, A.astype(np.float32), RNG.integers(0, 9, (3, 6)), A[0]):
        _same(ember.corrcoef(_e(x)), torch_mod.corrcoef(torch_mod.tensor(x)))
    _same(_e(A).corrcoef(), torch_mod.tensor(A).corrcoef())
    x = _e(A, requires_grad=True)
    assert gradcheck(ember.corrcoef, (x,))


def test_logdet_present(torch_mod):
    m = A[:, :3] @ A[:, :3].T + np.eye(3)
    _same(ember.logdet(_e(m)), torch_mod.logdet(torch_mod.tensor(m)))
    _same(_e(m).logdet(), torch_mod.tensor(m).logdet())
