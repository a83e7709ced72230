"""Elementwise activations as one table: each row holds the forward and the derivative on
backend arrays (the fast path) and the derivative with Ember ops (used when a graph of the
gradient is being built, so double backward works). One ``Op`` class serves every row.
"""
from .._tensor import _wrap
from ._dispatch import on_arrays
from ..autograd.node import Op

__all__ = ["ACTIVATIONS", "apply_activation"]


def _sig(xp, x):
    """sigmoid(x) = (1 + tanh(x / 2)) / 2: one vectorised tanh, no overflow."""
    t = xp.tanh(x * _f(x, 0.5))
    t *= _f(x, 0.5)
    t += _f(x, 0.5)
    return t


def _f(x, v):
    return x.dtype.type(v)


def _mask(t, cond):
    return cond.to(t.dtype)


# ---- rows: name -> (forward(xp, x, *p), deriv(xp, x, y, *p), deriv_t(x, *p)) --------------
def _leaky_fwd(xp, x, s):
    return xp.where(x > 0, x, x * _f(x, s))


def _leaky_d(xp, x, y, s):
    return xp.where(x > 0, _f(x, 1), _f(x, s))


def _leaky_dt(x, s):
    return _mask(x, x > 0) * (1 - s) + s


def _elu_fwd(xp, x, alpha, scale, in_scale):
    neg = xp.expm1(xp.minimum(x, 0) * _f(x, in_scale)) * _f(x, alpha * scale)
    return xp.where(x > 0, x * _f(x, scale), neg)


def _elu_d(xp, x, y, alpha, scale, in_scale):
    neg = xp.exp(xp.minimum(x, 0) * _f(x, in_scale)) * _f(x, alpha * scale * in_scale)
    return xp.where(x > 0, _f(x, scale), neg)


def _elu_dt(x, alpha, scale, in_scale):
    pos = _mask(x, x > 0)
    return pos * scale + (1 - pos) * ((x.clamp(max=0) * in_scale).exp() * (alpha * scale * in_scale))


def _softplus_fwd(xp, x, beta, th):
    bx = x * _f(x, beta)
    soft = xp.log1p(xp.exp(xp.minimum(bx, _f(x, th)))) / _f(x, beta)
    return xp.where(bx > th, x, soft)


def _softplus_d(xp, x, y, beta, th):
    bx = x * _f(x, beta)
    return xp.where(bx > th, _f(x, 1), _sig(xp, bx))


def _softplus_dt(x, beta, th):
    bx = x * beta
    lin = _mask(x, bx > th)
    return lin + (1 - lin) * bx.sigmoid()


def _silu_fwd(xp, x):
    return x * _sig(xp, x)


def _silu_d(xp, x, y):
    s = _sig(xp, x)
    return s * (1 + x * (1 - s))


def _silu_dt(x):
    s = x.sigmoid()
    return s * (1 + x * (1 - s))


def _mish_fwd(xp, x):
    return x * xp.tanh(_softplus_fwd(xp, x, 1.0, 20.0))


def _mish_d(xp, x, y):
    t = xp.tanh(_softplus_fwd(xp, x, 1.0, 20.0))
    return t + x * _sig(xp, x) * (1 - t * t)


def _mish_dt(x):
    sp = (x.clamp(max=20.0).exp() + 1).log()
    sp = sp + _mask(x, x > 20.0) * (x - sp)
    t = sp.tanh()
    return t + x * x.sigmoid() * (1 - t * t)


def _hardtanh_fwd(xp, x, lo, hi):
    return xp.clip(x, _f(x, lo), _f(x, hi))


def _hardtanh_d(xp, x, y, lo, hi):
    return ((x > lo) & (x < hi)).astype(x.dtype)


def _hardtanh_dt(x, lo, hi):
    return _mask(x, (x > lo) & (x < hi))


def _hsig_fwd(xp, x):
    return xp.clip(x * _f(x, 1 / 6) + _f(x, 0.5), _f(x, 0), _f(x, 1))


def _hsig_d(xp, x, y):
    return ((x > -3) & (x < 3)).astype(x.dtype) * _f(x, 1 / 6)


def _hsig_dt(x):
    return _mask(x, (x > -3) & (x < 3)) * (1 / 6)


def _hswish_fwd(xp, x):
    return x * xp.clip(x + _f(x, 3), _f(x, 0), _f(x, 6)) * _f(x, 1 / 6)


def _hswish_d(xp, x, y):
    return xp.where(x <= -3, _f(x, 0), xp.where(x < 3, x * _f(x, 1 / 3) + _f(x, 0.5), _f(x, 1)))


def _hswish_dt(x):
    mid = _mask(x, (x > -3) & (x < 3))
    hi = _mask(x, x >= 3)
    return mid * (x * (1 / 3) + 0.5) + hi


def _logsig_fwd(xp, x):
    return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))


def _logsig_d(xp, x, y):
    return _sig(xp, -x)


def _logsig_dt(x):
    return (-x).sigmoid()


def _softsign_fwd(xp, x):
    return x / (1 + xp.abs(x))


def _softsign_d(xp, x, y):
    d = 1 + xp.abs(x)
    return 1 / (d * d)


def _softsign_dt(x):
    d = x.abs() + 1
    return 1 / (d * d)


def _tanhshrink_fwd(xp, x):
    return x - xp.tanh(x)


def _tanhshrink_d(xp, x, y):
    t = xp.tanh(x)
    return t * t


def _tanhshrink_dt(x):
    t = x.tanh()
    return t * t


def _softshrink_fwd(xp, x, lam):
    return xp.where(x > lam, x - _f(x, lam), xp.where(x < -lam, x + _f(x, lam), _f(x, 0)))


def _shrink_d(xp, x, y, lam):
    return ((x > lam) | (x < -lam)).astype(x.dtype)


def _shrink_dt(x, lam):
    return _mask(x, (x > lam) | (x < -lam))


def _hardshrink_fwd(xp, x, lam):
    return xp.where((x > lam) | (x < -lam), x, _f(x, 0))


def _threshold_fwd(xp, x, th, value):
    return xp.where(x > th, x, _f(x, value))


def _threshold_d(xp, x, y, th, value):
    return (x > th).astype(x.dtype)


def _threshold_dt(x, th, value):
    return _mask(x, x > th)


ACTIVATIONS = {
    "leaky_relu": (_leaky_fwd, _leaky_d, _leaky_dt, "LeakyReluBackward0"),
    "elu": (_elu_fwd, _elu_d, _elu_dt, "EluBackward0"),
    "softplus": (_softplus_fwd, _softplus_d, _softplus_dt, "SoftplusBackward0"),
    "silu": (_silu_fwd, _silu_d, _silu_dt, "SiluBackward0"),
    "mish": (_mish_fwd, _mish_d, _mish_dt, "MishBackward0"),
    "hardtanh": (_hardtanh_fwd, _hardtanh_d, _hardtanh_dt, "HardtanhBackward0"),
    "hardsigmoid": (_hsig_fwd, _hsig_d, _hsig_dt, "HardsigmoidBackward0"),
    "hardswish": (_hswish_fwd, _hswish_d, _hswish_dt, "HardswishBackward0"),
    "logsigmoid": (_logsig_fwd, _logsig_d, _logsig_dt, "LogSigmoidBackward0"),
    "softsign": (_softsign_fwd, _softsign_d, _softsign_dt, "SoftsignBackward0"),
    "tanhshrink": (_tanhshrink_fwd, _tanhshrink_d, _tanhshrink_dt, "TanhshrinkBackward0"),
    "softshrink": (_softshrink_fwd, _shrink_d, _shrink_dt, "SoftshrinkBackward0"),
    "hardshrink": (_hardshrink_fwd, _shrink_d, _shrink_dt, "HardshrinkBackward0"),
    "threshold": (_threshold_fwd, _threshold_d, _threshold_dt, "ThresholdBackward0"),
}


class ActivationOp(Op):
    """One elementwise activation from ``ACTIVATIONS`` with its parameters ``p``."""
    save = (0,)

    def name(self):
        return ACTIVATIONS[self.row][3]

    def forward(ctx, x, row, p):
        ctx.row, ctx.p = row, p
        y = ACTIVATIONS[row][0](ctx.xp, x, *p)
        return y.astype(x.dtype, copy=False)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        fwd, d, dt, _ = ACTIVATIONS[ctx.row]
        if on_arrays():
            xa = x._data
            return _wrap((g._data * d(ctx.xp, xa, None, *ctx.p)).astype(xa.dtype, copy=False))
        return g * dt(x, *ctx.p)


def apply_activation(row, x, *p):
    """Run activation ``row`` of the table on float tensor ``x`` with parameters ``p``."""
    return ActivationOp.apply(x, row=row, p=p)
