"""Rprop, resilient backpropagation (``torch.optim.Rprop``)."""
from ..ops.creation import zeros_like, full_like, ones_like
from ..ops.pointwise import where
from .optimizer import Optimizer, check_lr, check_flags, step_value, _scalar_state

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop: per-element step sizes grow by ``etas[1]`` while the gradient keeps its sign and
    shrink by ``etas[0]`` when it flips (that element then skips its update);
    ``p -= sign(g) * step_size``."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        check_flags({"differentiable": differentiable})
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def _init_state(self, p, state, group):
        state["step"] = _scalar_state()
        state["prev"] = zeros_like(p)
        state["step_size"] = full_like(p, group["lr"])

    def _update(self, p, grad, state, group):
        etaminus, etaplus = group["etas"]
        lo, hi = group["step_sizes"]
        if group["maximize"]:
            grad = -grad
        step_value(state)
        s = grad.mul(state["prev"]).sign()
        one = ones_like(s)
        factor = where(s > 0, one * etaplus, where(s < 0, one * etaminus, one))
        step_size = state["step_size"]
        step_size.mul_(factor).clamp_(lo, hi)
        grad = where(factor == etaminus, zeros_like(grad), grad)
        p.addcmul_(grad.sign(), step_size, value=-1)
        state["prev"].copy_(grad)
