"""NAdam, Adam with Nesterov momentum (``torch.optim.NAdam``)."""
from ..ops.creation import zeros_like
from .._backend.inplace import mul_, lerp_, addcmul_, addcdiv_, div_scalar
from .optimizer import Optimizer, check_lr, check_betas, check_nonneg, check_flags, \
    step_value, _scalar_state

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam: momentum schedule ``mu_t = b1 (1 - 0.5 * 0.96^(t psi))``; the update mixes the
    gradient and the first moment with weights from the running product of the ``mu_t``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        check_lr(lr)
        check_nonneg("epsilon", eps)
        check_betas(betas)
        check_nonneg("weight_decay", weight_decay)
        check_nonneg("momentum_decay", momentum_decay)
        check_flags({"differentiable": differentiable})
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      differentiable=differentiable))

    def _init_state(self, p, state, group):
        state["step"] = _scalar_state()
        state["mu_product"] = _scalar_state(1.0)
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        psi = group["momentum_decay"]
        if group["maximize"]:
            grad = -grad
        step = step_value(state)
        bias_correction2 = 1 - beta2 ** step
        if wd != 0:
            grad = self._decay_weight(p, grad, lr, wd, group)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
        mu_product = state["mu_product"]
        mu_product.mul_(mu)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        ws, xp = self._ws(), p._backend()
        lerp_(exp_avg, grad, 1 - beta1, ws)
        addcmul_(mul_(exp_avg_sq, beta2, ws), grad, grad, 1 - beta2, ws)
        denom = div_scalar(xp, exp_avg_sq._data, bias_correction2,
                           ws.get(p, slot=1, exact=True))
        xp.sqrt(denom, out=denom)
        mp = float(mu_product)
        mu_product_next = mp * mu_next
        xp.add(denom, group["eps"], out=denom)
        addcdiv_(p, grad, denom, (-lr * (1.0 - mu) / (1.0 - mp)), ws)
        addcdiv_(p, exp_avg, denom, (-lr * mu_next) / (1.0 - mu_product_next), ws)
