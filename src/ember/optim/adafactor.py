"""Adafactor, Adam-like steps with a factored second moment (``torch.optim.Adafactor``)."""
from ..ops.creation import zeros_like
from .optimizer import Optimizer, _scalar_state, step_value

__all__ = ["Adafactor"]

# machine epsilon by element size (``torch.finfo(dtype).eps``); bfloat16 is the 2-byte type
# with the larger epsilon, so it is told apart below
_EPS = {2: 0.0009765625, 4: 1.1920928955078125e-07, 8: 2.220446049250313e-16}
_BF16_EPS = 0.0078125


class Adafactor(Optimizer):
    """Adafactor: for matrices the squared-gradient average is kept as row and column factors
    (``O(n + m)`` memory); step size ``max(eps2, RMS(p)) * min(lr, 1/sqrt(t))``, with the
    update clipped to RMS ``d``; ``beta2_t = 1 - t^beta2_decay``."""

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, foreach=None, maximize=False):
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        super().__init__(params, dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d,
                                      weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize))

    def _init_state(self, p, state, group):
        if p.is_complex():
            raise RuntimeError("Adafactor does not support complex parameters")
        state["step"] = _scalar_state()
        g = p.grad
        if g.dim() > 1:
            state["row_var"] = g.new_zeros(list(g.shape[:-1]) + [1])
            state["col_var"] = g.new_zeros(list(g.shape[:-2]) + [1, g.shape[-1]])
        else:
            state["variance"] = zeros_like(g)

    def _update(self, p, grad, state, group):
        lr, d, wd = group["lr"], group["d"], group["weight_decay"]
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = _BF16_EPS if p.dtype.name == "bfloat16" else _EPS[p.dtype.itemsize]
        if group["maximize"]:
            grad = -grad
        step = step_value(state)
        beta2_t = step ** group["beta2_decay"]
        rho_t = min(lr, 1 / (step ** 0.5))
        alpha = max(eps2, p.norm(2).item() / (p.numel() ** 0.5)) * rho_t
        if wd != 0:
            p.mul_(1 - lr * wd)
        if grad.dim() > 1:
            row_var, col_var = state["row_var"], state["col_var"]
            row_var.lerp_(grad.norm(dim=-1, keepdim=True).square_().div_(grad.size(-1)),
                          beta2_t)
            col_var.lerp_(grad.norm(dim=-2, keepdim=True).square_().div_(grad.size(-2)),
                          beta2_t)
            var_estimate = row_var @ col_var
            var_estimate.div_(row_var.mean(dim=-2, keepdim=True).clamp_(min=eps1))
        else:
            state["variance"].lerp_(grad * grad, beta2_t)
            var_estimate = state["variance"].clone()
        update = var_estimate.clamp_(min=eps1 * eps1).rsqrt_()
        update.mul_(grad)
        denom = max(1.0, update.norm(2).item() / ((update.numel() ** 0.5) * d))
        p.add_(update, alpha=-alpha / denom)
