"""ember.special: values against torch.special over wide grids (float64 and float32, tails,
0, +-inf, nan), accuracy against mpmath where torch itself is loose, gradients (gradcheck and
gradgradcheck in float64), dtype promotion, refusals and out=."""
import math

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck

S = ember.special
_EDGES = [0.0, -0.0, math.inf, -math.inf, math.nan]


def _grid(lo, hi, n=1201, logs=True, edges=True):
    parts = [np.linspace(lo, hi, n)]
    if logs:
        g = np.geomspace(1e-300, 1e300, 300)
        parts += [g, -g]
    if edges:
        parts.append(np.array(_EDGES))
    return np.concatenate(parts)


_SPECIAL_ONLY = {  # name: (grid, float64 rtol, float64 atol)
    "erfcx": (_grid(-30, 30), 1e-12, 0),
    "i0e": (_grid(-60, 60), 1e-13, 0),
    "i1": (_grid(-60, 60, logs=False), 1e-13, 0),
    "i1e": (_grid(-60, 60), 1e-13, 0),
    "ndtr": (_grid(-40, 40), 1e-12, 1e-16),  # torch's ndtr is 1 + erf: 0 below -8.3
    "ndtri": (np.concatenate([np.linspace(-0.5, 1.5, 2001), np.geomspace(1e-300, 0.5, 300),
                              1 - np.geomspace(1e-16, 0.5, 100), _EDGES]), 1e-13, 0),
    "log_ndtr": (_grid(-40, 40), 1e-13, 0),
    "entr": (_grid(-5, 50), 1e-13, 0),
    "erf": (_grid(-30, 30), 1e-14, 0),
    "erfc": (_grid(-30, 30), 1e-13, 0),
    "erfinv": (np.concatenate([np.linspace(-1.5, 1.5, 3001), np.geomspace(1e-300, 1, 300),
                               1 - np.geomspace(1e-16, 0.5, 100), _EDGES]), 1e-13, 0),
    "gammaln": (_grid(-40, 60), 1e-12, 1e-14),  # absolute near the zeros of lgamma
    "digamma": (_grid(-40, 60, logs=False), 1e-12, 1e-13),
    "i0": (_grid(-60, 60, logs=False), 1e-13, 0),
    # torch's Cephes j0/j1 lose ~1e-7 absolute on 2 < |x| < 25 (Ember: 5e-16, see mpmath test)
    "bessel_j0": (_grid(-100, 100, logs=False), 0, 5e-7),
    "bessel_j1": (_grid(-100, 100, logs=False), 0, 5e-7),
}


def _compare(name, xs, rtol, atol, torch, dtype=np.float64):
    t = getattr(torch.special, name)(torch.from_numpy(xs.astype(dtype))).numpy()
    e = getattr(S, name)(ember.tensor(xs.astype(dtype))).numpy()
    assert e.dtype == t.dtype
    np.testing.assert_allclose(e, t, rtol=rtol, atol=atol, equal_nan=True,
                               err_msg=f"special.{name} ({dtype.__name__})")


@pytest.mark.parametrize("name", sorted(_SPECIAL_ONLY))
def test_unary_parity_float64(name, torch_mod):
    xs, rtol, atol = _SPECIAL_ONLY[name]
    if name in ("gammaln", "digamma"):  # poles: both give inf/nan; exact integers tested below
        xs = xs[~((xs < 0) & (xs == np.floor(xs)))]
    if name == "i1":
        xs = xs[np.abs(xs) < 700]  # beyond that both overflow to +-inf
    _compare(name, xs, rtol, atol, torch_mod)


@pytest.mark.parametrize("name", sorted(_SPECIAL_ONLY))
def test_unary_parity_float32(name, torch_mod):
    xs, _, atol = _SPECIAL_ONLY[name]
    xs = xs[np.isnan(xs) | (np.abs(xs) < 3e38)]
    xs = xs[np.isnan(xs) | (np.abs(xs) > 1e-37) | (xs == 0)]
    if name in ("gammaln", "digamma"):
        xs = xs[~((xs < 0) & (np.abs(xs - np.round(xs)) < 1e-3))]  # float32 poles are fuzzy
        xs = xs[np.abs(xs) < 1e6]
    if name == "i1":
        xs = xs[np.abs(xs) < 80]
    if name in ("ndtri", "erfinv"):
        xs = xs[np.isnan(xs) | (np.abs(xs) > 1e-30)]
    xs32 = xs.astype(np.float32)
    atol = max(atol, 1e-37)  # float32 subnormal results: torch may flush them
    # one float32 ulp of the argument moves steep functions by more than their value's ulp
    rtol = {"gammaln": 2e-4, "digamma": 2e-4, "i0": 2e-5, "i1": 2e-5, "erfcx": 1e-5,
            "log_ndtr": 1e-5, "ndtri": 1e-5}.get(name, 3e-6)
    atol = max(atol, {"gammaln": 1e-6, "digamma": 1e-5, "bessel_j0": 1e-6, "bessel_j1": 1e-6,
                      "ndtr": 1e-7, "entr": 1e-6}.get(name, 0))
    _compare(name, xs32, rtol, atol, torch_mod, np.float32)


def test_gamma_family_at_poles_and_integers(torch_mod):
    xs = np.array([-5.0, -2.0, -1.0, -0.0, 0.0, 1.0, 2.0, 3.0, 10.0, 171.0, 1e15])
    for name in ("gammaln", "digamma"):
        _compare(name, xs, 1e-14, 0, torch_mod)
    t = torch_mod.polygamma(3, torch_mod.from_numpy(xs[5:])).numpy()
    np.testing.assert_allclose(S.polygamma(3, ember.tensor(xs[5:])).numpy(), t, rtol=1e-13)


@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_polygamma_parity(n, torch_mod):
    xs = np.concatenate([np.linspace(-20.3, 60.1, 801), np.geomspace(1e-5, 1e5, 100)])
    xs = xs[np.abs(xs - np.round(xs)) > 1e-6]
    t = torch_mod.special.polygamma(n, torch_mod.from_numpy(xs)).numpy()
    e = S.polygamma(n, ember.tensor(xs)).numpy()
    # torch's trigamma truncates its asymptotic series early (~5e-10); Ember's is zeta(2, x),
    # good to 1e-14 (see the mpmath test)
    np.testing.assert_allclose(e, t, rtol=1e-9 if n == 1 else 1e-11, atol=1e-300)


def test_zeta_parity(torch_mod):
    x = np.concatenate([np.linspace(-3, 40, 87), [1, 2, 3, 4, math.inf, math.nan]])
    q = np.concatenate([np.linspace(0.05, 40, 81), [1e-5, 1e5, math.inf, math.nan]])
    X, Q = np.meshgrid(x, q)
    t = torch_mod.special.zeta(torch_mod.from_numpy(X), torch_mod.from_numpy(Q)).numpy()
    e = S.zeta(ember.tensor(X), ember.tensor(Q)).numpy()
    np.testing.assert_allclose(e, t, rtol=1e-13, atol=0, equal_nan=True)
    # q <= 0: poles at the integers, nan for non-integer x, a sum with cancellation otherwise
    X, Q = np.meshgrid([1.5, 2.0, 3.0, 4.0, 7.0, math.nan, math.inf],
                       [0.0, -1.0, -2.5, -7.25, -0.5, -1e-10, -0.999, -1e5 - 0.5])
    t = torch_mod.special.zeta(torch_mod.from_numpy(X), torch_mod.from_numpy(Q)).numpy()
    e = S.zeta(ember.tensor(X), ember.tensor(Q)).numpy()
    # odd x: the terms on both sides of 0 cancel, both libraries keep ~eps * 2^x absolute
    np.testing.assert_allclose(e, t, rtol=1e-9, atol=1e-12, equal_nan=True)
    # large negative q costs no loop of |q| steps
    big = S.zeta(ember.tensor([2.0, 4.0], dtype=ember.float64), -1e12 - 0.5).numpy()
    np.testing.assert_allclose(big, [math.pi ** 2, math.pi ** 4 / 3], rtol=1e-6)


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_incomplete_gamma_parity(name, torch_mod):
    a = np.concatenate([np.geomspace(1e-3, 1e3, 40), [0.0, -1.0, math.inf, math.nan, 0.5, 1, 2]])
    x = np.concatenate([np.geomspace(1e-4, 2e3, 60), [0.0, -1.0, math.inf, math.nan]])
    A, X = np.meshgrid(a, x)
    t = getattr(torch_mod.special, name)(torch_mod.from_numpy(A), torch_mod.from_numpy(X))
    e = getattr(S, name)(ember.tensor(A), ember.tensor(X))
    # torch's uniform asymptotic branch (a > 20) is good to ~2e-9; Ember's series/fraction is
    # good to ~1e-13 there (see the mpmath test)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=5e-9, atol=1e-290, equal_nan=True)
    assert getattr(ember, "igamma" if name == "gammainc" else "igammac") is getattr(S, name)


def test_accuracy_against_mpmath():
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 40

    def check(fn, ref, xs, rtol, atol=0.0):
        xs = np.asarray(xs, dtype=np.float64)
        got = fn(ember.tensor(xs)).numpy()
        want = np.array([float(ref(mp.mpf(float(v)))) for v in xs])
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)

    g = np.linspace(-25, 25, 301)
    check(S.bessel_j0, lambda v: mp.besselj(0, v), g, 0, 1e-15)
    check(S.bessel_j1, lambda v: mp.besselj(1, v), np.linspace(-80, 80, 321), 0, 1e-15)
    check(S.ndtr, mp.ncdf, np.linspace(-37, 8, 181), 2e-13)
    check(S.erfcx, lambda v: mp.erfc(v) * mp.exp(v * v), np.linspace(-26, 1e3, 301), 1e-14)
    check(S.i0e, lambda v: mp.besseli(0, v) * mp.exp(-abs(v)), np.linspace(-700, 700, 281), 5e-15)
    check(S.i1, lambda v: mp.besseli(1, v), np.linspace(-100, 100, 201), 5e-15)
    check(S.gammaln, lambda v: mp.log(abs(mp.gamma(v))), np.linspace(0.01, 30, 300), 1e-14)
    check(lambda t: S.polygamma(1, t), lambda v: mp.polygamma(1, v), np.linspace(0.1, 30, 100),
          1e-14)
    for a, x in [(28.94, 20.9), (28.94, 37.0), (5.5, 3.2), (500.0, 480.0), (0.01, 0.9)]:
        p = mp.gammainc(a, 0, x, regularized=True)
        got = S.gammainc(ember.tensor([a], dtype=ember.float64), ember.tensor([x],
                                                                          dtype=ember.float64))
        assert abs(got.item() / float(p) - 1) < 2e-13
        gotq = S.gammaincc(ember.tensor([a], dtype=ember.float64), ember.tensor(
            [x], dtype=ember.float64))
        assert abs(gotq.item() / float(1 - p) - 1) < 2e-13


_GRAD_ROWS = {  # name: (function of one float64 tensor, sample points)
    "erfcx": (S.erfcx, [-1.5, -0.3, 0.4, 2.0, 9.0]),
    "i0e": (S.i0e, [-3.0, -0.5, 0.7, 2.5, 30.0]),
    "i1": (S.i1, [-3.0, -0.5, 0.7, 2.5]),
    "i1e": (S.i1e, [-3.0, -0.5, 0.7, 2.5, 30.0]),
    "i0": (S.i0, [-3.0, -0.5, 0.7, 2.5]),
    "ndtr": (S.ndtr, [-3.0, -0.5, 0.7, 2.5]),
    "ndtri": (S.ndtri, [0.01, 0.3, 0.5, 0.8, 0.99]),
    "log_ndtr": (S.log_ndtr, [-12.0, -3.0, -0.5, 0.7, 2.5]),
    "entr": (S.entr, [0.1, 0.5, 1.0, 3.0]),
    "erf": (S.erf, [-2.0, -0.3, 0.4, 1.5]),
    "erfinv": (S.erfinv, [-0.9, -0.3, 0.4, 0.95]),
    "gammaln": (S.gammaln, [-2.5, 0.3, 1.7, 12.0]),
    "digamma": (S.digamma, [-2.5, 0.3, 1.7, 12.0]),
    "polygamma2": (lambda t: S.polygamma(2, t), [-2.5, 0.3, 1.7, 12.0]),
    "expit": (S.expit, [-3.0, 0.2, 4.0]),
    "logit": (lambda t: S.logit(t, eps=1e-6), [0.1, 0.5, 0.8]),
    "sinc": (S.sinc, [-1.3, 0.2, 2.7]),
    "multigammaln": (lambda t: S.multigammaln(t, 3), [1.6, 2.5, 7.0]),
}


@pytest.mark.parametrize("name", sorted(_GRAD_ROWS))
def test_gradcheck_and_gradgradcheck(name):
    fn, pts = _GRAD_ROWS[name]
    x = ember.tensor(pts, dtype=ember.float64, requires_grad=True)
    assert gradcheck(fn, (x,), eps=1e-6, atol=1e-6, rtol=1e-5)
    assert gradgradcheck(fn, (x,), eps=1e-6, atol=1e-5, rtol=1e-4)


def test_binary_gradients():
    a = ember.tensor([0.5, 1.5, 3.0], dtype=ember.float64, requires_grad=True)
    b = ember.tensor([0.2, 1.0, 4.0], dtype=ember.float64, requires_grad=True)
    assert gradcheck(S.xlog1py, (a, b))
    assert gradgradcheck(S.xlog1py, (a, b))
    assert gradcheck(S.xlogy, (a, b))
    s = ember.tensor([2.5, 3.0, 4.5], dtype=ember.float64)
    q = ember.tensor([0.7, 1.5, 3.0], dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda t: S.zeta(s, t), (q,))
    assert gradgradcheck(lambda t: S.zeta(s, t), (q,))
    for fn in (S.gammainc, S.gammaincc):
        assert gradcheck(lambda t: fn(s, t), (q,))
        assert gradgradcheck(lambda t: fn(s, t), (q,))


def test_gradients_match_torch(torch_mod):
    pts = [-2.0, -0.4, 0.6, 3.0]
    for name in ("erfcx", "i0e", "i1", "i1e", "log_ndtr", "ndtr"):
        x = ember.tensor(pts, dtype=ember.float64, requires_grad=True)
        getattr(S, name)(x).sum().backward()
        tx = torch_mod.tensor(pts, dtype=torch_mod.float64, requires_grad=True)
        ty = getattr(torch_mod.special, name)(tx)
        ty.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
        if name != "ndtr":  # torch's ndtr is a composite (MulBackward)
            assert getattr(S, name)(x).grad_fn.name() == ty.grad_fn.name()


def test_underivable_arguments_raise_like_torch():
    s = ember.tensor([2.5, 3.0], dtype=ember.float64, requires_grad=True)
    q = ember.tensor([0.7, 1.5], dtype=ember.float64)
    with pytest.raises(NotImplementedError, match="derivative for 'zeta' is not implemented"):
        S.zeta(s, q).sum().backward()
    with pytest.raises(NotImplementedError, match="igamma: input"):
        S.gammainc(s, q).sum().backward()
    with pytest.raises(NotImplementedError, match="igammac: input"):
        S.gammaincc(s, q).sum().backward()
    # torch returns bessel_j0/j1 results that do not require grad
    assert not S.bessel_j0(s).requires_grad and not S.bessel_j1(s).requires_grad


@pytest.mark.parametrize("name", ["erfcx", "i0e", "i1", "i1e", "ndtr", "ndtri", "log_ndtr",
                                  "entr", "bessel_j0", "bessel_j1", "gammaln", "digamma",
                                  "expit", "erf", "sinc", "i0"])
def test_dtype_promotion_and_refusals(name, torch_mod):
    fn, tfn = getattr(S, name), getattr(torch_mod.special, name)
    for dt in ("int64", "int32", "uint8", "bool", "float16", "bfloat16", "complex64"):
        tin = torch_mod.tensor([1, 0], dtype=getattr(torch_mod, dt))
        ein = ember.tensor([1, 0], dtype=getattr(ember, dt))
        try:
            want = tfn(tin)
        except Exception as exc:  # noqa: BLE001  (the type torch raises is the spec)
            with pytest.raises(type(exc)):
                fn(ein)
            continue
        got = fn(ein)
        assert str(got.dtype) == str(want.dtype), dt
        np.testing.assert_allclose(got.float().numpy(), want.float().numpy(), rtol=1e-2,
                                   equal_nan=True)


def test_binary_promotion_and_scalars(torch_mod):
    for name in ("xlog1py", "zeta", "xlogy"):
        fn, tfn = getattr(S, name), getattr(torch_mod.special, name)
        for a, b in [([2, 3], [1, 4]), (2.0, [1.5, 4.0]), ([1.5, 4.0], 3)]:
            ea = ember.tensor(a) if isinstance(a, list) else a
            eb = ember.tensor(b) if isinstance(b, list) else b
            ta = torch_mod.tensor(a) if isinstance(a, list) else a
            tb = torch_mod.tensor(b) if isinstance(b, list) else b
            got, want = fn(ea, eb), tfn(ta, tb)
            assert str(got.dtype) == str(want.dtype)
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    with pytest.raises(NotImplementedError, match="Half"):
        S.zeta(ember.tensor([2.0], dtype=ember.float16), ember.tensor([1.0],
                                                                     dtype=ember.float16))
    with pytest.raises(NotImplementedError, match="Long"):
        S.gammainc(ember.tensor([2]), ember.tensor([1]))


def test_out_and_aliases(torch_mod):
    x = ember.tensor([0.3, 0.7], dtype=ember.float64)
    for name in ("erfcx", "i0e", "i1", "i1e", "ndtr", "ndtri", "log_ndtr", "entr", "bessel_j0",
                 "expit", "gammaln", "psi", "erf", "erfc", "erfinv", "sinc", "round", "i0",
                 "expm1", "exp2", "log1p", "digamma"):
        out = ember.empty(2, dtype=ember.float64)
        r = getattr(S, name)(x, out=out)
        assert r is out
        want = getattr(torch_mod.special, name)(torch_mod.tensor([0.3, 0.7],
                                                                 dtype=torch_mod.float64))
        np.testing.assert_allclose(out.numpy(), want.numpy(), rtol=1e-14)
    out = ember.empty(2, dtype=ember.float64)
    assert S.zeta(x + 2, x, out=out) is out
    assert S.polygamma(2, x, out=out) is out
    assert S.multigammaln(x + 2, 2, out=out) is out
    assert S.logsumexp(x, 0, out=ember.empty((), dtype=ember.float64)).item() == pytest.approx(
        math.log(math.exp(0.3) + math.exp(0.7)))
    np.testing.assert_allclose(S.softmax(x, 0).numpy(),
                               torch_mod.special.softmax(torch_mod.tensor([0.3, 0.7],
                                                         dtype=torch_mod.float64), 0).numpy())
    np.testing.assert_allclose(S.log_softmax(x, 0, dtype=ember.float32).numpy(),
                               torch_mod.special.log_softmax(torch_mod.tensor(
                                   [0.3, 0.7], dtype=torch_mod.float64), 0,
                                   dtype=torch_mod.float32).numpy(), rtol=1e-6)
    assert S.round(ember.tensor([1.2345]), decimals=2).item() == pytest.approx(1.23)
    assert set(S.__all__) <= set(dir(S))


def test_special_namespace_matches_torch(torch_mod):
    wanted = ("expit logit erf erfc erfinv erfcx xlogy xlog1py gammaln digamma psi polygamma "
              "multigammaln i0 i0e i1 i1e log_softmax softmax logsumexp ndtr ndtri log_ndtr "
              "sinc round entr zeta bessel_j0 bessel_j1 expm1 exp2 log1p gammainc "
              "gammaincc").split()
    for name in wanted:
        assert hasattr(torch_mod.special, name)
        assert callable(getattr(S, name)) and getattr(S, name).__doc__, name
