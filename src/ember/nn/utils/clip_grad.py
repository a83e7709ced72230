"""Gradient clipping: clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_."""
import math
import warnings

from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import no_grad
from ..._backend import bump_version
from ...ops.creation import tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]


def _as_list(tensors):
    if isinstance(tensors, Tensor):
        return [tensors]
    return list(tensors)


def _norm(t, p):
    a = t._data
    xp = t._backend()
    if p == math.inf:
        return xp.abs(a).max() if a.size else xp.zeros((), a.dtype)
    if p == -math.inf:
        return xp.abs(a).min()
    if p == 2:
        return xp.sqrt(xp.vdot(a.ravel(), a.ravel()).real)
    if p == 1:
        return xp.abs(a).sum()
    if p == 0:
        return (a != 0).sum().astype(a.dtype)
    return (xp.abs(a) ** p).sum() ** (1.0 / p)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of all ``tensors`` together, as if concatenated."""
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return tensor(0.0)
    norms = [_norm(t, norm_type) for t in tensors]
    xp = tensors[0]._backend()
    stacked = xp.stack([xp.asarray(n, dtype=tensors[0]._data.dtype) for n in norms])
    if norm_type == math.inf:
        total = stacked.max()
    elif norm_type == -math.inf:
        total = stacked.min()
    elif norm_type == 0:
        total = stacked.sum()
    else:
        total = (xp.abs(stacked) ** norm_type).sum() ** (1.0 / norm_type)
    total = xp.asarray(total, dtype=tensors[0]._data.dtype)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm anyway, "
                           "set `error_if_nonfinite=False`")
    return _wrap(total)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients by max_norm / (total_norm + 1e-6) when that is below 1."""
    grads = [p._grad for p in _as_list(parameters) if p._grad is not None]
    if not grads:
        return
    coef = float(max_norm) / (float(total_norm) + 1e-6)
    coef = min(coef, 1.0)
    with no_grad():
        for g in grads:
            g._data *= g._data.dtype.type(coef)
            bump_version(g)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Rescale the gradients in place so their total ``norm_type``-norm is at most
    ``max_norm``; returns the total norm before clipping (``nn.utils.clip_grad_norm_``)."""
    max_norm = float(max_norm)  # PyTorch converts first: TypeError/ValueError for non-numbers
    params = _as_list(parameters)
    grads = [p._grad for p in params if p._grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(params, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of ``clip_grad_norm_``."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient elementwise to [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    with no_grad():
        for p in _as_list(parameters):
            g = p._grad
            if g is not None:
                xp = g._backend()
                xp.clip(g._data, -clip_value, clip_value, out=g._data)
                bump_version(g)
