"""Regularized incomplete gamma functions P(a, x) and Q(a, x), vectorised (part of the seam).

The series of P for x < a + 1 and Legendre's continued fraction for Q otherwise (A&S 6.5.29,
6.5.31; the fraction by the modified Lentz method), each run until its terms fall below one
ulp, on the elements still converging. Edge values follow PyTorch's (Cephes igam/igamc) order.
"""
import numpy as np

from .special import _EPS, _lgamma64

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
