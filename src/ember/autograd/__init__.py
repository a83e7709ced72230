"""``ember.autograd``: reverse-mode automatic differentiation with PyTorch's API."""
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled)
from .function import Function, FunctionCtx, once_differentiable, InplaceFunction
from .node import Node
from .anomaly import detect_anomaly, set_detect_anomaly, is_anomaly_enabled
from .gradcheck import gradcheck, gradgradcheck
from . import functional, graph
from .api import backward, grad, Variable

__all__ = ["backward", "grad", "Variable", "Function", "FunctionCtx", "once_differentiable",
           "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "detect_anomaly", "set_detect_anomaly", "gradcheck", "gradgradcheck", "functional",
           "Node", "graph"]
from . import variable as _variable_module  # noqa: E402,F401  (torch.autograd.variable.Variable)


def variable(*args, **kwargs):
    """``torch.autograd.variable(...)``: deprecated in PyTorch, and refused as PyTorch does."""
    raise RuntimeError("torch.autograd.variable(...) is deprecated, use torch.tensor(...) instead")

from .._unsupported import install as _install_missing  # noqa: E402
_install_missing(__name__)
del _install_missing
