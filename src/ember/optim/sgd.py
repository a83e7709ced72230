"""Stochastic gradient descent with momentum and Nesterov (``torch.optim.SGD``)."""
from .._tensor import Tensor
from .._backend.inplace import mul_, add_
from .optimizer import add_scaled as add
from .optimizer import Optimizer, check_not_below_zero, check_flags

__all__ = ["SGD"]


class SGD(Optimizer):
    """SGD: ``buf = momentum * buf + (1 - dampening) * g``; ``p -= lr * (g + momentum * buf
    if nesterov else buf)``, with L2 ``weight_decay`` added to the gradient first."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        check_not_below_zero("learning rate", lr)
        check_not_below_zero("momentum", momentum)
        check_not_below_zero("weight_decay", weight_decay)
        check_flags({"differentiable": differentiable})
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))

    def _step_group(self, group):
        if isinstance(group["lr"], Tensor):
            group = dict(group, lr=float(group["lr"]))
        keep = group["momentum"] != 0
        for p in group["params"]:
            if p._grad is not None:
                self._update(p, p._grad, self.state[p] if keep else None, group)

    def _update(self, p, grad, state, group):
        if group["maximize"]:
            grad = -grad
        wd, momentum = group["weight_decay"], group["momentum"]
        if wd != 0:
            grad = add(grad, p, wd, self._ws())
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = grad.clone().detach()
            else:
                add_(mul_(buf, momentum, self._ws()), grad, 1 - group["dampening"], self._ws())
            grad = add(grad, buf, momentum, self._ws()) if group["nesterov"] else buf
        add_(p, grad, -group["lr"], self._ws())
