"""Run the model under ``ember.autograd.tracing.trace`` for export: graph inputs made to
require grad (so every op computed from them is recorded), max pooling's window geometry noted
beside its ``PlaneGather`` record, and a second run with the dynamic axes resized and the values
changed, which tells shapes that follow the inputs from constants."""
import contextlib

import numpy as np

from .errors import OnnxExporterError

__all__ = ["run_trace", "second_args", "flatten_outputs", "Compare", "COMPARISONS"]

# comparisons and logic give bool tensors without an autograd Op: recorded here as ``Compare``
COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less",
               "less_equal", "not_equal", "logical_and", "logical_or", "logical_xor",
               "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not")
_ALIASES = {"greater": "gt", "greater_equal": "ge", "less": "lt", "less_equal": "le",
            "not_equal": "ne"}


class Compare:
    """Marker op of a recorded comparison / logical op; ``params["fn"]`` names it."""


def flatten_outputs(out):
    """The tensors of a model's output (nested tuples, lists and dicts), in order."""
    if hasattr(out, "shape") and hasattr(out, "grad_fn"):
        return [out]
    if isinstance(out, dict):
        out = list(out.values())
    if isinstance(out, (list, tuple)):
        return [t for o in out for t in flatten_outputs(o)]
    return []


@contextlib.contextmanager
def _pool_geometry(tr, geoms):
    """Note (kernel, stride, padding, dilation, ceil_mode) of each max pooling call."""
    from ..nn._functional import pooling as P
    from ..nn._functional.conv import ntuple
    from ..ops.pooling import PlaneGather
    orig = P._max_pool

    def wrapped(input, nd, kernel_size, stride, padding, dilation, ceil_mode, *a, **kw):
        n0 = len(tr.ops)
        out = orig(input, nd, kernel_size, stride, padding, dilation, ceil_mode, *a, **kw)
        k = ntuple(kernel_size, nd, "kernel_size")
        s = k if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) \
            else ntuple(stride, nd, "stride")
        geom = (k, s, ntuple(padding, nd, "padding"), ntuple(dilation, nd, "dilation"),
                bool(ceil_mode))
        for rec in tr.ops[n0:]:
            if rec.op is PlaneGather:
                geoms[rec.index] = geom
        return out
    P._max_pool = wrapped
    try:
        yield
    finally:
        P._max_pool = orig


@contextlib.contextmanager
def _comparisons(tr):
    """Record comparison and logical ops (they have no Op class) as ``Compare`` entries."""
    import ember
    from ..ops import binary, comparison
    owners = (comparison, binary, ember, ember.Tensor)
    undo = []

    def wrap(fn, name):
        def recorded(*a, **kw):
            if tr._depth:
                return fn(*a, **kw)
            tr._depth += 1
            try:
                out = fn(*a, **kw)
            finally:
                tr._depth -= 1
            if isinstance(out, ember.Tensor) and not kw.get("out"):
                ins = tuple(x if isinstance(x, ember.Tensor) else ember.tensor(x) for x in a)
                tr._add(Compare, ins, {"fn": _ALIASES.get(name, name)}, (out,))
            return out
        return recorded
    for name in COMPARISONS:
        for owner in owners:
            fn = owner.__dict__.get(name) if isinstance(owner, type) else \
                getattr(owner, name, None)
            if fn is None or not callable(fn):
                continue
            undo.append((owner, name, fn))
            setattr(owner, name, wrap(fn, name))
    try:
        yield
    finally:
        for owner, name, fn in reversed(undo):
            setattr(owner, name, fn)


def run_trace(model, args):
    """Trace ``model(*args)`` once; returns (trace, graph input tensors, output tensors,
    {record index: max-pool geometry})."""
    import ember
    from ..autograd.tracing import trace
    call_args, graph_inputs = [], []
    for a in args:
        if isinstance(a, ember.Tensor):
            a = a.detach()
            if a.is_floating_point():
                a.requires_grad_(True)
            graph_inputs.append(a)
        call_args.append(a)
    geoms = {}
    with trace(module=model) as tr, _pool_geometry(tr, geoms), _comparisons(tr):
        out = model(*call_args)
    return tr, graph_inputs, flatten_outputs(out), geoms


def second_args(args, dyn_in, seed=0):
    """``args`` with each dynamic axis (``dyn_in``: input position -> {axis: symbol}) grown
    (rows repeated) by an amount of its own per symbol, so axes sharing a name keep matching,
    and the values changed: floats scaled by random factors (a quarter of them negated), integers rolled (so they stay
    valid indices)."""
    import ember
    rng = np.random.default_rng(seed)
    out, pos, bumps = [], 0, {}
    for a in args:
        if not isinstance(a, ember.Tensor):
            out.append(a)
            continue
        x = a.detach().numpy()
        axes = dyn_in.get(pos, {})
        for ax in sorted(axes):
            n = x.shape[ax]
            if n == 0:
                raise OnnxExporterError(f"dynamic axis {ax} of input {pos} has size 0")
            bump = bumps.setdefault(axes[ax], len(bumps) + 1)
            x = np.take(x, np.arange(n + bump) % n, axis=ax)
        if x.dtype.kind == "f":
            sign = np.where(rng.random(x.shape) < 0.25, -1.0, 1.0)
            x = x * (rng.uniform(0.5, 1.5, size=x.shape) * sign).astype(x.dtype)
        elif x.dtype.kind in "iu" and x.size > 1:
            x = np.roll(x.reshape(-1), 1).reshape(x.shape)
        out.append(ember.tensor(np.ascontiguousarray(x)))
        pos += 1
    return out
