"""Adadelta (``torch.optim.Adadelta``)."""
from ..ops.creation import zeros_like
from .._backend.inplace import mul_, add_, addcmul_
from .optimizer import add_scaled as add
from .optimizer import Optimizer, check_lr, check_nonneg, check_flags, step_value, _scalar_state

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta: ``v = rho v + (1-rho) g^2``; ``d = sqrt(u + eps) / sqrt(v + eps) * g``;
    ``u = rho u + (1-rho) d^2``; ``p -= lr d``."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonneg("epsilon", eps)
        check_nonneg("weight_decay", weight_decay)
        check_flags({"differentiable": differentiable})
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, capturable=capturable, foreach=foreach,
                                      differentiable=differentiable))

    def _init_state(self, p, state, group):
        state["step"] = _scalar_state()
        state["square_avg"] = zeros_like(p)
        state["acc_delta"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        rho, eps = group["rho"], group["eps"]
        if group["maximize"]:
            grad = -grad
        step_value(state)
        if group["weight_decay"] != 0:
            grad = add(grad, p, group["weight_decay"], self._ws())
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        ws, xp = self._ws(), p._backend()
        addcmul_(mul_(square_avg, rho, ws), grad, grad, 1 - rho, ws)
        std = xp.add(square_avg._data, eps, out=ws.get(p, slot=1, exact=True))
        xp.sqrt(std, out=std)
        delta = xp.add(acc_delta._data, eps, out=ws.get(p, slot=2, exact=True))
        xp.sqrt(delta, out=delta)
        xp.divide(delta, std, out=delta)
        xp.multiply(delta, grad._data, out=delta)
        addcmul_(mul_(acc_delta, rho, ws), delta, delta, 1 - rho, ws)
        add_(p, delta, -group["lr"], ws)
