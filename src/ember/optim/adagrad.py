"""Adagrad (``torch.optim.Adagrad``)."""
from ..ops.creation import full_like
from .._backend.inplace import addcmul_, addcdiv_
from .optimizer import add_scaled as add
from .optimizer import Optimizer, check_lr, check_nonneg, check_flags, step_value, _scalar_state

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad: ``s += g^2``; ``p -= lr / (1 + (t-1) lr_decay) * g / (sqrt(s) + eps)``."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_lr(lr)
        check_nonneg("lr_decay", lr_decay)
        check_nonneg("weight_decay", weight_decay)
        check_nonneg("initial_accumulator_value", initial_accumulator_value)
        check_nonneg("epsilon", eps)
        check_flags({"differentiable": differentiable})
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps,
                                      weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, fused=fused))
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state[p], group)

    def _init_state(self, p, state, group):
        state["step"] = _scalar_state()
        state["sum"] = full_like(p, group["initial_accumulator_value"])

    def share_memory(self):
        """Move the accumulators into shared memory (for Hogwild-style training)."""
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p]["sum"].share_memory_()

    def _update(self, p, grad, state, group):
        if group["maximize"]:
            grad = -grad
        step = step_value(state)
        if group["weight_decay"] != 0:
            grad = add(grad, p, group["weight_decay"], self._ws())
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        ws, xp = self._ws(), p._backend()
        addcmul_(state["sum"], grad, grad, 1, ws)
        std = xp.sqrt(state["sum"]._data, out=ws.get(p, slot=1, exact=True))
        xp.add(std, group["eps"], out=std)
        addcdiv_(p, grad, std, -clr, ws)
