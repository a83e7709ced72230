"""The Optimizer base class with PyTorch's surface (``torch.optim.Optimizer``).

Subclasses implement ``_init_state(p, state, group)`` (fill a fresh per-parameter state dict)
and ``_update(p, grad, state, group)`` (one parameter's update, in place, under ``no_grad``);
the base class walks the groups, builds state lazily and runs hooks. LBFGS overrides ``step``.
"""
import copy
import functools
import warnings
from collections import OrderedDict, defaultdict
from itertools import chain

from .._backend import bump_version
from .._backend.inplace import Workspace, add_, mul_
from .._backend.quiet import QUIET, quiet_on, quiet_off
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import no_grad, enable_grad
from ..ops.creation import tensor
from .. import _dtype as D

__all__ = ["Optimizer", "required"]


class _Required:
    """Marker for a hyper-parameter that has no default (``torch.optim.optimizer.required``)."""

    def __repr__(self):
        return "<required parameter>"


required = _Required()

_global_pre_hooks = OrderedDict()
_global_post_hooks = OrderedDict()


def _typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    return type(obj).__module__ + "." + type(obj).__qualname__


def _scalar_state(value=0.0):
    """A 0-d float32 tensor, as PyTorch keeps 'step' in optimizer state."""
    return tensor(value, dtype=D.float32)


def check_lr(lr):
    """PyTorch's validation of a learning rate."""
    if lr is required:
        return
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= (lr.item() if isinstance(lr, Tensor) else lr):  # a str raises TypeError
        raise ValueError(f"Invalid learning rate: {lr}")


def check_not_below_zero(name, value, label=None):
    """SGD's form of PyTorch's check, ``value < 0`` (so NaN passes, as there)."""
    if value is not required and value < 0.0:
        raise ValueError(f"Invalid {label or name}: {value}" if name == "learning rate" else
                         f"Invalid {label or name} value: {value}")


def check_betas(betas):
    """PyTorch's validation of ``betas``: both in [0, 1)."""
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


def check_adam_args(lr, eps, betas, weight_decay, differentiable, typed_betas=False):
    """The Adam family's checks, in PyTorch's order: lr, eps, betas, weight_decay, flags;
    ``typed_betas`` adds Adam/AdamW's rule that both betas are floats or both tensors."""
    check_lr(lr)
    check_nonneg("epsilon", eps)
    check_betas(betas)
    check_nonneg("weight_decay", weight_decay)
    if typed_betas and not (all(isinstance(b, float) for b in betas[:2]) or
                            all(isinstance(b, Tensor) for b in betas[:2])):
        raise ValueError("betas must be either both floats or both Tensors")
    check_flags({"differentiable": differentiable})


def check_nonneg(name, value, label=None):
    """Raise PyTorch's ValueError when ``value`` is negative."""
    if not 0.0 <= value:
        raise ValueError(f"Invalid {label or name} value: {value}")


def check_flags(kwargs):
    """Accept foreach/fused/capturable (ignored); differentiable=True is not supported."""
    if kwargs.get("differentiable"):
        raise NotImplementedError("ember.optim: differentiable=True (differentiating through "
                                  "the optimizer step) is not supported")


class Optimizer:
    """Base class of all optimizers (``torch.optim.Optimizer``).

    ``params`` is an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts each
    defining a parameter group; ``defaults`` holds the hyper-parameters a group may omit.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        self._patch_step_function()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {_typename(params)}")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ---- groups --------------------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a parameter group (a dict with 'params' and optional hyper-parameters)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. Please "
                            "use a list instead.")
        else:
            param_group["params"] = list(params)
        extracted, names = [], []
        for p in param_group["params"]:
            if isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str):
                names.append(p[0])
                extracted.append(p[1])
            else:
                extracted.append(p)
        if names and len(names) != len(extracted):
            raise ValueError("all optimizer params should be with/without names. Some param "
                             "names are missing")
        if names:
            param_group["param_names"] = names
        param_group["params"] = extracted
        for p in extracted:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(p))
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        if len({id(p) for p in extracted}) != len(extracted):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in group) != ("param_names" in param_group):
                raise ValueError("all optimizer param groups should be with/without names.")
        if not seen.isdisjoint(id(p) for p in extracted):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ---- gradients and steps -------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors (to None by default)."""
        # lazy: ember._grad_utils is loaded on first use, not at import
        from .._grad_utils import zero_grads
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def _run_pre_hooks(self, args, kwargs):
        for hook in chain(_global_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError("optimizer step pre hook must return None or a tuple of "
                                       f"(new_args, new_kwargs), but got {result}.")
        return args, kwargs

    def _run_post_hooks(self, args, kwargs):
        for hook in chain(self._optimizer_step_post_hooks.values(), _global_post_hooks.values()):
            hook(self, args, kwargs)

    def _patch_step_function(self):
        """Wrap this class's ``step`` (once) so step hooks run around it, as PyTorch does,
        also for user subclasses that define their own ``step``."""
        cls = type(self)
        if not getattr(cls.step, "hooked", False):
            cls.step = _with_hooks(cls.step)

    def step(self, closure=None):
        """Perform one optimization step; returns ``closure()``'s loss when a closure is given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                self._step_group(group)
        return loss

    def _step_group(self, group):
        if isinstance(group["lr"], Tensor):  # a tensor lr acts like its value
            group = dict(group, lr=float(group["lr"]))
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            state = self.state[p]
            if len(state) == 0:
                self._init_state(p, state, group)
            if p._data.dtype.kind == "c":  # as PyTorch: update the (..., 2) real views
                p, g = _as_real(p), _as_real(g)
                state = {k: _as_real(v) if isinstance(v, Tensor) and v._data.dtype.kind == "c"
                         else v for k, v in state.items()}
            self._update(p, g, state, group)

    def _init_state(self, p, state, group):
        raise NotImplementedError

    def _decay_weight(self, p, grad, lr, wd, group):
        """Apply weight decay ``wd`` (nonzero): decoupled ``p *= 1 - lr * wd`` (AdamW style)
        when the group asks for it, returning ``grad`` unchanged; else ``grad + wd * p``."""
        if group.get("decoupled_weight_decay"):
            mul_(p, 1 - lr * wd, self._ws())
            return grad
        return add_scaled(grad, p, wd, self._ws())

    def _ws(self):
        """Scratch arrays of this optimizer (``_backend.inplace.Workspace``), not its state."""
        ws = self.__dict__.get("_workspace")
        if ws is None:
            ws = self._workspace = Workspace()
        return ws

    def _update(self, p, grad, state, group):
        raise NotImplementedError

    # ---- hooks ---------------------------------------------------------------------------
    def register_step_pre_hook(self, hook):
        """hook(optimizer, args, kwargs) -> None or (args, kwargs), run before each step."""
        return _add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """hook(optimizer, args, kwargs) -> None, run after each step."""
        return _add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """hook(optimizer) run before ``state_dict()``."""
        return _add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """hook(optimizer, state_dict) -> None or a replacement, run after ``state_dict()``."""
        return _add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """hook(optimizer, state_dict) -> None or a replacement, run before loading."""
        return _add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """hook(optimizer) run after ``load_state_dict``."""
        return _add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ---- state dict ----------------------------------------------------------------------
    def state_dict(self):
        """The optimizer's state as a dict: 'state' keyed by integer param ids, 'param_groups'."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        mapping = {}
        index = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                if id(p) not in mapping:
                    mapping[id(p)] = index
                    index += 1
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        sd = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, sd)
            if result is not None:
                sd = result
        return sd

    def load_state_dict(self, state_dict):
        """Load a dict made by ``state_dict`` (state is cast to each parameter's dtype)."""
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(s["params"] for s in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                p = id_map[k]
                state[p] = _cast_state(p, v, key=None)
            else:
                state[k] = v
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        for group in self.param_groups:
            for k, v in self.defaults.items():
                group.setdefault(k, v)

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _as_real(t):
    """A float view of complex tensor ``t`` with a trailing (real, imag) axis of size 2
    (``torch.view_as_real``), sharing memory and version counter."""
    arr = t._data
    xp = t._backend()
    half = arr.dtype.itemsize // 2
    view = xp.lib.stride_tricks.as_strided(arr.real, shape=arr.shape + (2,),
                                           strides=arr.strides + (half,))
    r = _wrap(view)
    r._version = t._version
    return r


def _cast_state(param, value, key):
    """Cast loaded state like PyTorch: tensors to the param's dtype/device, except 'step'."""
    if isinstance(value, Tensor):
        if key == "step":
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value.to(device=param.device)
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and not isinstance(value, str):
        return type(value)(_cast_state(param, v, key) for v in value)
    return value


class _HookHandle:
    __slots__ = ("_hooks", "_id")
    _next = [0]

    def __init__(self, hooks):
        self._hooks = hooks
        self._id = _HookHandle._next[0]
        _HookHandle._next[0] += 1

    @property
    def id(self):
        return self._id

    def remove(self):
        self._hooks.pop(self._id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _with_hooks(step):
    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        args, kwargs = self._run_pre_hooks(args, kwargs)
        token = quiet_on(QUIET)  # an inf/nan update is silent, as in PyTorch
        try:
            out = step(self, *args, **kwargs)
        finally:
            quiet_off(token)
        self._run_post_hooks(args, kwargs)
        return out
    wrapper.hooked = True
    return wrapper


def _add_hook(hooks, hook, prepend=False):
    handle = _HookHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def register_optimizer_step_pre_hook(hook):
    """A pre-step hook run for every optimizer (``torch.optim.optimizer.register_...``)."""
    return _add_hook(_global_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """A post-step hook run for every optimizer."""
    return _add_hook(_global_post_hooks, hook)


def add_scaled(x, y, alpha, ws):
    """x + alpha * y as a new tensor (``torch.add(x, y, alpha=alpha)``), rounded like add_."""
    return add_(_wrap(x._data.copy()), y, alpha, ws)


def step_value(state):
    """Increment the float32 'step' tensor in ``state`` and return it as a Python float."""
    st = state["step"]
    st._data += 1
    bump_version(st)
    return float(st._data)

