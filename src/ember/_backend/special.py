"""Special functions NumPy lacks (erf, erfinv, lgamma, digamma, polygamma): part of the seam.

SciPy (or CuPy's cupyx.scipy.special on cuda) computes them when it is importable; otherwise
Python's math module is mapped over the elements, exact but slower. Both give the same values.
"""
import math

import numpy as np

_scipy_special = None


def _special(xp):
    global _scipy_special
    if xp is not np:
        sp = getattr(xp, "_cupyx_special", None)  # ember.testing's stand-in provides its own
        if sp is None:
            import cupyx.scipy.special as sp
        return sp
    if _scipy_special is None:
        try:
            import scipy.special as sp
        except ImportError:
            sp = False
        _scipy_special = sp
    return _scipy_special


def _map(fn, x):
    # asarray: frompyfunc returns a bare Python float for a 0-d input
    return np.asarray(np.frompyfunc(fn, 1, 1)(x)).astype(x.dtype)


def _digamma_scalar(x):
    if x <= 0 and x == math.floor(x):
        return math.nan
    result = 0.0
    if x < 0:  # reflection
        return _digamma_scalar(1 - x) - math.pi / math.tan(math.pi * x)
    while x < 6:
        result -= 1 / x
        x += 1
    f = 1 / (x * x)
    return result + math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (
        1 / 240 - f / 132))))


def _trigamma_scalar(x):
    result = 0.0
    while x < 6:
        result += 1 / (x * x)
        x += 1
    f = 1 / (x * x)
    return result + 1 / x + f / 2 + f / x * (1 / 6 - f * (1 / 30 - f * (1 / 42 - f / 30)))


def _erfinv_scalar(y):
    if y <= -1:
        return -math.inf if y == -1 else math.nan
    if y >= 1:
        return math.inf if y == 1 else math.nan
    # initial guess (Giles' single-precision approximation) refined by Newton steps on erf
    w = -math.log((1.0 - y) * (1.0 + y))
    if w < 5:
        w -= 2.5
        p = 2.81022636e-08
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                  -0.00417768164, 0.246640727, 1.50140941):
            p = c + p * w
    else:
        w = math.sqrt(w) - 3
        p = -0.000200214257
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                  0.00943887047, 1.00167406, 2.83297682):
            p = c + p * w
    x = p * y
    for _ in range(3):
        err = math.erf(x) - y
        x -= err / (2 / math.sqrt(math.pi) * math.exp(-x * x))
    return x


def erf(xp, x):
    sp = _special(xp)
    return sp.erf(x) if sp else _map(math.erf, x)


def erfc(xp, x):
    sp = _special(xp)
    return sp.erfc(x) if sp else _map(math.erfc, x)


def erfinv(xp, x):
    sp = _special(xp)
    return sp.erfinv(x) if sp else _map(_erfinv_scalar, x)


def lgamma(xp, x):
    sp = _special(xp)
    if sp:
        return sp.gammaln(x)
    return _map(lambda v: math.inf if v <= 0 and v == math.floor(v) else math.lgamma(v), x)


def digamma(xp, x):
    sp = _special(xp)
    if sp:
        out = sp.psi(x)
        # PyTorch: digamma at 0 is -inf (SciPy gives nan at non-positive integers except 0)
        return xp.where(x == 0, -xp.inf, out).astype(x.dtype)
    out = _map(_digamma_scalar, x)
    return np.where(x == 0, -np.inf, out).astype(x.dtype)


def polygamma(xp, n, x):
    sp = _special(xp)
    if sp:
        return sp.polygamma(n, x).astype(x.dtype)
    if n == 0:
        return digamma(xp, x)
    if n == 1:
        return _map(_trigamma_scalar, x)
    raise NotImplementedError("polygamma with n >= 2 needs SciPy installed")


def _igamma_series(xp, a, x):
    """Lower series of P(a, x) = x^a e^-x / Gamma(a+1) * S, S = sum_n t_n,
    t_n = x^n / ((a+1)...(a+n)), with S' = sum_n t_n H_n, H_n = sum_{k<=n} 1/(a+k) (so that
    dS/da = -S'). Elements leave the loop as their terms fall below 1e-17 of the sum."""
    s, ds = xp.ones_like(x), xp.zeros_like(x)
    idx = xp.arange(x.shape[0])
    a_, x_ = a, x
    term, harmonic, s_, ds_ = xp.ones_like(x), xp.zeros_like(x), s.copy(), ds.copy()
    for n in range(1, 100000):
        term = term * x_ / (a_ + n)
        harmonic = harmonic + 1.0 / (a_ + n)
        s_ = s_ + term
        ds_ = ds_ + term * harmonic
        if n % 8 == 0:
            live = term > 1e-17 * s_
            done = ~live
            s[idx[done]], ds[idx[done]] = s_[done], ds_[done]
            if not bool(live.any()):
                break
            idx, a_, x_, term, harmonic, s_, ds_ = (v[live] for v in (idx, a_, x_, term,
                                                                          harmonic, s_, ds_))
    return s, ds


def _igamma_fraction(xp, a, x):
    """Continued fraction C of Q(a, x) = x^a e^-x / Gamma(a) * C (modified Lentz, for
    x >= a + 1), carried with its derivative dC/da in forward mode. Elements leave the loop
    once a step changes C and dC/da by less than 1e-15 relative."""
    h_out, dh_out = xp.empty_like(x), xp.empty_like(x)
    idx = xp.arange(x.shape[0])
    b, db = x + 1.0 - a, -xp.ones_like(x)
    c, dc = xp.full_like(x, 1e300), xp.zeros_like(x)
    d, dd = 1.0 / b, 1.0 / (b * b)
    h, dh = d, dd
    for i in range(1, 100000):
        an, dan = -i * (i - a), float(i)
        b = b + 2.0
        d_new = an * d + b
        dd = dan * d + an * dd + db
        c_new = b + an / c
        dc = db + (dan - an * dc / c) / c
        d, dd = 1.0 / d_new, -dd / (d_new * d_new)
        c = c_new
        delta, ddelta = d * c, dd * c + d * dc
        h, dh = h * delta, dh * delta + h * ddelta
        if i % 4 == 0:
            live = (abs(delta - 1.0) > 1e-15) | (abs(h * ddelta) > 1e-15 * abs(dh))
            done = ~live
            h_out[idx[done]], dh_out[idx[done]] = h[done], dh[done]
            if not bool(live.any()):
                break
            idx, a, x, b, db, c, dc, d, dd, h, dh = (v[live] for v in (idx, a, x, b, db, c, dc,
                                                                       d, dd, h, dh))
    return h_out, dh_out


def gammainc_grad(xp, a, x):
    """The regularized lower incomplete gamma P(a, x), dP/da, and the implicit derivative of a
    standard gamma sample with respect to its concentration, dx/da = -(dP/da) / pdf(x; a).

    Series below x < a + 1, continued fraction (for Q = 1 - P) above, both differentiated in
    ``a`` term by term, so the derivative is as accurate as the function. Float64 inside."""
    dt = x.dtype
    a, x = xp.broadcast_arrays(xp.asarray(a, dtype=xp.float64), xp.asarray(x, dtype=xp.float64))
    shape = a.shape
    a, x = a.reshape(-1), xp.maximum(x.reshape(-1), 1e-300)
    p, dp, dx = xp.empty(a.shape), xp.empty(a.shape), xp.empty(a.shape)
    log_x = xp.log(x)
    low = x < a + 1.0
    if bool(low.any()):
        al, xl, lxl = a[low], x[low], log_x[low]
        s, ds = _igamma_series(xp, al, xl)
        pref = xp.exp(al * lxl - xl - lgamma(xp, al + 1.0))
        inner = s * (lxl - digamma(xp, al + 1.0)) - ds
        p[low], dp[low], dx[low] = pref * s, pref * inner, -(xl / al) * inner
    high = ~low
    if bool(high.any()):
        ah, xh, lxh = a[high], x[high], log_x[high]
        cf, dcf = _igamma_fraction(xp, ah, xh)
        pref = xp.exp(ah * lxh - xh - lgamma(xp, ah))
        inner = cf * (lxh - digamma(xp, ah)) + dcf
        p[high], dp[high], dx[high] = 1.0 - pref * cf, -pref * inner, xh * inner
    return tuple(v.reshape(shape).astype(dt) for v in (p, dp, dx))
