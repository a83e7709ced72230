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
    return np.frompyfunc(fn, 1, 1)(x).astype(x.dtype)


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
