"""RAdam, Adam with a rectified adaptive learning rate (``torch.optim.RAdam``)."""
from ..ops.creation import zeros_like
from .._backend.inplace import mul_, lerp_, addcmul_
from .optimizer import Optimizer, check_adam_args, step_value, _scalar_state

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam: while the variance estimate is unreliable (``rho_t <= 5``) the update is plain
    bias-corrected momentum, afterwards Adam's step scaled by the rectification term."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        check_adam_args(lr, eps, betas, weight_decay, differentiable)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      differentiable=differentiable))

    def _init_state(self, p, state, group):
        state["step"] = _scalar_state()
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        if group["maximize"]:
            grad = -grad
        step = step_value(state)
        if wd != 0:
            grad = self._decay_weight(p, grad, lr, wd, group)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        ws = self._ws()
        lerp_(exp_avg, grad, 1 - beta1, ws)
        addcmul_(mul_(exp_avg_sq, beta2, ws), grad, grad, 1 - beta2, ws)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        corrected = exp_avg / bias_correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = (bias_correction2 ** 0.5) / exp_avg_sq.sqrt().add_(group["eps"])
            p.add_(corrected * lr * adaptive * rect, alpha=-1.0)
        else:
            p.add_(corrected * lr, alpha=-1.0)
