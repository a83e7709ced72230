"""Activation functions of torch.nn.functional, as composites of Ember ops.

Gradients at the kinks follow PyTorch (e.g. relu'(0) = 0, hardtanh' = 0 on its bounds).
``inplace=True`` writes the result into ``input`` with autograd's in-place rules.
"""
import warnings

from ... import _checks
from ...ops import unary as U, reduce as R, pointwise as P
from ...ops._inplace import inplace_method as _inplace
from ...ops.nn_basic import ReluOp, GeluOp
from ...ops.nn_activation import apply_activation
from ...ops.creation import empty_like, zeros_like

__all__ = ["relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "rrelu", "rrelu_",
           "elu", "elu_", "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish", "sigmoid",
           "tanh", "hardtanh", "hardtanh_", "hardsigmoid", "hardswish", "softplus", "softsign",
           "softmax", "log_softmax", "softmin", "threshold", "threshold_", "glu", "tanhshrink",
           "softshrink", "hardshrink", "logsigmoid", "gumbel_softmax"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _float(x):
    return x._data.dtype.kind == "f"


def _maybe_inplace(fn, input, inplace, *args):
    if inplace:
        return _inplace(fn, fn.__name__ + "_")(input, *args)
    return fn(input, *args)


def _relu(x):
    if x._data.dtype.kind == "f":
        return ReluOp.apply(x)
    return U.relu(x)


def relu(input, inplace=False):
    """max(x, 0) elementwise (``F.relu``)."""
    if not inplace and input._data.dtype.kind == "f":
        return ReluOp.apply(input)
    return _maybe_inplace(_relu, input, inplace)


def relu_(input):
    """In-place ``relu``."""
    return relu(input, inplace=True)


def _hardtanh(x, min_val, max_val):
    if _float(x):
        return apply_activation("hardtanh", x, min_val, max_val)
    y = x.clamp(min_val, max_val)
    return P.where((x > min_val) & (x < max_val), x, y.detach())


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to [min_val, max_val]; gradient 1 strictly inside, 0 elsewhere (``F.hardtanh``)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(_hardtanh, input, inplace, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place ``hardtanh``."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(x, 0), 6) (``F.relu6``)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def _leaky_relu(x, slope):
    if _float(x):
        return apply_activation("leaky_relu", x, slope)
    return P.where(x > 0, x, x * slope)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope * x (``F.leaky_relu``)."""
    return _maybe_inplace(_leaky_relu, input, inplace, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    """In-place ``leaky_relu``."""
    return leaky_relu(input, negative_slope, True)


def prelu(input, weight):
    """x if x > 0 else weight * x, weight broadcast along the channel dim 1 (``F.prelu``)."""
    w = weight
    if weight.numel() != 1:
        if input.dim() == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.dim() >= 2 else 1
        if weight.numel() != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {weight.numel()} and channel size = "
                               f"{channels}.")
        if input.dim() >= 2:
            w = weight.reshape((channels,) + (1,) * (input.dim() - 2))
    return P.where(input > 0, input, w * input)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: slope ~ U(lower, upper) in training, (lower+upper)/2 otherwise."""
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    slope = empty_like(input).uniform_(lower, upper)
    return _maybe_inplace(lambda x: P.where(x >= 0, x, x * slope), input, inplace)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place ``rrelu``."""
    return rrelu(input, lower, upper, training, True)


def _elu(x, alpha, scale=1.0, input_scale=1.0):
    if _float(x):
        return apply_activation("elu", x, alpha, scale, input_scale)
    neg = (x.clamp(max=0) * input_scale).expm1() * (alpha * scale)
    return P.where(x > 0, x * scale if scale != 1.0 else x, neg)


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (exp(x) - 1) (``F.elu``)."""
    return _maybe_inplace(_elu, input, inplace, alpha)


def elu_(input, alpha=1.0):
    """In-place ``elu``."""
    return elu(input, alpha, True)


def selu(input, inplace=False):
    """scale * elu(x, alpha) with the self-normalising constants (``F.selu``)."""
    return _maybe_inplace(_elu, input, inplace, _SELU_ALPHA, _SELU_SCALE)


def selu_(input):
    """In-place ``selu``."""
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)) (``F.celu``)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _maybe_inplace(_elu, input, inplace, alpha, 1.0, 1.0 / alpha)


def celu_(input, alpha=1.0):
    """In-place ``celu``."""
    return celu(input, alpha, True)


def gelu(input, approximate="none"):
    """x * Phi(x); ``approximate='tanh'`` uses the tanh formula (``F.gelu``)."""
    if approximate in ("none", "tanh"):
        if input._data.dtype.kind != "f":
            input = input.float()
        return GeluOp.apply(input, approximate=approximate)
    raise RuntimeError("approximate argument must be either none or tanh.")


def silu(input, inplace=False):
    """x * sigmoid(x) (``F.silu``)."""
    return _maybe_inplace(_silu, input, inplace)


def _silu(x):
    return apply_activation("silu", x) if _float(x) else x * U.sigmoid(x)


def mish(input, inplace=False):
    """x * tanh(softplus(x)) (``F.mish``)."""
    return _maybe_inplace(_mish, input, inplace)


def _mish(x):
    return apply_activation("mish", x) if _float(x) else x * U.tanh(softplus(x))


def sigmoid(input):
    """1 / (1 + exp(-x)) (``F.sigmoid``)."""
    return U.sigmoid(input)


def tanh(input):
    """Hyperbolic tangent (``F.tanh``)."""
    return U.tanh(input)


def _hardsigmoid(x):
    if _float(x):
        return apply_activation("hardsigmoid", x)
    y = x * (1.0 / 6.0) + 0.5
    return P.where((x > -3.0) & (x < 3.0), y, y.detach().clamp(0.0, 1.0))


def hardsigmoid(input, inplace=False):
    """0 below -3, 1 above 3, x/6 + 1/2 between (``F.hardsigmoid``)."""
    return _maybe_inplace(_hardsigmoid, input, inplace)


def _hardswish(x):
    if _float(x):
        return apply_activation("hardswish", x)
    mid = x * (x + 3.0) * (1.0 / 6.0)
    return P.where(x <= -3.0, x * 0.0, P.where(x < 3.0, mid, x))


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6 (``F.hardswish``)."""
    return _maybe_inplace(_hardswish, input, inplace)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, linear where beta * x > threshold (``F.softplus``)."""
    if _float(input):
        return apply_activation("softplus", input, beta, threshold)
    bx = input * beta if beta != 1.0 else input
    soft = U.log1p(U.exp(bx.clamp(max=threshold)))
    if beta != 1.0:
        soft = soft / beta
    return P.where(bx > threshold, input, soft)


def softsign(input):
    """x / (1 + |x|) (``F.softsign``)."""
    if _float(input):
        return apply_activation("softsign", input)
    return input / (U.abs(input) + 1)


def _softmax_dim(name, ndim):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim`` (``F.softmax``)."""
    if dim is None:
        dim = _softmax_dim("softmax", input.dim())
    _checks.check_float_kernel("softmax_lastdim_kernel_impl", dtype)
    return R.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along ``dim``, computed stably (``F.log_softmax``)."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim())
    return R.log_softmax(input, dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim`` (``F.softmin``)."""
    if dim is None:
        dim = _softmax_dim("softmin", input.dim())
    if dtype is not None:
        input = input.to(dtype)
    return R.softmax(-input, dim)


def _threshold(x, th, value):
    if _float(x):
        return apply_activation("threshold", x, th, value)
    return P.where(x > th, x, value)


def threshold(input, threshold, value, inplace=False):
    """x if x > threshold else value (``F.threshold``)."""
    return _maybe_inplace(_threshold, input, inplace, threshold, value)


def threshold_(input, threshold, value):
    """In-place ``threshold``."""
    return _maybe_inplace(_threshold, input, True, threshold, value)


def glu(input, dim=-1):
    """a * sigmoid(b) where a, b are the two halves of ``input`` along ``dim`` (``F.glu``)."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    n = input.shape[dim]
    if n % 2:
        d = dim if dim >= 0 else dim + input.dim()
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a, b = input.chunk(2, dim)
    return a * U.sigmoid(b)


def tanhshrink(input):
    """x - tanh(x) (``F.tanhshrink``)."""
    if _float(input):
        return apply_activation("tanhshrink", input)
    return input - U.tanh(input)


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, 0 between (``F.softshrink``)."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    if _float(input):
        return apply_activation("softshrink", input, lambd)
    return P.where(input > lambd, input - lambd, P.where(input < -lambd, input + lambd,
                                                         input * 0.0))


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0 (``F.hardshrink``)."""
    if _float(input):
        return apply_activation("hardshrink", input, lambd)
    return P.where((input > lambd) | (input < -lambd), input, input * 0.0)


def logsigmoid(input):
    """log(sigmoid(x)), computed stably (``F.logsigmoid``)."""
    if _float(input):
        return apply_activation("logsigmoid", input)
    neg = input - U.log1p(U.exp(input.clamp(max=0)))
    pos = -U.log1p(U.exp(-input.clamp(min=0)))
    return P.where(input < 0, neg, pos)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """Sample from the Gumbel-softmax distribution; ``hard=True`` returns one-hot samples with
    the soft sample's gradient (straight-through) (``F.gumbel_softmax``)."""
    gumbels = -U.log(empty_like(logits).exponential_())
    y = R.softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y
    index = y.argmax(dim, keepdim=True)
    y_hard = zeros_like(logits).scatter(dim, index, 1.0)
    return y_hard - y.detach() + y
