"""torch.nn.functional's normalisation layers: batch_norm, instance_norm, layer_norm, rms_norm,
group_norm, local_response_norm."""
import math

from ... import _checks
from ...autograd.grad_mode import no_grad
from ...ops import creation as C
from ...ops.nn_basic import BatchNormOp, LayerNormOp
from ..._backend import bump_version
from ...ops._inplace import _cap
from ...ops.joining import cat


__all__ = ["layer_norm", "group_norm", "batch_norm", "instance_norm", "rms_norm", "local_response_norm"]


# ---- normalisation -----------------------------------------------------------------------
def _ch_shape(x):
    return (1, x.shape[1]) + (1,) * (x.dim() - 2)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise over every dim but 1 (``F.batch_norm``): batch statistics in training (and
    the running estimates updated with ``momentum``), running statistics otherwise."""
    c = input.shape[1] if input.dim() > 1 else (input.shape[0] if input.dim() else 1)
    for name, p in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if p is not None and p.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {p.numel()}")
    _checks.check_param_dtypes(input, running_mean, running_var, weight, bias)
    if training:
        size = input.numel() // input.shape[1] if input.dim() > 1 else input.numel()
        if size <= 1:
            raise ValueError("Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
        stats = []
        y = BatchNormOp.apply(input, weight, bias, eps=eps, stats=stats)
        if running_mean is not None or running_var is not None:
            mean, var = stats
            with no_grad():
                if running_mean is not None:
                    rm = running_mean._data
                    rm *= (1 - momentum)
                    rm += momentum * mean.astype(rm.dtype)
                    bump_version(running_mean)
                if running_var is not None:
                    rv = running_var._data
                    rv *= (1 - momentum)
                    rv += momentum * (var * (size / (size - 1))).astype(rv.dtype)
                    bump_version(running_var)
        return y
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    shape = _ch_shape(input)
    # per-channel scale and shift first: two passes over the input instead of four
    scale = (running_var + eps).rsqrt()
    if weight is not None:
        scale = scale * weight
    shift = -running_mean * scale
    if bias is not None:
        shift = shift + bias
    return input * scale.reshape(shape) + shift.reshape(shape)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each (sample, channel) over its spatial dims (``F.instance_norm``)."""
    if use_input_stats and math.prod(input.shape[2:]) <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{list(input.shape)}")
    n, c = input.shape[0], input.shape[1]
    rest = tuple(input.shape[2:])
    x = input.reshape((1, n * c) + rest)
    rm = running_mean.repeat(n) if running_mean is not None else None
    rv = running_var.repeat(n) if running_var is not None else None
    w = weight.repeat(n) if weight is not None else None
    b = bias.repeat(n) if bias is not None else None
    y = batch_norm(x, rm, rv, w, b, use_input_stats, momentum, eps)
    if use_input_stats:
        with no_grad():
            if running_mean is not None:
                running_mean.copy_(rm.reshape(n, c).mean(0))
            if running_var is not None:
                running_var.copy_(rv.reshape(n, c).mean(0))
    return y.reshape(input.shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing ``normalized_shape`` dims, then scale and shift
    elementwise (``F.layer_norm``)."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    ns = _checks.check_int_list("layer_norm", normalized_shape, "normalized_shape", 2)
    if not ns:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    k = len(ns)
    if tuple(input.shape[input.dim() - k:]) != ns or input.dim() < k:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size"
                           f"{list(input.shape)}")
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"\"LayerNormKernelImpl\" not implemented for "
                           f"'{_cap(input.dtype)}'")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != ns:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                               f"got {name} of shape {list(p.shape)} and normalized_shape = "
                               f"{list(ns)}")
    _checks.check_param_dtypes(input, weight, bias)
    if weight is not None and weight._data.dtype != input._data.dtype:
        weight = weight.to(input.dtype)
    if bias is not None and bias._data.dtype != input._data.dtype:
        bias = bias.to(input.dtype)
    return LayerNormOp.apply(input, weight, bias, k=k, eps=eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) over the trailing dims, times ``weight`` (``F.rms_norm``)."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    dims = tuple(range(-len(normalized_shape), 0))
    if eps is None:
        eps = float(input._backend().finfo(input._data.dtype).eps)
    y = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return y * weight if weight is not None else y


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each group of channels per sample, then scale/shift per channel
    (``F.group_norm``)."""
    n, c = input.shape[0], input.shape[1]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    x = input.reshape(n, num_groups, -1)
    mean = x.mean(-1, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(-1, keepdim=True)
    y = (xc * (var + eps).rsqrt()).reshape(input.shape)
    shape = _ch_shape(input)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha/size * sum of x^2 over ``size`` neighbouring channels)^beta."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    sq = input * input
    c = input.shape[1]
    pad_front, pad_back = size // 2, (size - 1) // 2
    zeros_f = C.zeros((input.shape[0], pad_front) + tuple(input.shape[2:]), dtype=input.dtype)
    zeros_b = C.zeros((input.shape[0], pad_back) + tuple(input.shape[2:]), dtype=input.dtype)
    padded = cat([zeros_f, sq, zeros_b], 1)
    acc = padded.narrow(1, 0, c)
    for i in range(1, size):
        acc = acc + padded.narrow(1, i, c)
    div = (acc * (alpha / size) + k) ** beta
    return input / div
