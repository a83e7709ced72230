"""Elementwise regression/logistic losses fused with their reduction, as one table: each row
holds the loss and its derivative with respect to the input on backend arrays (fast path) and
the derivative with Ember ops (used when the gradient itself is being differentiated). The
target is a constant here; callers use the composite formulas when it requires grad.
"""
from .._tensor import _wrap
from ._dispatch import on_arrays
from ..autograd.node import Op

__all__ = ["LOSSES", "fused_loss"]


def _f(x, v):
    return x.dtype.type(v)


def _sig(xp, x):
    t = xp.tanh(x * _f(x, 0.5))
    t *= _f(x, 0.5)
    t += _f(x, 0.5)
    return t


# name -> (loss(xp, x, t, *p), dloss(xp, x, t, *p), dloss_t(x, t, *p))
def _mse(xp, x, t):
    d = x - t
    return d * d


def _mse_d(xp, x, t):
    return (x - t) * _f(x, 2)


def _mse_dt(x, t):
    return (x - t) * 2


def _smooth_l1(xp, x, t, beta):
    d = x - t
    a = xp.abs(d)
    return xp.where(a < beta, d * d * _f(x, 0.5 / beta), a - _f(x, 0.5 * beta))


def _smooth_l1_d(xp, x, t, beta):
    d = x - t
    return xp.where(xp.abs(d) < beta, d * _f(x, 1 / beta), xp.sign(d))


def _smooth_l1_dt(x, t, beta):
    d = x - t
    inner = (d.abs() < beta).to(d.dtype)
    return inner * d * (1 / beta) + (1 - inner) * d.sign()


def _huber(xp, x, t, delta):
    d = x - t
    a = xp.abs(d)
    return xp.where(a < delta, d * d * _f(x, 0.5), (a - _f(x, 0.5 * delta)) * _f(x, delta))


def _huber_d(xp, x, t, delta):
    d = x - t
    return xp.where(xp.abs(d) < delta, d, xp.sign(d) * _f(x, delta))


def _huber_dt(x, t, delta):
    d = x - t
    inner = (d.abs() < delta).to(d.dtype)
    return inner * d + (1 - inner) * d.sign() * delta


def _bce_logits(xp, x, t, pos_weight):
    logsig = xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))
    if pos_weight is None:
        return (1 - t) * x - logsig
    return (1 - t) * x - ((pos_weight - 1) * t + 1) * logsig


def _bce_logits_d(xp, x, t, pos_weight):
    if pos_weight is None:
        return _sig(xp, x) - t
    return (1 - t) - ((pos_weight - 1) * t + 1) * _sig(xp, -x)


def _bce_logits_dt(x, t, pos_weight):
    if pos_weight is None:
        return x.sigmoid() - t
    return (1 - t) - ((pos_weight - 1) * t + 1) * (-x).sigmoid()


LOSSES = {
    "mse": (_mse, _mse_d, _mse_dt),
    "smooth_l1": (_smooth_l1, _smooth_l1_d, _smooth_l1_dt),
    "huber": (_huber, _huber_d, _huber_dt),
    "bce_with_logits": (_bce_logits, _bce_logits_d, _bce_logits_dt),
}


class FusedLossOp(Op):
    """loss(x, target) of table row ``row``, times ``weight`` (or None), then reduced."""
    _name = "FusedLossBackward0"
    save = (0, 1, 2)

    def forward(ctx, x, t, w, row, p, reduction):
        ctx.row, ctx.p, ctx.reduction = row, p, reduction
        pw = p[0] if row == "bce_with_logits" else None
        args = (pw,) if row == "bce_with_logits" else p
        loss = LOSSES[row][0](ctx.xp, x, t, *args)
        if w is not None:
            loss = loss * w
        loss = loss.astype(x.dtype, copy=False)
        if reduction == "none":
            return loss
        total = loss.sum()
        return (total if reduction == "sum" else total / loss.size).astype(x.dtype)

    def backward(ctx, g):
        x, t, w = ctx.saved_tensors
        row, p, reduction = ctx.row, ctx.p, ctx.reduction
        n = x.numel()
        if on_arrays():
            xa = x._data
            args = p
            d = LOSSES[row][1](ctx.xp, xa, t._data, *args)
            if w is not None:
                d = d * w._data
            ga = g._data if reduction != "mean" else g._data / n
            return _wrap((d * ga).astype(xa.dtype, copy=False)), None, None
        pw = p[0] if row == "bce_with_logits" else None
        args = (None if pw is None else _wrap(pw),) if row == "bce_with_logits" else p
        d = LOSSES[row][2](x, t, *args)
        if w is not None:
            d = d * w
        return (d * (g / n if reduction == "mean" else g)), None, None


def fused_loss(row, input, target, weight, reduction, *p):
    """Run loss ``row`` of the table on float ``input`` against constant ``target``."""
    return FusedLossOp.apply(input, target, weight, row=row, p=p, reduction=reduction)
