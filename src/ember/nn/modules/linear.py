"""Linear layers: Identity, Linear, Bilinear, LazyLinear (torch.nn's, same init and names)."""
import math

from ...ops.creation import empty
from ..module import Module
from ..parameter import Parameter, UninitializedParameter
from .. import init
from .. import functional as F

__all__ = ["Identity", "Linear", "Bilinear", "LazyLinear", "NonDynamicallyQuantizableLinear"]


def _weight_and_bias(module, weight_shape, out_features, bias, device, dtype):
    """Register an uninitialised ``weight`` of ``weight_shape`` and, when ``bias``, a ``bias``
    of length ``out_features`` (else a None entry), in PyTorch's order."""
    module.weight = Parameter(empty(weight_shape, device=device, dtype=dtype))
    module.register_parameter(
        "bias", Parameter(empty(out_features, device=device, dtype=dtype)) if bias else None)


class Identity(Module):
    """Returns its input unchanged; accepts and ignores any constructor arguments."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x W^T + b with W of shape (out_features, in_features) (``nn.Linear``).

    W and b start as U(-1/sqrt(in_features), 1/sqrt(in_features)), as in PyTorch."""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        _weight_and_bias(self, (out_features, in_features), out_features, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        """Re-draw weight and bias with PyTorch's default initialisation."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """y = x1^T A x2 + b with A of shape (out, in1, in2) (``nn.Bilinear``)."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None,
                 dtype=None):
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        _weight_and_bias(self, (out_features, in1_features, in2_features), out_features, bias,
                         device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        """U(-1/sqrt(in1), 1/sqrt(in1)) for weight and bias."""
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class LazyLinear(Linear):
    """A Linear whose in_features is inferred from the first input (``nn.LazyLinear``)."""
    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        Module.__init__(self)
        self.in_features = 0
        self.out_features = out_features
        self._factory = (device, dtype)
        self.weight = UninitializedParameter()
        self.bias = UninitializedParameter() if bias else None
        if not bias:
            self.register_parameter("bias", None)

    def reset_parameters(self):
        if self.in_features != 0:
            super().reset_parameters()

    def forward(self, input):
        if isinstance(self.weight, UninitializedParameter):
            device, dtype = self._factory
            self.in_features = input.shape[-1]
            self.weight.materialize((self.out_features, self.in_features), device, dtype)
            if self.bias is not None:
                self.bias.materialize((self.out_features,), device, dtype)
            self.reset_parameters()
            del self.__dict__["_factory"]
            self.__class__ = Linear
        return F.linear(input, self.weight, self.bias)


class NonDynamicallyQuantizableLinear(Linear):
    """A plain Linear (PyTorch's name for MultiheadAttention.out_proj, defined in
    ``torch.nn.modules.linear`` as here)."""
