"""Adamax, Adam with an infinity norm (``torch.optim.Adamax``)."""
from ..ops.creation import zeros_like
from .._backend.inplace import mul_, lerp_, addcdiv_
from .optimizer import add_scaled as add
from .optimizer import Optimizer, check_adam_args, step_value, _scalar_state

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax: ``m = lerp(m, g, 1-b1)``, ``u = max(b2 u, |g| + eps)``,
    ``p -= lr/(1-b1^t) * m / u``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        check_adam_args(lr, eps, betas, weight_decay, differentiable)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    def _init_state(self, p, state, group):
        state["step"] = _scalar_state()
        state["exp_avg"] = zeros_like(p)
        state["exp_inf"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        (beta1, beta2), wd = group["betas"], group["weight_decay"]
        if group["maximize"]:
            grad = -grad
        step = step_value(state)
        if wd != 0:
            grad = add(grad, p, wd, self._ws())
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        ws, xp = self._ws(), p._backend()
        lerp_(exp_avg, grad, 1 - beta1, ws)
        norm = xp.abs(grad._data, out=ws.get(p, slot=1, exact=True))
        xp.add(norm, group["eps"], out=norm)
        xp.maximum(mul_(exp_inf, beta2, ws)._data, norm, out=exp_inf._data)
        clr = group["lr"] / (1 - beta1 ** step)
        addcdiv_(p, exp_avg, exp_inf, -clr, ws)
