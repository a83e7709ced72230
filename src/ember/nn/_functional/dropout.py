"""torch.nn.functional's dropout family: dropout, dropout1d/2d/3d, alpha_dropout,
feature_alpha_dropout."""
import math

from ... import _checks
from ..._tensor import _wrap
from ...ops import random as RND
from ...ops._inplace import inplace_method as _inplace


__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]


# ---- dropout -----------------------------------------------------------------------------
def _check_p(p):
    _checks.check_probability(p)


def _keep_mask(input, shape, p):
    """A float mask of ``shape``: 1/(1-p) with probability 1-p, else 0."""
    r = RND.rand(*shape, dtype=input.dtype if input.is_floating_point() else None,
                 device=input.device)
    keep = r._data >= p
    scale = 0.0 if p >= 1.0 else 1.0 / (1.0 - p)
    return _wrap((keep * scale).astype(input._data.dtype, copy=False))


def _apply_mask(input, mask, inplace):
    if inplace:
        return _inplace(lambda x: x * mask, "mul_")(input)
    return input * mask


def _check_dropout_args(p, training, name):
    """PyTorch's order: the Python range check of p (which NaN slips through), then the
    kernel's type check of ``training``, then the kernel's NaN check of p."""
    if isinstance(p, bool) or not isinstance(p, float) or p == p:
        _check_p(p)
    _checks.check_bool(name, training, "training", 3)
    _check_p(p)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p) (``F.dropout``)."""
    _check_dropout_args(p, training, "dropout")
    if not training or p == 0.0:
        return input
    return _apply_mask(input, _keep_mask(input, input.shape, p), inplace)


def _feature_dropout(input, p, training, inplace, batched_dim, name):
    _check_dropout_args(p, training, name)
    if not training or p == 0.0:
        return input
    nd = input.dim()
    if nd not in (batched_dim, batched_dim - 1):
        raise RuntimeError(f"{name}: Expected {batched_dim - 1}D or {batched_dim}D input, but "
                           f"received a {nd}D input.")
    if nd == batched_dim:
        shape = tuple(input.shape[:2]) + (1,) * (nd - 2)
    else:
        shape = (input.shape[0],) + (1,) * (nd - 1)
    return _apply_mask(input, _keep_mask(input, shape, p), inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) input (``F.dropout1d``)."""
    return _feature_dropout(input, p, training, inplace, 3, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) or (C, H, W) input (``F.dropout2d``)."""
    return _feature_dropout(input, p, training, inplace, 4, "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input (``F.dropout3d``)."""
    return _feature_dropout(input, p, training, inplace, 5, "dropout3d")


_ALPHA = 1.7580993408473766


def _alpha_dropout(input, p, training, shape):
    _check_dropout_args(p, training, "alpha_dropout")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    r = RND.rand(*shape, device=input.device)
    keep = _wrap((r._data >= p).astype(input._data.dtype))
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    b = (keep - 1.0) * (_ALPHA * a) + _ALPHA * a * p
    return input * (keep * a) + b


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's zero mean and unit variance (``F.alpha_dropout``)."""
    return _alpha_dropout(input, p, training, input.shape)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Channel-wise alpha dropout (``F.feature_alpha_dropout``)."""
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    return _alpha_dropout(input, p, training, shape)
