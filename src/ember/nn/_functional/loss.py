"""Loss functions of torch.nn.functional. ``reduction`` is 'none' | 'mean' | 'sum' (the legacy
``size_average``/``reduce`` flags are still understood). cross_entropy runs as one fused op."""
import math
import warnings

from ... import _backend as B_, _checks, _dtype as D
from ..._tensor import _wrap
from ...ops import unary as U, pointwise as P, binary as B, reduce as R
from ...ops.nn_basic import CrossEntropyOp, CTCLossOp
from ...ops.nn_loss import fused_loss
from ...ops._dispatch import records
from .activation import logsigmoid
from .distance import pairwise_distance
from ...ops.creation import tensor
from ...ops._inplace import _cap

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
           "cosine_embedding_loss", "margin_ranking_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss", "hinge_embedding_loss",
           "multilabel_soft_margin_loss", "poisson_nll_loss", "gaussian_nll_loss",
           "soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss", "ctc_loss"]


def _legacy(size_average, reduce, reduction):
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction='"
                  + _legacy_str(size_average, reduce) + "' instead.", stacklevel=3)
    return _legacy_str(size_average, reduce)


def _legacy_str(size_average, reduce):
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_reduction(reduction):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _fusable(input, target, *consts):
    """True when the fused loss op applies: float input of the target's shape, and target
    (and weights) constant for autograd."""
    if input._data.dtype.kind != "f" or input._data.shape != target._data.shape:
        return False
    if target._data.dtype != input._data.dtype:
        return False
    for c in (target,) + consts:
        if c is not None and (records(c) or c._data.dtype != input._data.dtype):
            return False
    return True


def _check_weight(input, weight):
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")


def _weighted(loss, weight, reduction):
    """PyTorch's weighted mse/l1: 'mean' divides by the sum of the weights."""
    loss = loss * weight
    if reduction == "mean":
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def _warn_size(input, target):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)


def _loss_operands(kernel, input, target, out_like_input=False, float_result=False):
    """``input`` and ``target`` of an elementwise loss kernel in PyTorch's dtype rules:
    promoted to their result type (the default float when ``float_result`` and the result is
    integral), which must be floating (NotImplementedError naming ``kernel`` otherwise); with
    ``out_like_input`` the loss is written into a tensor like ``input``, so the result type
    must cast to input's dtype and the broadcast shape be input's (RuntimeError). Returns
    (input, target, output dtype or None)."""
    dt = D.result_type(input, target)
    if float_result and dt._category < D._FLOAT:
        dt = D.get_default_dtype()
    out = None
    if out_like_input:
        out = input.dtype
        if dt is not out and dt._category > out._category:
            raise RuntimeError(f"result type {_cap(dt)} can't be cast to the desired output "
                               f"type {_cap(out)}")
    if dt._category < D._FLOAT:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_cap(dt)}'")
    if out_like_input and float_result:
        shape = list(B_.broadcast_shapes(tuple(input.shape), tuple(target.shape)))
        if shape != list(input.shape):
            raise RuntimeError(f"output with shape {list(input.shape)} doesn't match the "
                               f"broadcast shape {shape}")
    if input.dtype is not dt:
        input = input.to(dt)
    if target.dtype is not dt:
        target = target.to(dt)
    return input, target, (out if out is not dt else None)


# ---- regression --------------------------------------------------------------------------
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error (x - y)^2, reduced (``F.mse_loss``)."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_weight(input, weight)
    if weight is None and _fusable(input, target):
        return fused_loss("mse", input, target, None, reduction)
    _warn_size(input, target)
    input, target, _ = _loss_operands("mse_cpu", input, target)
    d = input - target
    loss = d * d
    if weight is not None:
        return _weighted(loss, weight, reduction)
    return _reduce(loss, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error |x - y|, reduced (``F.l1_loss``)."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_weight(input, weight)
    _warn_size(input, target)
    loss = U.abs(input - target)
    if weight is not None:
        return _weighted(loss, weight, reduction)
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (``F.smooth_l1_loss``)."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not beta >= 0:  # NaN included
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta > 0 and _fusable(input, target):
        return fused_loss("smooth_l1", input, target, None, reduction, beta)
    _warn_size(input, target)
    input, target, _ = _loss_operands("smooth_l1_cpu", input, target)
    d = input - target
    ad = U.abs(d)
    if beta == 0.0:
        return _reduce(ad, reduction)
    loss = P.where(ad < beta, d * d * (0.5 / beta), ad - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta) (``F.huber_loss``)."""
    if not delta > 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _check_reduction(reduction)
    _check_weight(input, weight)
    if _fusable(input, target, weight):
        return fused_loss("huber", input, target, weight, reduction, delta)
    _warn_size(input, target)
    input, target, out = _loss_operands("huber_cpu", input, target, out_like_input=True)
    d = input - target
    ad = U.abs(d)
    loss = P.where(ad < delta, d * d * 0.5, (ad - 0.5 * delta) * delta)
    if out is not None:  # written into a tensor of input's dtype, as PyTorch's kernel
        loss = loss.to(out)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# ---- classification ----------------------------------------------------------------------
def _flatten_classes(input, target, name="cross_entropy"):
    """(N, C, d1, ...) logits and (N, d1, ...) targets as (M, C) and (M,)."""
    if input.dim() == 0:
        raise ValueError("Expected input to have at least 1 dimension, got 0")
    if input.dim() == 1:
        if target.dim() == 1 and target.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                             f"{target.shape[0]}")
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        return input.unsqueeze(0), target.reshape(1)
    n = input.shape[0]
    if target.dim() == 0 or target.shape[0] != n:
        tn = target.shape[0] if target.dim() else 1
        raise ValueError(f"Expected input batch_size ({n}) to match target batch_size ({tn}).")
    c = input.shape[1]
    if input.dim() == 2:
        if target.dim() != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        return input, target
    if tuple(target.shape[1:]) != tuple(input.shape[2:]):
        raise RuntimeError(f"Expected target size {[n] + list(input.shape[2:])}, got "
                           f"{list(target.shape)}")
    return input.movedim(1, -1).reshape(-1, c), target.reshape(-1)


def _check_targets(t2, c, ignore_index):
    a = t2._data
    if a.size and (a.min() < 0 or a.max() >= c):
        bad = ((a < 0) | (a >= c)) & (a != ignore_index)
        if bad.any():
            raise IndexError(f"Target {int(a[bad.nonzero()[0][0]])} is out of bounds.")


def _check_class_weight(weight, c, input):
    """A class weight: one element per class, of the input's dtype (RuntimeError as PyTorch)."""
    if weight is None:
        return
    if weight.dim() != 1 or weight.numel() != c:
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.shape)}")
    if weight.dtype is not input.dtype:
        raise RuntimeError(f"expected scalar type {_cap(input.dtype)} but found "
                           f"{_cap(weight.dtype)}")


def _check_index_dtype(target):
    if target.dtype not in (D.int64, D.uint8):
        from ...ops._inplace import _cap
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{_cap(target.dtype)}")


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross entropy between logits ``input`` (N, C, d1, ...) and class indices (N, d1, ...)
    or class probabilities (same shape as input) (``F.cross_entropy``)."""
    if input.dim() == 0:  # PyTorch's log_softmax over dim 1 of a 0-d tensor
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    xd, td = input._data, target._data
    if (xd.ndim == 2 and td.ndim == 1 and td.dtype.kind == "i" and td.dtype.itemsize == 8
            and weight is None and label_smoothing == 0.0 and size_average is None
            and reduce is None and reduction in ("mean", "sum", "none")
            and td.shape[0] == xd.shape[0]):           # the common case, checked cheaply
        _check_targets(target, xd.shape[1], ignore_index)
        return CrossEntropyOp.apply(input, target, None, ignore_index=ignore_index,
                                    reduction=reduction)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if label_smoothing > 1.0:  # PyTorch checks the upper bound only
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if target.is_floating_point() and tuple(target.shape) == tuple(input.shape):
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    x2, t2 = _flatten_classes(input, target)
    _check_index_dtype(target)
    c = x2.shape[1]
    _check_class_weight(weight, c, x2)
    if t2.dtype is not D.int64:
        t2 = t2.long()
    _check_targets(t2, c, ignore_index)
    if weight is not None and weight.dtype is not x2.dtype:
        weight = weight.to(x2.dtype)
    loss = CrossEntropyOp.apply(x2, t2, weight, ignore_index=ignore_index, reduction=reduction)
    if reduction == "none":
        loss = loss.reshape(target.shape)
    if label_smoothing > 0.0:
        lsm = R.log_softmax(x2, 1)
        valid = _wrap((t2._data != ignore_index).astype(x2._data.dtype))
        smooth = -(lsm * weight).sum(1) if weight is not None else -lsm.sum(1)
        smooth = smooth * valid
        if reduction == "mean":
            if weight is not None:
                tt = _wrap(t2._data * (t2._data != ignore_index))
                denom = (weight[tt] * valid).sum()
            else:
                denom = valid.sum()
            smooth = smooth.sum() / denom
        elif reduction == "sum":
            smooth = smooth.sum()
        else:
            smooth = smooth.reshape(target.shape)
        loss = loss * (1.0 - label_smoothing) + smooth * (label_smoothing / c)
    return loss


def _cross_entropy_probs(input, target, weight, reduction, label_smoothing):
    if tuple(input.shape) != tuple(target.shape):
        if input.dim() > 1 and target.dim() and input.shape[0] != target.shape[0]:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                             f"batch_size ({target.shape[0]}).")
        raise RuntimeError(f"Expected target size {list(input.shape)}, got "
                           f"{list(target.shape)}")
    cdim = 1 if input.dim() > 1 else 0
    c = input.shape[cdim]
    if label_smoothing > 0.0:
        target = target * (1.0 - label_smoothing) + label_smoothing / c
    lsm = R.log_softmax(input, cdim)
    prod = lsm * target
    if weight is not None:
        prod = prod * weight.reshape((c,) + (1,) * (input.dim() - cdim - 1))
    loss = -prod.sum(cdim)
    if reduction == "mean":
        return loss.sum() / (input.numel() // c) if input.dim() > 1 else loss
    return _reduce(loss, reduction)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of log-probabilities ``input`` at class indices ``target``
    (``F.nll_loss``); 'mean' divides by the summed weights of the kept targets."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    x2, t2 = _flatten_classes(input, target, "nll_loss")
    _check_index_dtype(target)
    c = x2.shape[1]
    _check_class_weight(weight, c, x2)
    _check_targets(t2, c, ignore_index)
    valid_a = t2._data != ignore_index
    tt = _wrap(t2._data * valid_a)
    valid = _wrap(valid_a.astype(x2._data.dtype))
    picked = -x2.gather(1, tt.unsqueeze(1)).squeeze(1)
    w = weight[tt] * valid if weight is not None else valid
    loss = picked * w
    if reduction == "none":
        return loss.reshape(target.shape)
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / w.sum()


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-(y log x + (1 - y) log(1 - x)) with logs clamped at -100 (``F.binary_cross_entropy``)."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    if target.dtype is not input.dtype:
        from ...ops._inplace import _cap
        raise RuntimeError(f"Found dtype {_cap(target.dtype)} but expected {_cap(input.dtype)}")
    a = input._data
    if a.size and ((a < 0) | (a > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    log_x = U.log(input).clamp(min=-100)
    log_1mx = U.log(1 - input).clamp(min=-100)
    loss = -(target * log_x + (1 - target) * log_1mx)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Sigmoid + binary cross entropy in one stable formula; ``pos_weight`` weighs the
    positive term per class (``F.binary_cross_entropy_with_logits``)."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    if _fusable(input, target, weight, pos_weight):
        pw = None if pos_weight is None else pos_weight._data
        return fused_loss("bce_with_logits", input, target, weight, reduction, pw)
    ls = logsigmoid(input)
    if pos_weight is not None:
        lw = (pos_weight - 1) * target + 1
        loss = (1 - target) * input - lw * ls
    else:
        loss = (1 - target) * input - ls
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence with log-probabilities ``input``: target * (log target -
    input); reduction may also be 'batchmean' (sum / batch size) (``F.kl_div``)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    if reduction != "batchmean":
        _check_reduction(reduction)
    _checks.check_bool("kl_div", log_target, "log_target")  # after reduction, as PyTorch
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    if log_target:
        loss = U.exp(target) * (target - input)
    else:
        loss = B.xlogy(target, target) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.dim() else loss.sum()
    _check_reduction(reduction)
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """Poisson negative log-likelihood: exp(x) - y x (log_input) or x - y log(x + eps)."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if log_input:
        loss = U.exp(input) - target * input
    else:
        loss = input - target * U.log(input + eps)
    if full:
        t = target
        stirling = t * U.log(t) - t + 0.5 * U.log(2 * math.pi * t)
        loss = loss + P.where(t > 1, stirling, t * 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 (log(max(var, eps)) + (x - y)^2 / max(var, eps)) (+ const if ``full``)."""
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1):
            raise ValueError("var is of incorrect size")
    _check_reduction(reduction)
    if var._data.size and (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    var = var + (var.clamp(min=eps) - var).detach()
    d = input - target
    loss = 0.5 * (U.log(var) + d * d / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# ---- margins and embeddings --------------------------------------------------------------
def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(x1, x2) for y = 1, max(0, cos(x1, x2) - margin) for y = -1."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    eps = 1e-12
    d = input1.dim() - 1
    prod = (input1 * input2).sum(d)
    m1 = (input1 * input1).sum(d) + eps
    m2 = (input2 * input2).sum(d) + eps
    cos = prod / (m1 * m2).sqrt()
    zeros = cos * 0.0
    pos = P.where(target == 1, 1 - cos, zeros)
    neg = P.where(target == -1, (cos - margin).clamp(min=0), zeros)
    return _reduce(pos + neg, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """max(0, -y (x1 - x2) + margin) (``F.margin_ranking_loss``)."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    loss = (-target * (input1 - input2) + margin).clamp(min=0)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """max(d(a, p) - d(a, n) + margin, 0) with p-norm distances (``F.triplet_margin_loss``)."""
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    d_ap = pairwise_distance(anchor, positive, p, eps)
    d_an = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_pn = pairwise_distance(positive, negative, p, eps)
        d_an = B.minimum(d_an, d_pn)
    return _reduce((d_ap - d_an + margin).clamp(min=0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """Triplet loss with a custom ``distance_function`` (pairwise_distance by default)."""
    _check_reduction(reduction)
    dist = distance_function if distance_function is not None else pairwise_distance
    d_ap = dist(anchor, positive)
    d_an = dist(anchor, negative)
    if swap:
        d_an = B.minimum(d_an, dist(positive, negative))
    return _reduce((d_ap - d_an + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """x for y = 1, max(0, margin - x) for y = -1 (``F.hinge_embedding_loss``)."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    zeros = input * 0.0
    out_margin = P.where(target != 1, (margin - input).clamp(min=0), zeros)
    out_self = P.where(target != -1, input, zeros)
    return _reduce(out_margin + out_self, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Per-class logistic loss averaged over classes (``F.multilabel_soft_margin_loss``)."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    cdim = input.dim() - 1
    loss = loss.sum(cdim) / input.shape[cdim]
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-y x)) (``F.soft_margin_loss``)."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input.dtype is D.bool_:  # PyTorch negates the input first
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    x, y, out = _loss_operands("soft_margin_loss", input, target, out_like_input=True,
                               float_result=True)
    loss = -logsigmoid(y * x)
    return _reduce(loss if out is None else loss.to(out), reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """Multi-class hinge: sum over j != y of max(0, margin - x_y + x_j)^p / C."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    x = input if input.dim() == 2 else input.unsqueeze(0)
    t = target.reshape(-1)
    c = x.shape[1]
    xy = x.gather(1, t.unsqueeze(1))
    m = (x - xy + margin).clamp(min=0)
    if p == 2:
        m = m * m
    if weight is not None:
        m = m * weight[t].unsqueeze(1)
    xp = input._backend()
    not_y = _wrap((xp.arange(c)[None, :] != t._data[:, None]).astype(x._data.dtype))
    loss = (m * not_y).sum(1) / c
    if input.dim() != 2:
        loss = loss.reshape(target.shape)
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-class multi-label hinge loss: for each target class y (the leading entries of
    ``target`` before the first -1) and each non-target class i, max(0, 1 - (x_y - x_i)),
    summed and divided by C (``F.multilabel_margin_loss``)."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    x = input if input.dim() == 2 else input.unsqueeze(0)
    t = target if target.dim() == 2 else target.unsqueeze(0)
    if tuple(t.shape) != tuple(x.shape):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    xp = input._backend()
    ta = t._data
    valid = xp.cumprod(ta != -1, axis=1).astype(bool)          # targets before the first -1
    tt = xp.where(valid, ta, 0)
    n, c = ta.shape
    is_target = xp.zeros((n, c), dtype=bool)
    rows = xp.broadcast_to(xp.arange(n)[:, None], (n, c))
    is_target[rows[valid], tt[valid]] = True
    mask = valid[:, :, None] & ~is_target[:, None, :]            # (n, j target, i other)
    xy = x.gather(1, _wrap(tt))
    m = (1 - xy.unsqueeze(2) + x.unsqueeze(1)).clamp(min=0)
    loss = (m * _wrap(mask.astype(x._data.dtype))).sum((1, 2)) / c
    if input.dim() != 2:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def _lengths(x, like):
    if isinstance(x, int):
        x = [x]
    t = x if hasattr(x, "_data") else tensor(list(x) if not hasattr(x, "__len__") else x)
    if t.device != like.device:  # PyTorch takes lengths as tuples or cpu tensors on any device
        t = t.to(like.device)
    return t._data.astype("int64").reshape(-1)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """Connectionist temporal classification loss (``F.ctc_loss``): ``log_probs`` (T, N, C)
    from a log_softmax, ``targets`` (N, S) padded or 1-d concatenated; 'mean' divides each
    sample's loss by its target length before averaging over the batch."""
    _check_reduction(reduction)
    unbatched = log_probs.dim() == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    if lp.dim() != 3:
        raise RuntimeError(f"ctc_loss: expected log_probs to be 2-D or 3-D, got {log_probs.dim()}-D")
    xp = lp._backend()
    n = lp.shape[1]
    il = _lengths(input_lengths, lp)
    tl = _lengths(target_lengths, lp)
    if il.shape[0] != n:
        raise RuntimeError(f"input_lengths must be of size batch_size, but got "
                           f"{il.shape[0]} and {n}")
    if tl.shape[0] != n:
        raise RuntimeError(f"target_lengths must be of size batch_size, but got "
                           f"{tl.shape[0]} and {n}")
    if (il > lp.shape[0]).any():
        bad = int(il[il > lp.shape[0]][0])
        raise RuntimeError(f"Expected input_lengths to have value at most {lp.shape[0]}, but "
                           f"got value {bad} (while checking arguments for ctc_loss_cpu)")
    ta = targets._data.astype(xp.int64)
    if unbatched:
        ta = ta.reshape(1, -1)
    if ta.ndim == 1:                                  # concatenated targets -> padded (N, S)
        s_max = int(tl.max()) if n else 0
        padded = xp.full((n, s_max), blank, dtype=xp.int64)
        starts = xp.concatenate(([0], xp.cumsum(tl)[:-1])).astype(xp.int64)
        cols = xp.arange(s_max)
        take = cols[None, :] < tl[:, None]
        src = (starts[:, None] + cols[None, :])[take]
        padded[take] = ta[src]
        ta = padded
    loss = CTCLossOp.apply(lp, _wrap(ta), _wrap(il), _wrap(tl), blank=blank,
                           zero_infinity=zero_infinity)
    if unbatched and reduction == "none":
        return loss.reshape(())
    if reduction == "mean":
        denom = _wrap(xp.maximum(tl, 1).astype(lp._data.dtype))
        return (loss / denom).mean()
    return _reduce(loss, reduction)
