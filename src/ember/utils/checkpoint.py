"""``torch.utils.checkpoint``: ``checkpoint`` and ``checkpoint_sequential``.

PyTorch's checkpointing frees a segment's activations after the forward pass and recomputes
them (with the same RNG state) during backward, trading compute for memory. Ember runs the
segment once and keeps its activations: values and gradients are the ones PyTorch computes,
memory is not saved.
"""
import contextlib
import warnings
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad, is_grad_enabled
from ..nn.containers import Sequential

__all__ = ["checkpoint", "checkpoint_sequential", "noop_context_fn"]

_REENTRANT_WARNING = ("torch.utils.checkpoint: the use_reentrant parameter should be passed "
                      "explicitly. use_reentrant=False is recommended.")


def noop_context_fn():
    """The default ``context_fn``: two context managers that do nothing."""
    return contextlib.nullcontext(), contextlib.nullcontext()


def _run(function, args, kwargs, use_reentrant):
    if use_reentrant is None:
        warnings.warn(_REENTRANT_WARNING, UserWarning, stacklevel=3)
        use_reentrant = True
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        if is_grad_enabled() and not any(isinstance(a, Tensor) and a.requires_grad
                                         for a in args):
            # PyTorch's reentrant variant detaches the segment from inputs that need no grad:
            # its outputs do not require grad and parameters inside get no gradient.
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                          UserWarning, stacklevel=3)
            with no_grad():
                return function(*args)
    return function(*args, **kwargs)


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn,
               determinism_check="default", debug=False, early_stop=True, **kwargs):
    """``torch.utils.checkpoint.checkpoint``: ``function(*args, **kwargs)``, with PyTorch's
    gradients (including the reentrant variant's "no input requires grad" rule)."""
    if use_reentrant is False:
        fwd_ctx, _ = context_fn()
        with fwd_ctx:
            return _run(function, args, kwargs, False)
    if context_fn is not noop_context_fn:
        raise ValueError("Passing `context_fn` or `debug` is only supported when "
                         "use_reentrant=False.")
    return _run(function, args, kwargs, use_reentrant)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """``torch.utils.checkpoint.checkpoint_sequential``: run ``functions`` (a list or an
    ``nn.Sequential``) one after another on ``input``, in ``segments`` checkpointed pieces."""
    if use_reentrant is None:
        warnings.warn(_REENTRANT_WARNING, UserWarning, stacklevel=2)
        use_reentrant = True
    fns = list(functions.children()) if isinstance(functions, Sequential) else list(functions)
    n = len(fns)
    size = max(n // max(int(segments), 1), 1)
    end = -1
    for start in range(0, size * (max(int(segments), 1) - 1), size):
        end = start + size - 1
        seg = fns[start:end + 1]
        input = checkpoint(lambda x, seg=seg: _chain(seg, x), input,
                           use_reentrant=use_reentrant, **kwargs)
    return _chain(fns[end + 1:], input)


def _chain(fns, x):
    for f in fns:
        x = f(x)
    return x
