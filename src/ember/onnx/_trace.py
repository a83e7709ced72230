"""Run the model under ``ember.autograd.tracing.trace`` for export: graph inputs made to
require grad (so every op computed from them is recorded), max pooling's window geometry noted
beside its ``PlaneGather`` record, and a second run with the dynamic axes resized and the values
changed, which tells shapes that follow the inputs from constants."""
import contextlib

import numpy as np

from .errors import OnnxExporterError
from ..nn._functional import pooling as P
from ..nn._functional.conv import ntuple
from ..ops.pooling import PlaneGather
from ..ops import binary, comparison, pointwise, reduce
from ..ops.pointwise import ToDtype

__all__ = ["run_trace", "second_args", "flatten_outputs", "Compare", "ArgReduce",
           "COMPARISONS"]

# comparisons and logic give bool tensors without an autograd Op: recorded here as ``Compare``
COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less",
               "less_equal", "not_equal", "logical_and", "logical_or", "logical_xor",
               "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
               "isnan", "isinf", "isfinite", "isposinf", "isneginf")
_ALIASES = {"greater": "gt", "greater_equal": "ge", "less": "lt", "less_equal": "le",
            "not_equal": "ne"}


class Compare:
    """Marker op of a recorded comparison / logical op; ``params["fn"]`` names it."""


class ArgReduce:
    """Marker op of a recorded argmax / argmin: ``params`` fn, dim, keepdim."""


def _arg_params(a, kw):
    dim = a[1] if len(a) > 1 else kw.get("dim", kw.get("axis"))
    keep = a[2] if len(a) > 2 else kw.get("keepdim", kw.get("keepdims", False))
    return dim, bool(keep)


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
    import ember  # lazy: the root package is a higher layer
    owners = (comparison, binary, pointwise, reduce, ember, ember.Tensor)
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
            if not isinstance(out, ember.Tensor) or kw.get("out") is not None:
                return out
            if name == "to_dtype":  # casts to integer types skip the ToDtype op
                if out is not a[0]:
                    tr._add(ToDtype, (a[0],), {"dtype": a[1] if len(a) > 1 else kw["dtype"]},
                            (out,))
            elif name == "_arg_extreme":  # max/min(dim)'s indices: (input, dim, keepdim, which)
                tr._add(ArgReduce, (a[0],), {"fn": a[3], "dim": a[1], "keepdim": bool(a[2])},
                        (out,))
            elif name in ("argmax", "argmin"):
                dim, keep = _arg_params(a, kw)
                tr._add(ArgReduce, (a[0],), {"fn": name, "dim": dim, "keepdim": keep}, (out,))
            else:
                ins = tuple(x if isinstance(x, ember.Tensor) else ember.tensor(x) for x in a)
                tr._add(Compare, ins, {"fn": _ALIASES.get(name, name)}, (out,))
            return out
        return recorded
    for name in COMPARISONS + ("argmax", "argmin"):
        for owner in owners:
            fn = owner.__dict__.get(name) if isinstance(owner, type) else \
                getattr(owner, name, None)
            if fn is None or not callable(fn):
                continue
            undo.append((owner, name, fn))
            setattr(owner, name, wrap(fn, name))
    # operators bound straight to those functions by their declaration (Tensor.__lt__ is
    # comparison.lt): wrapped under the function's name
    originals = {id(fn): name for owner, name, fn in undo}
    for attr, fn in list(vars(ember.Tensor).items()):
        if attr.startswith("__") and id(fn) in originals:
            undo.append((ember.Tensor, attr, fn))
            setattr(ember.Tensor, attr, wrap(fn, originals[id(fn)]))
    for owner, name in ((reduce, "_arg_extreme"), (pointwise, "to_dtype")):
        undo.append((owner, name, getattr(owner, name)))
        setattr(owner, name, wrap(getattr(owner, name), name))
    try:
        yield
    finally:
        for owner, name, fn in reversed(undo):
            setattr(owner, name, fn)


def _keep_recording(tr, graph_inputs):
    """Make float results of recorded ops that do not require grad (a comparison turned into
    floats, ops on integer inputs) require it, so the ops computed from them are recorded too
    instead of taking the unrecorded fast path."""
    add = tr._add
    ids = {id(x) for x in graph_inputs}

    def recorded(op, inputs, params, outputs):
        add(op, inputs, params, outputs)
        if not any(t is not None and hasattr(t, "_data") and
                   (id(t) in ids or tr.producer(t) is not None) for t in inputs):
            return
        for o in outputs:
            if o is not None and hasattr(o, "_data") and not o.requires_grad and \
                    o.grad_fn is None and o.is_floating_point():
                o.requires_grad_(True)
    tr._add = recorded


def split_args(args):
    """PyTorch's export args: a trailing dict holds keyword arguments."""
    if args and isinstance(args[-1], dict):
        return tuple(args[:-1]), dict(args[-1])
    return tuple(args), {}


def run_trace(model, args):
    """Trace ``model(*args)`` once (a trailing dict of ``args`` is passed as keywords);
    returns (trace, graph input tensors, output tensors, {record index: max-pool geometry})."""
    import ember  # lazy: the root package is a higher layer
    # lazy: ember.autograd.tracing is loaded on first use, not at import
    from ..autograd.tracing import trace
    pos, kw = split_args(args)
    graph_inputs = []

    def prep(a):
        if isinstance(a, ember.Tensor):
            a = a.detach()
            if a.is_floating_point():
                a.requires_grad_(True)
            graph_inputs.append(a)
        return a
    call_args = [prep(a) for a in pos]
    call_kw = {k: prep(v) for k, v in kw.items()}
    geoms = {}
    with trace(module=model) as tr, _pool_geometry(tr, geoms), _comparisons(tr):
        _keep_recording(tr, graph_inputs)
        out = model(*call_args, **call_kw)
    return tr, graph_inputs, flatten_outputs(out), geoms


_BUMPS = (3, 5, 7, 11, 13, 17, 19, 23)  # growth per dynamic symbol: rarely a common ratio


def second_args(args, dyn_in, seed=0):
    """``args`` with each dynamic axis (``dyn_in``: input position -> {axis: symbol}) grown
    (rows repeated) by an amount of its own per symbol, so axes sharing a name keep matching,
    and the values changed: floats scaled by random factors (a quarter of them negated),
    integers rolled (so they stay valid indices)."""
    import ember  # lazy: the root package is a higher layer
    rng = np.random.default_rng(seed)
    args, kw = split_args(args)
    out, pos, bumps = [], 0, {}
    for a in list(args) + list(kw.values()):
        if not isinstance(a, ember.Tensor):
            out.append(a)
            continue
        x = a.detach().numpy()
        axes = dyn_in.get(pos, {})
        for ax in sorted(axes):
            n = x.shape[ax]
            if n == 0:
                raise OnnxExporterError(f"dynamic axis {ax} of input {pos} has size 0")
            bump = bumps.setdefault(axes[ax], _BUMPS[len(bumps) % len(_BUMPS)])
            x = np.take(x, np.arange(n + bump) % n, axis=ax)
        if x.dtype.kind == "f":
            sign = np.where(rng.random(x.shape) < 0.25, -1.0, 1.0)
            x = x * (rng.uniform(0.5, 1.5, size=x.shape) * sign).astype(x.dtype)
        elif x.dtype.kind in "iu" and x.size > 1:
            x = np.roll(x.reshape(-1), 1).reshape(x.shape)
        out.append(ember.tensor(np.ascontiguousarray(x)))
        pos += 1
    if kw:
        return tuple(out[:len(args)]) + (dict(zip(kw, out[len(args):])),)
    return tuple(out)
