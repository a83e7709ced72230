"""Averaged SGD (``torch.optim.ASGD``)."""
from ..ops.creation import zeros_like
from .optimizer import add_scaled as add
from .optimizer import Optimizer, check_lr, check_nonneg, check_flags, step_value, _scalar_state

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """ASGD: ``p = p (1 - lambd eta) - eta g``; ``ax`` averages the iterates once
    ``step > t0``; ``eta = lr / (1 + lambd lr t)^alpha``."""

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_nonneg("weight_decay", weight_decay)
        check_flags({"differentiable": differentiable})
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0,
                                      weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize, capturable=capturable,
                                      differentiable=differentiable))

    def _init_state(self, p, state, group):
        state["step"] = _scalar_state()
        state["eta"] = _scalar_state(group["lr"])
        state["mu"] = _scalar_state(1.0)
        state["ax"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        lr, lambd = group["lr"], group["lambd"]
        if group["maximize"]:
            grad = -grad
        step = step_value(state)
        if group["weight_decay"] != 0:
            grad = add(grad, p, group["weight_decay"], self._ws())
        eta, mu, ax = state["eta"], state["mu"], state["ax"]
        eta_value = float(eta)
        p.mul_(1 - lambd * eta_value)
        p.add_(grad, alpha=-eta_value)
        if float(mu) != 1:
            ax.add_(p.sub(ax).mul_(mu))
        else:
            ax.copy_(p)
        eta.fill_(lr / ((1 + lambd * lr * step) ** group["alpha"]))
        mu.fill_(1 / max(1, step - group["t0"]))
