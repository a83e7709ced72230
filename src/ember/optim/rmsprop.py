"""RMSprop (``torch.optim.RMSprop``)."""
from ..ops.creation import zeros_like
from .._backend.inplace import mul_, add_, lerp_, addcmul_, addcdiv_
from .optimizer import add_scaled as add
from .optimizer import Optimizer, check_lr, check_nonneg, check_flags, step_value, _scalar_state

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop: ``v = alpha v + (1-alpha) g^2``; ``p -= lr g / (sqrt(v - mean(g)^2 if centered
    else v) + eps)``, optionally through a momentum buffer."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        check_lr(lr)
        check_nonneg("epsilon", eps)
        check_nonneg("momentum", momentum)
        check_nonneg("weight_decay", weight_decay)
        check_nonneg("alpha", alpha)
        check_flags({"differentiable": differentiable})
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps,
                                      centered=centered, weight_decay=weight_decay,
                                      capturable=capturable, foreach=foreach, maximize=maximize,
                                      differentiable=differentiable))

    def _init_state(self, p, state, group):
        state["step"] = _scalar_state()
        state["square_avg"] = zeros_like(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        alpha, wd, momentum = group["alpha"], group["weight_decay"], group["momentum"]
        if group["maximize"]:
            grad = -grad
        step_value(state)
        if wd != 0:
            grad = add(grad, p, wd, self._ws())
        square_avg, ws, xp = state["square_avg"], self._ws(), p._backend()
        addcmul_(mul_(square_avg, alpha, ws), grad, grad, 1 - alpha, ws)
        avg = ws.get(p, slot=1, exact=True)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            lerp_(grad_avg, grad, 1 - alpha, ws)
            s = ws.get(p, slot=2)  # square_avg - grad_avg^2, rounded once
            xp.multiply(grad_avg._data, grad_avg._data, out=s, dtype=s.dtype)
            xp.subtract(square_avg._data, s, out=s)
            xp.copyto(avg, s, casting="unsafe")
            xp.sqrt(avg, out=avg)
        else:
            xp.sqrt(square_avg._data, out=avg)
        xp.add(avg, group["eps"], out=avg)
        if momentum > 0:
            buf = state["momentum_buffer"]
            addcdiv_(mul_(buf, momentum, ws), grad, avg, 1, ws)
            add_(p, buf, -group["lr"], ws)
        else:
            addcdiv_(p, grad, avg, -group["lr"], ws)
