"""Muon, momentum orthogonalised by Newton-Schulz iterations (``torch.optim.Muon``)."""
import math

from .. import _dtype as D
from .optimizer import Optimizer
from ..ops.creation import zeros_like

__all__ = ["Muon"]

_A, _B, _C = 3.4445, -4.7750, 2.0315


def _bf16_matmul_add(x, y, base=None, beta=1.0, alpha=1.0):
    """bfloat16(beta * base + alpha * (x @ y)), accumulated in float32 like PyTorch's addmm."""
    out = (x.float() @ y.float()) * alpha if alpha != 1.0 else x.float() @ y.float()
    if base is not None:
        out = base.float() * beta + out
    return out.to(D.bfloat16)


def zeropower_via_newtonschulz(grad, ns_coefficients=(_A, _B, _C), ns_steps=5, eps=1e-7):
    """An approximately orthogonal matrix with ``grad``'s singular vectors (quintic
    Newton-Schulz iterations in bfloat16, as PyTorch's Muon)."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if grad.dim() != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    x = grad.to(D.bfloat16)
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    norm = x.float().norm().to(D.bfloat16).clamp(min=eps)  # a bfloat16 scalar, as in PyTorch
    x = (x.float() / norm.float()).to(D.bfloat16)
    for _ in range(ns_steps):
        gram = _bf16_matmul_add(x, x.T)
        gram_update = _bf16_matmul_add(gram, gram, base=gram, beta=b, alpha=c)
        x = _bf16_matmul_add(gram_update, x, base=x, beta=a)
    return x.T if tall else x


def _adjust_lr(lr, adjust_lr_fn, shape):
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return lr * ratio


class Muon(Optimizer):
    """Muon for 2-D parameters: ``buf = lerp(buf, g, 1 - momentum)``; the (Nesterov) momentum
    is orthogonalised by Newton-Schulz and applied with decoupled weight decay and an lr scaled
    by the matrix shape (``adjust_lr_fn`` 'original' or 'match_rms_adamw')."""

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(_A, _B, _C), eps=1e-7, ns_steps=5, adjust_lr_fn=None):
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ("original", "match_rms_adamw"):
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, momentum=momentum,
                                      nesterov=nesterov, ns_coefficients=ns_coefficients,
                                      eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn))
        for group in self.param_groups:
            for p in group["params"]:
                if p.dim() != 2:
                    raise ValueError("Muon only supports 2D parameters whereas we found a "
                                     f"parameter with size: {p.size()}")

    def _init_state(self, p, state, group):
        if p.is_complex():
            raise RuntimeError("Muon does not support complex parameters")
        state["momentum_buffer"] = zeros_like(p.grad)

    def _update(self, p, grad, state, group):
        lr, momentum = group["lr"], group["momentum"]
        buf = state["momentum_buffer"]
        buf.lerp_(grad, 1 - momentum)
        update = grad.lerp(buf, momentum) if group["nesterov"] else buf
        update = zeropower_via_newtonschulz(update, group["ns_coefficients"], group["ns_steps"],
                                            group["eps"])
        p.mul_(1 - lr * group["weight_decay"])
        p.add_(update.to(p.dtype), alpha=-_adjust_lr(lr, group["adjust_lr_fn"], p.shape))
