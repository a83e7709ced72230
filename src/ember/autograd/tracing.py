"""Record the ops of one forward call: the seam that exporters (ONNX, TensorBoard graphs) plug into.

``with trace() as tr: out = model(x)`` records every built-in op (``Op`` subclass) and every custom
``autograd.Function`` applied while the block runs, in order, as :class:`TracedOp` entries of
``tr.ops``: the op class, its input tensors, its keyword parameters and its output tensors. Ops run
inside a custom Function's forward are not recorded separately (the Function is the op).

A tensor that flows between recorded ops is found again with ``tr.producer(t)``: the recorded op
and output index that made it, or None for graph inputs and constants (parameters, buffers,
Python scalars turned into 0-d tensors). ``rec.sources`` holds the same for each input as it was
when the op ran, which stays right when an in-place op later re-points that tensor. Tensors with autograd history are matched through their
``grad_fn`` node, so in-place ops (``relu_``) that re-point a tensor at a new node are followed;
others are matched by identity. Ops on tensors that neither require grad nor descend from a
recorded op may take an unrecorded fast path: an exporter should make its graph inputs require
grad (or run under ``enable_grad``) so that everything computed from them is recorded; whatever
else an op reads is then a constant of the traced graph.

Passing ``module=`` adds module scopes: each record's ``scope`` is the dotted path of the
innermost submodule whose forward was running (``""`` for the top level), and ``scope_types``
the matching class names, as TensorBoard's name scopes want them.

Tracing swaps the ``apply`` entry points for the duration of the block: it is for one thread,
and costs nothing when not in use.
"""
import contextlib

from .function import Function
from .grad_mode import enable_grad
from .node import Op

__all__ = ["TracedOp", "Trace", "trace"]


class TracedOp:
    """One recorded op call: ``op`` (class), ``inputs`` (tensors or None, positional),
    ``params`` (keyword parameters), ``outputs`` (tuple of tensors), ``node`` (the grad_fn it
    recorded, or None), ``scope`` (module path), ``scope_types`` (module class names) and
    ``sources`` (per input, ``Trace.producer`` of it when the op ran)."""
    __slots__ = ("op", "inputs", "params", "outputs", "node", "scope", "scope_types", "index",
                 "sources")

    def __init__(self, op, inputs, params, outputs, node, scope, scope_types, index):
        self.op, self.inputs, self.params, self.outputs = op, inputs, params, outputs
        self.node, self.scope, self.scope_types, self.index = node, scope, scope_types, index
        self.sources = ()

    @property
    def name(self):
        """The op's class name (``Conv``, ``Mul``, ``ViewReshape`` ...)."""
        return self.op.__name__

    def __repr__(self):
        shapes = [None if t is None else tuple(t.shape) for t in self.inputs]
        return f"TracedOp({self.name}, inputs={shapes}, params={sorted(self.params)})"


class Trace:
    """The ops recorded by :func:`trace`, in execution order."""

    def __init__(self):
        self.ops = []
        self._by_node = {}
        self._by_id = {}
        self._keep = []  # keeps recorded tensors alive so ids stay unique during the trace
        self._scopes = [("", "")]
        self._depth = 0

    def _add(self, op, inputs, params, outputs):
        scope, types = self._scopes[-1]
        rec = TracedOp(op, tuple(inputs), dict(params), tuple(outputs), None, scope, types,
                       len(self.ops))
        rec.sources = tuple(self.producer(t) if t is not None and hasattr(t, "_data") else None
                            for t in rec.inputs)
        self.ops.append(rec)
        for i, o in enumerate(rec.outputs):
            if o is None or not hasattr(o, "_data"):
                continue
            self._keep.append(o)
            self._by_id[id(o)] = (rec, i)
            fn = o.grad_fn
            if fn is not None:
                rec.node = fn
                self._by_node[(id(fn), o._output_nr)] = (rec, i)
        self._keep.append(rec.inputs)

    def producer(self, t):
        """``(TracedOp, output_index)`` that produced tensor ``t`` during the trace, or None."""
        fn = t.grad_fn
        if fn is not None:
            hit = self._by_node.get((id(fn), t._output_nr))
            if hit is not None:
                return hit
        return self._by_id.get(id(t))

    def __iter__(self):
        return iter(self.ops)

    def __len__(self):
        return len(self.ops)


def _install(tr):
    """Wrap the apply entry points so every op call lands in ``tr``; returns an undo function."""
    from ..ops.multi_output import MultiOp
    patched = []

    def wrap_op_class(cls):
        orig = cls.__dict__["apply"].__func__

        def apply(klass, *inputs, **params):
            if tr._depth:
                return orig(klass, *inputs, **params)
            tr._depth += 1
            try:
                out = orig(klass, *inputs, **params)
            finally:
                tr._depth -= 1
            tr._add(klass, inputs, params, out if isinstance(out, tuple) else (out,))
            return out
        patched.append((cls, cls.__dict__["apply"]))
        cls.apply = classmethod(apply)

    for cls in (Op, MultiOp, Function):
        wrap_op_class(cls)

    def undo():
        for cls, original in reversed(patched):
            cls.apply = original
    return undo


def _scope_hooks(tr, module):
    handles = []
    for path, sub in module.named_modules():
        if sub is module:
            continue

        def pre(mod, args, _path=path):
            outer_types = tr._scopes[-1][1]
            types = f"{outer_types}/{type(mod).__name__}" if outer_types else type(mod).__name__
            tr._scopes.append((_path, types))

        def post(mod, args, out):
            tr._scopes.pop()
        handles.append(sub.register_forward_pre_hook(pre))
        handles.append(sub.register_forward_hook(post))
    return handles


@contextlib.contextmanager
def trace(module=None):
    """Record the ops run in the block (see the module docstring); yields a :class:`Trace`."""
    tr = Trace()
    if module is not None:
        tr._scopes = [("", type(module).__name__)]
    handles = _scope_hooks(tr, module) if module is not None else []
    undo = _install(tr)
    try:
        with enable_grad():
            yield tr
    finally:
        undo()
        for h in handles:
            h.remove()
