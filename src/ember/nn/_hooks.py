"""Module hooks: removable handles, and running forward/backward hooks around ``forward``.

Full backward hooks wrap the module's tensor inputs and outputs in identity autograd
Functions: the output one sees grad_output (pre-hooks may replace it), the input one sees
grad_input and calls ``hook(module, grad_input, grad_output)``.
"""
import itertools

from .._tensor import Tensor
from ..autograd.function import Function

GLOBAL_ACTIVE = [False]
_ids = itertools.count()
GLOBAL_FORWARD_PRE = {}
GLOBAL_FORWARD = {}
GLOBAL_FORWARD_ALWAYS = {}


def _refresh():
    GLOBAL_ACTIVE[0] = bool(GLOBAL_FORWARD_PRE or GLOBAL_FORWARD)


class _GlobalHandle:
    __slots__ = ("id", "_dicts")

    def __init__(self, dicts):
        self.id = next(_ids)
        self._dicts = dicts

    def remove(self):
        for d in self._dicts:
            d.pop(self.id, None)
        _refresh()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def register_module_forward_pre_hook(hook):
    """A forward pre-hook run for every module: hook(module, args) -> None or new args."""
    h = _GlobalHandle((GLOBAL_FORWARD_PRE,))
    GLOBAL_FORWARD_PRE[h.id] = hook
    _refresh()
    return h


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """A forward hook run for every module: hook(module, args, output) -> None or new output."""
    h = _GlobalHandle((GLOBAL_FORWARD, GLOBAL_FORWARD_ALWAYS))
    GLOBAL_FORWARD[h.id] = hook
    if always_call:
        GLOBAL_FORWARD_ALWAYS[h.id] = True
    _refresh()
    return h


class RemovableHandle:
    """Handle returned by ``register_*_hook``; ``remove()`` unregisters the hook."""
    __slots__ = ("id", "_dicts")

    def __init__(self, dicts):
        self.id = next(_ids)
        self._dicts = dicts

    @classmethod
    def add(cls, table, hook, prepend=False, extra=None):
        extras = () if extra is None else (extra if isinstance(extra, tuple) else (extra,))
        h = cls((table,) + extras)
        table[h.id] = hook
        if prepend:
            table.move_to_end(h.id, last=False)
        return h

    def remove(self):
        for d in self._dicts:
            d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _State:
    __slots__ = ("module", "grad_outputs", "n_inputs", "inputs_need_grad")


class _InputHook(Function):
    @staticmethod
    def forward(ctx, st, *tensors):
        ctx.st = st
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        st = ctx.st
        grads = tuple(g if need else None for g, need in zip(grads, ctx.needs_input_grad[1:]))
        for hook in list(st.module._backward_hooks.values()):
            res = hook(st.module, grads, st.grad_outputs)
            if res is not None:
                grads = tuple(res)
        return (None,) + tuple(grads)


class _OutputHook(Function):
    @staticmethod
    def forward(ctx, st, *tensors):
        ctx.st = st
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        st = ctx.st
        m = st.module
        for hook in list(m._backward_pre_hooks.values()):
            res = hook(m, grads)
            if res is not None:
                grads = tuple(res) if isinstance(res, (tuple, list)) else (res,)
        st.grad_outputs = grads
        if not st.inputs_need_grad:
            for hook in list(m._backward_hooks.values()):
                hook(m, (None,) * st.n_inputs, grads)
        return (None,) + tuple(grads)


def _wrap_inputs(st, args):
    idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    st.n_inputs = len(idx)
    st.inputs_need_grad = any(args[i]._rg for i in idx)
    if not st.inputs_need_grad:
        return args
    out = _InputHook.apply(st, *[args[i] for i in idx])
    out = out if isinstance(out, tuple) else (out,)
    args = list(args)
    for i, t in zip(idx, out):
        args[i] = t
    return tuple(args)


def _wrap_outputs(st, result):
    if isinstance(result, Tensor):
        return _OutputHook.apply(st, result)[0] if result._rg else result
    if isinstance(result, (tuple, list)):
        idx = [i for i, a in enumerate(result) if isinstance(a, Tensor) and a._rg]
        if not idx:
            return result
        out = _OutputHook.apply(st, *[result[i] for i in idx])
        out = out if isinstance(out, tuple) else (out,)
        new = list(result)
        for i, t in zip(idx, out):
            new[i] = t
        return tuple(new) if isinstance(result, tuple) else new
    return result


def call_with_hooks(module, args, kwargs):
    """Run ``module.forward`` with its forward pre/post hooks and full backward hooks."""
    d = module.__dict__
    for hook in list(GLOBAL_FORWARD_PRE.values()):
        res = hook(module, args)
        if res is not None:
            args = res if isinstance(res, tuple) else (res,)
    for hid, hook in list(d["_forward_pre_hooks"].items()):
        if hid in d["_forward_pre_hooks_with_kwargs"]:
            res = hook(module, args, kwargs)
            if res is not None:
                if not (isinstance(res, tuple) and len(res) == 2):
                    raise RuntimeError("forward pre-hook must return None or a tuple of "
                                       f"(new_args, new_kwargs), but got {res}.")
                args, kwargs = res
        else:
            res = hook(module, args)
            if res is not None:
                args = res if isinstance(res, tuple) else (res,)
    st = None
    if d["_backward_hooks"] or d["_backward_pre_hooks"]:
        st = _State()
        st.module = module
        st.grad_outputs = None
        args = _wrap_inputs(st, args)
    try:
        result = module.forward(*args, **kwargs)
    except Exception:
        for hid, hook in list(d["_forward_hooks"].items()):
            if hid in d["_forward_hooks_always_called"]:
                try:
                    if hid in d["_forward_hooks_with_kwargs"]:
                        hook(module, args, kwargs, None)
                    else:
                        hook(module, args, None)
                except Exception:  # noqa: BLE001
                    pass
        raise
    for hook in list(GLOBAL_FORWARD.values()):
        res = hook(module, args, result)
        if res is not None:
            result = res
    for hid, hook in list(d["_forward_hooks"].items()):
        if hid in d["_forward_hooks_with_kwargs"]:
            res = hook(module, args, kwargs, result)
        else:
            res = hook(module, args, result)
        if res is not None:
            result = res
    if st is not None:
        result = _wrap_outputs(st, result)
    return result
