"""Resetting ``.grad`` of many tensors: shared by ``Module.zero_grad`` and ``Optimizer.zero_grad``."""


def zero_grads(tensors, set_to_none=True):
    """Set each tensor's ``.grad`` to None, or zero it in place (detached first, as PyTorch)."""
    for p in tensors:
        g = p._grad
        if g is None:
            continue
        if set_to_none:
            p._grad = None
            continue
        if g.grad_fn is not None:
            g = g.detach()
            p._grad = g
        g.zero_()
