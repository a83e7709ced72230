"""Regularized incomplete gamma functions P(a, x) and Q(a, x), vectorised (part of the seam).

The series of P for x < a + 1 and Legendre's continued fraction for Q otherwise (A&S 6.5.29,
6.5.31; the fraction by the modified Lentz method), each run until its terms fall below one
ulp, on the elements still converging. Edge values follow PyTorch's (Cephes igam/igamc) order.
"""
import numpy as np

from .special import _EPS, _lgamma64, digamma, lgamma

_TINY = 1e-300


def _igam_prefactor(xp, a, x, lg):
    """x^a e^-x / Gamma(a) through logs, with lgamma given."""
    return xp.exp(a * xp.log(x) - x - lg)


def _igam_pq(xp, a, x):
    """(P, Q) for a > 0, x > 0 finite: series for x < a + 1, continued fraction otherwise."""
    a, x = xp.broadcast_arrays(a, x)
    shape = a.shape
    a, x = a.ravel().astype(xp.float64), x.ravel().astype(xp.float64)
    p = xp.empty_like(a)
    q = xp.empty_like(a)
    ser = x < a + 1
    # series: P = x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a + 1) ... (a + n))
    idx = xp.nonzero(ser)[0]
    aa, xx = a[idx], x[idx]
    term = xp.ones_like(aa)
    total = xp.ones_like(aa)
    den = aa.copy()
    pos = xp.arange(idx.size)
    while pos.size:
        den[pos] += 1
        term[pos] *= xx[pos] / den[pos]
        total[pos] += term[pos]
        pos = pos[xp.abs(term[pos]) > _EPS * xp.abs(total[pos])]
    ps = _igam_prefactor(xp, aa, xx, _lgamma64(xp, aa + 1)) * total
    p[idx], q[idx] = ps, 1 - ps
    # Legendre's continued fraction for Q by the modified Lentz method
    idx = xp.nonzero(~ser)[0]
    aa, xx = a[idx], x[idx]
    b = xx + 1 - aa
    c = xp.full_like(aa, 1 / _TINY)
    d = 1 / b
    h = d.copy()
    pos = xp.arange(idx.size)
    i = 0
    while pos.size and i < 10000:
        i += 1
        an = -i * (i - aa[pos])
        b[pos] += 2
        dp = an * d[pos] + b[pos]
        dp = xp.where(xp.abs(dp) < _TINY, _TINY, dp)
        cp = b[pos] + an / c[pos]
        cp = xp.where(xp.abs(cp) < _TINY, _TINY, cp)
        dp = 1 / dp
        delta = dp * cp
        d[pos], c[pos] = dp, cp
        h[pos] *= delta
        pos = pos[xp.abs(delta - 1) > _EPS]
    qs = _igam_prefactor(xp, aa, xx, _lgamma64(xp, aa)) * h
    q[idx], p[idx] = qs, 1 - qs
    return p.reshape(shape), q.reshape(shape)


def _igam_edges(xp, a, x, r, upper):
    """PyTorch's values at the domain's edges, in its order of precedence (last wins here)."""
    one, zero = (0.0, 1.0) if upper else (1.0, 0.0)
    r = xp.where(xp.isnan(a) | xp.isnan(x), xp.nan, r)
    r = xp.where(xp.isinf(x), one, r)
    r = xp.where(xp.isinf(a), xp.where(xp.isinf(x), xp.nan, zero), r)
    r = xp.where(x == 0, zero, r)
    r = xp.where(a == 0, xp.where(x > 0, one, xp.nan), r)
    return xp.where((a < 0) | (x < 0), xp.nan, r)


def _gammainc_any(xp, a, x, upper):
    with np.errstate(all="ignore"):
        a64, x64 = xp.broadcast_arrays(a.astype(xp.float64), x.astype(xp.float64))
        ok = (a64 > 0) & (x64 > 0) & xp.isfinite(a64) & xp.isfinite(x64)
        p, q = _igam_pq(xp, xp.where(ok, a64, 1.0), xp.where(ok, x64, 1.0))
        r = _igam_edges(xp, a64, x64, q if upper else p, upper)
        return r.astype(a.dtype, copy=False)


def gammainc(xp, a, x):
    """Regularized lower incomplete gamma P(a, x)."""
    return _gammainc_any(xp, a, x, False)


def gammaincc(xp, a, x):
    """Regularized upper incomplete gamma Q(a, x) = 1 - P(a, x)."""
    return _gammainc_any(xp, a, x, True)


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
