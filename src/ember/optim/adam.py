"""Adam and AdamW (``torch.optim.Adam``, ``torch.optim.AdamW``)."""
from ..ops.binary import maximum
from .optimizer import Optimizer, check_adam_args, step_value, _scalar_state
from ..ops.creation import zeros_like
from .._backend.inplace import mul_, lerp_, addcmul_, addcdiv_, div_scalar

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam: ``m = lerp(m, g, 1-b1)``, ``v = b2 v + (1-b2) g^2``,
    ``p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)``; L2 ``weight_decay`` on the
    gradient, or decoupled (AdamW) ``p *= 1 - lr * weight_decay``; ``amsgrad`` keeps max(v)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        check_adam_args(lr, eps, betas, weight_decay, differentiable, typed_betas=True)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                                      capturable=capturable, differentiable=differentiable,
                                      fused=fused, decoupled_weight_decay=decoupled_weight_decay))

    def _init_state(self, p, state, group):
        state["step"] = _scalar_state()
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        if group["maximize"]:
            grad = -grad
        step = step_value(state)
        if wd != 0:
            grad = self._decay_weight(p, grad, lr, wd, group)
        exp_avg, exp_avg_sq, ws = state["exp_avg"], state["exp_avg_sq"], self._ws()
        lerp_(exp_avg, grad, 1 - beta1, ws)
        addcmul_(mul_(exp_avg_sq, beta2, ws), grad, grad, 1 - beta2, ws)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        bc2_sqrt = bias_correction2 ** 0.5
        if group["amsgrad"]:
            v = state["max_exp_avg_sq"]
            maximum(v, exp_avg_sq, out=v)
        else:
            v = exp_avg_sq
        xp, denom = p._backend(), ws.get(p, slot=1, exact=True)
        xp.sqrt(v._data, out=denom)
        div_scalar(xp, denom, bc2_sqrt, denom)
        xp.add(denom, group["eps"], out=denom)
        addcdiv_(p, exp_avg, denom, -step_size, ws)


class AdamW(Adam):
    """Adam with decoupled weight decay (``torch.optim.AdamW``); weight_decay defaults to 1e-2."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
