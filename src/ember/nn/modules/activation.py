"""Activation layers: thin wrappers over ``nn.functional`` with torch.nn's arguments and repr."""
from ...ops.creation import empty
from ..module import Module
from ..parameter import Parameter
from .. import init
from .. import functional as F

__all__ = ["ReLU", "ReLU6", "LeakyReLU", "PReLU", "RReLU", "ELU", "SELU", "CELU", "GELU", "SiLU",
           "Mish", "Sigmoid", "Tanh", "Hardtanh", "Hardsigmoid", "Hardswish", "Softplus",
           "Softsign", "Softmax", "LogSoftmax", "Softmin", "Softmax2d", "Threshold", "GLU",
           "Tanhshrink", "Softshrink", "Hardshrink", "LogSigmoid"]


class _Configured(Module):
    """Activation whose constructor arguments (``__constants__``, in order) are stored as
    attributes, passed by name to ``_fn`` and listed by ``extra_repr`` (``inplace`` only when
    true), as torch.nn prints them."""
    _fn = None
    __constants__ = ()

    def __init__(self, *args, **kwargs):
        names = self.__constants__
        super().__init__(*args[len(names):], **kwargs)   # Module rejects any extra argument
        for name, value in zip(names, args):
            setattr(self, name, value)

    def forward(self, input):
        return type(self)._fn(input, **{n: getattr(self, n) for n in self.__constants__})

    def extra_repr(self):
        parts = [f"{n}={getattr(self, n)!r}" if isinstance(getattr(self, n), str)
                 else f"{n}={getattr(self, n)}" for n in self.__constants__ if n != "inplace"]
        if getattr(self, "inplace", False):
            parts.append("inplace=True")
        return ", ".join(parts)


class _Inplace(_Configured):
    __constants__ = ("inplace",)

    def __init__(self, inplace=False):
        super().__init__(inplace)


class ReLU(_Inplace):
    """max(x, 0) (``nn.ReLU``)."""
    _fn = staticmethod(F.relu)


class SELU(_Inplace):
    """Scaled ELU with the self-normalising constants (``nn.SELU``)."""
    _fn = staticmethod(F.selu)


class SiLU(_Inplace):
    """x * sigmoid(x) (``nn.SiLU``)."""
    _fn = staticmethod(F.silu)


class Mish(_Inplace):
    """x * tanh(softplus(x)) (``nn.Mish``)."""
    _fn = staticmethod(F.mish)


class _QuietInplace(_Inplace):
    def extra_repr(self):
        return ""


class Hardsigmoid(_QuietInplace):
    """Piecewise-linear sigmoid (``nn.Hardsigmoid``)."""
    _fn = staticmethod(F.hardsigmoid)


class Hardswish(_QuietInplace):
    """x * hardsigmoid(x) (``nn.Hardswish``)."""
    _fn = staticmethod(F.hardswish)


class Sigmoid(_Configured):
    """1 / (1 + exp(-x)) (``nn.Sigmoid``)."""
    _fn = staticmethod(F.sigmoid)


class Tanh(_Configured):
    """tanh(x) (``nn.Tanh``)."""
    _fn = staticmethod(F.tanh)


class Softsign(_Configured):
    """x / (1 + |x|) (``nn.Softsign``)."""
    _fn = staticmethod(F.softsign)


class Tanhshrink(_Configured):
    """x - tanh(x) (``nn.Tanhshrink``)."""
    _fn = staticmethod(F.tanhshrink)


class LogSigmoid(_Configured):
    """log(sigmoid(x)) (``nn.LogSigmoid``)."""
    _fn = staticmethod(F.logsigmoid)


class Hardtanh(_Configured):
    """Clamp to [min_val, max_val] (``nn.Hardtanh``)."""
    __constants__ = ("min_val", "max_val", "inplace")
    _fn = staticmethod(F.hardtanh)

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None,
                 max_value=None):
        if min_value is not None or max_value is not None:
            import warnings
            warnings.warn("keyword argument `min_value`/`max_value` is deprecated and will be "
                          "removed in future releases, please use `min_val`/`max_val` instead.",
                          FutureWarning, stacklevel=2)
            min_val = min_val if min_value is None else min_value
            max_val = max_val if max_value is None else max_value
        if max_val <= min_val:
            raise AssertionError("")
        super().__init__(min_val, max_val, inplace)


class ReLU6(Hardtanh):
    """min(max(x, 0), 6) (``nn.ReLU6``)."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LeakyReLU(_Configured):
    """x if x > 0 else negative_slope * x (``nn.LeakyReLU``)."""
    __constants__ = ("negative_slope", "inplace")
    _fn = staticmethod(F.leaky_relu)

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__(negative_slope, inplace)


class PReLU(Module):
    """Leaky ReLU with a learnable slope per channel (or one shared), init 0.25."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        """Fill the slopes with ``init``."""
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class RReLU(_Configured):
    """Randomised leaky ReLU (``nn.RReLU``)."""
    __constants__ = ("lower", "upper", "inplace")

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__(lower, upper, inplace)

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)


class ELU(_Configured):
    """x if x > 0 else alpha * (exp(x) - 1) (``nn.ELU``)."""
    __constants__ = ("alpha", "inplace")
    _fn = staticmethod(F.elu)

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__(alpha, inplace)


class CELU(ELU):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)) (``nn.CELU``)."""
    _fn = staticmethod(F.celu)


class GELU(_Configured):
    """Gaussian error linear unit, exact or tanh-approximated (``nn.GELU``)."""
    __constants__ = ("approximate",)
    _fn = staticmethod(F.gelu)

    def __init__(self, approximate="none"):
        super().__init__(approximate)


class Softplus(_Configured):
    """log(1 + exp(beta x)) / beta (``nn.Softplus``)."""
    __constants__ = ("beta", "threshold")
    _fn = staticmethod(F.softplus)

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__(beta, threshold)


class _SoftmaxBase(_Configured):
    __constants__ = ("dim",)

    def __init__(self, dim=None):
        super().__init__(dim)

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "dim"):
            self.dim = None

    def forward(self, input):
        return type(self)._fn(input, self.dim, _stacklevel=5)


class Softmax(_SoftmaxBase):
    """exp(x) / sum(exp(x)) along ``dim`` (``nn.Softmax``)."""
    _fn = staticmethod(F.softmax)


class LogSoftmax(_SoftmaxBase):
    """log(softmax(x)) along ``dim`` (``nn.LogSoftmax``)."""
    _fn = staticmethod(F.log_softmax)


class Softmin(_SoftmaxBase):
    """softmax(-x) along ``dim`` (``nn.Softmin``)."""
    _fn = staticmethod(F.softmin)


class Softmax2d(Module):
    """Softmax over the channel dim of (N, C, H, W) or (C, H, W) input."""

    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D "
                             "instead")
        return F.softmax(input, -3)


class Threshold(_Configured):
    """x if x > threshold else value (``nn.Threshold``)."""
    __constants__ = ("threshold", "value", "inplace")
    _fn = staticmethod(F.threshold)

    def __init__(self, threshold, value, inplace=False):
        super().__init__(threshold, value, inplace)


class GLU(_Configured):
    """Gated linear unit: first half times sigmoid of second half along ``dim``."""
    __constants__ = ("dim",)
    _fn = staticmethod(F.glu)

    def __init__(self, dim=-1):
        super().__init__(dim)


class Softshrink(_Configured):
    """Soft thresholding by ``lambd`` (``nn.Softshrink``)."""
    __constants__ = ("lambd",)
    _fn = staticmethod(F.softshrink)

    def __init__(self, lambd=0.5):
        super().__init__(lambd)

    def extra_repr(self):
        return str(self.lambd)


class Hardshrink(Softshrink):
    """Hard thresholding by ``lambd`` (``nn.Hardshrink``)."""
    _fn = staticmethod(F.hardshrink)


from .activation_mha import MultiheadAttention  # noqa: E402,F401  (torch.nn.modules.activation)
