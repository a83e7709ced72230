"""nn.Parameter and nn.Buffer: tensors that a Module registers when they are assigned to it."""
from .._tensor import Tensor

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"]


class Parameter(Tensor):
    """PyTorch's ``nn.Parameter``: a Tensor that a Module lists in ``parameters()``."""
    pass


class Buffer(Tensor):
    pass


class UninitializedParameter(Parameter):
    pass


class UninitializedBuffer(Buffer):
    pass
