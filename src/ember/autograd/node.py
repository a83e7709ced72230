"""Graph nodes (``grad_fn``) and ``Op``, the base class of every built-in differentiable op.

An ``Op`` subclass holds one op's forward (on backend arrays) and its backward (on Ember
tensors, so gradients are differentiable again) side by side. ``Op.apply`` runs the forward
and, when some input requires grad, records the op as a node of the graph.
"""
from .._tensor import _wrap, Tensor
from .._backend.quiet import QUIET as _QUIET, quiet_on as _quiet_on, quiet_off as _quiet_off
from .grad_mode import STATE

__all__ = ["Node", "Op", "AccumulateGrad"]

_FREED_MSG = ("Trying to backward through the graph a second time (or directly access saved "
              "tensors after they have already been freed). Saved intermediate values of the graph "
              "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
              "you need to backward through the graph a second time or if you need to access saved "
              "tensors after calling backward.")


def _type_name(t):
    names = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
             "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor",
             "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor",
             "bool": "BoolTensor", "complex64": "ComplexFloatTensor",
             "complex128": "ComplexDoubleTensor"}
    return "torch." + names.get(t.dtype.name, "Tensor")


class Node:
    """A backward function in the graph, as ``tensor.grad_fn``; also the ``ctx`` of its op.

    Hot per-node state lives in slots; rarely used state (hooks, anomaly trace, the freed
    flag) has class-level defaults and is set on the instance only when used.
    """
    __slots__ = ("next_functions", "needs_input_grad", "_saved", "_saved_versions", "_in_meta",
                 "__dict__", "__weakref__")
    _name = None
    materialize_grads = True
    _n_outputs = 1
    _view_version = None  # for a view op's node: the version its view was made at
    _hooked = False  # set when any hook is registered: the engine's slow path handles them
    _pre_hooks = None
    _hooks = None
    _tensor_pre_hooks = None
    _retain_hooks = None
    _freed = False
    _anomaly_trace = None

    def _init_node(self):
        self.next_functions = ()
        self.needs_input_grad = ()
        self._saved = None
        self._saved_versions = None
        self._in_meta = ()

    def name(self):
        """The node's name, like PyTorch's (``MulBackward0``)."""
        return self._name or type(self).__name__ + "Backward0"

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

    # ---- saved tensors -------------------------------------------------------------------
    def save_for_backward(self, *tensors):
        """Keep tensors for backward; they are checked for in-place changes when unpacked."""
        self._saved = tensors
        self._saved_versions = tuple(None if t is None else t._version[0] for t in tensors)

    @property
    def saved_tensors(self):
        """The tensors saved in forward; raises if freed or modified in place since."""
        if self._freed:
            raise RuntimeError(_FREED_MSG)
        saved = self._saved
        if saved is None:
            return ()
        for i, (t, v) in enumerate(zip(saved, self._saved_versions)):
            if t is not None and t._version[0] != v:
                raise RuntimeError(self._modified_msg(i, t, v))
        return saved

    def _modified_msg(self, i, t, v):
        shape = ", ".join(map(str, t._data.shape))
        save = getattr(self, "save", ())
        is_out = i < len(save) and str(save[i]).startswith("out")
        origin = self if is_out else t.grad_fn
        which = f", which is output {t._output_nr} of {_short_name(origin)}," if origin else ""
        return ("one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [{_type_name(t)} [{shape}]]{which} is at version "
                f"{t._version[0]}; expected version {v} instead. It was saved for backward by "
                f"{self.name()} (its saved tensor {i}). Hint: enable anomaly "
                "detection to find the operation that failed to compute its gradient, with "
                "torch.autograd.set_detect_anomaly(True, check_nan=False).")

    def _release(self):
        """Drop saved tensors and arrays after backward (unless retain_graph)."""
        freed = self._saved is not None
        self._saved = None
        d = self.__dict__
        if d:
            drop = [k for k, v in d.items() if isinstance(v, _saved_types())]
            for k in drop:
                del d[k]
            freed = freed or bool(drop)
        if freed:
            self._freed = True

    # ---- hooks ---------------------------------------------------------------------------
    def register_hook(self, hook):
        """hook(grad_inputs, grad_outputs) -> None or new grad_inputs, run after this node."""
        if self._hooks is None:
            self._hooks = []
        self._hooked = True
        self._hooks.append(hook)
        return _RemovableHandle(self._hooks, hook)

    def register_prehook(self, hook):
        """hook(grad_outputs) -> None or new grad_outputs, run before this node."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._hooked = True
        self._pre_hooks.append(hook)
        return _RemovableHandle(self._pre_hooks, hook)

    def _add_tensor_pre_hook(self, output_nr, hook, retain=False):
        self._hooked = True
        attr = "_retain_hooks" if retain else "_tensor_pre_hooks"
        table = getattr(self, attr)
        if table is None:
            table = {}
            setattr(self, attr, table)
        lst = table.setdefault(output_nr, [])
        if retain:
            lst.clear()
        lst.append(hook)
        return _RemovableHandle(lst, hook)

    def backward(self, *grads):
        raise NotImplementedError(f"{self.name()} has no backward")

    def __call__(self, *grads):
        return self.backward(*grads)


def _short_name(node):
    """A node's name as PyTorch prints it in the in-place error ("Exp", "torch::autograd::CopySlices")."""
    name = node.name()
    if name in ("CopySlices", "AccumulateGrad", "CopyBackwards"):
        return "torch::autograd::" + name
    head, sep, tail = name.rpartition("Backward")
    return head if sep and tail.isdigit() else name


_SAVED_TYPES = None


def _saved_types():
    global _SAVED_TYPES
    if _SAVED_TYPES is None:
        import numpy
        _SAVED_TYPES = (Tensor, numpy.ndarray)
    return _SAVED_TYPES


class _RemovableHandle:
    __slots__ = ("_list", "_hook")

    def __init__(self, lst, hook):
        self._list, self._hook = lst, hook

    def remove(self):
        try:
            self._list.remove(self._hook)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class AccumulateGrad(Node):
    """The node that adds incoming gradient into a leaf tensor's ``.grad``."""
    __slots__ = ("variable",)
    _name = "AccumulateGrad"

    def __init__(self, variable):
        self._init_node()
        self.variable = variable


_NO_EDGE = (None, 0)


def edge_of(t):
    """The (node, output_nr) that a gradient for tensor ``t`` flows into."""
    if not t._rg:
        return _NO_EDGE
    fn = t.grad_fn
    if fn is not None:
        if t._base is not None and fn._view_version is not None and \
                fn._view_version != t._version[0]:
            # The view's base (or a sibling view) was written in place since this view was made.
            from .inplace import refresh_view
            refresh_view(t)
            fn = t.grad_fn
        return (fn, t._output_nr)
    acc = t._accumulator
    if acc is None:
        acc = AccumulateGrad(t)
        t._accumulator = acc
    return (acc, 0)


_new = object.__new__
_NEEDS_ONE = (True,)
_SAVE_AB = (0, 1)
_NEEDS_TWO = (((False, False), (False, True)), ((True, False), (True, True)))


def _same_device(inputs):
    """``inputs`` when all live on one device; PyTorch's RuntimeError when they do not. A 0-d
    cpu tensor next to cuda tensors is a scalar (as in PyTorch): it is copied to the device."""
    devs = [t.device for t in inputs if t is not None]
    target = next((d for d in devs if d.type != "cpu"), devs[0])
    out = []
    for t in inputs:
        if t is not None and t.device != target:
            if t.device.type == "cpu" and t._data.ndim == 0:
                t = t.to(target)
            else:
                raise RuntimeError("Expected all tensors to be on the same device, but found at "
                                   f"least two devices, {target} and {t.device}!")
        out.append(t)
    return tuple(out)


class Op(Node):
    """Base of built-in ops. Subclasses define:

    ``forward(ctx, *arrays, **params) -> array`` on the backend module ``ctx.xp``;
    ``backward(ctx, grad) -> grad or tuple of grads`` on Ember tensors (None where not needed).
    ``save = (...)`` lists input positions to save for backward; "out" saves the output.
    Saved tensors come back, inputs then output, from ``ctx.saved_tensors``.
    """
    __slots__ = ("xp",)
    save = ()
    save_if = None  # parallel to ``save``: keep entry k only if input save_if[k] needs grad
    differentiable = True

    @classmethod
    def apply(cls, *inputs, **params):
        """Run the forward on the inputs' arrays; record a graph node if some input needs grad."""
        ctx = _new(cls)
        first = inputs[0]
        ctx.xp = first._backend()
        if len(inputs) == 1:
            token = _quiet_on(_QUIET)  # PyTorch is silent about inf/nan: so is the forward
            try:
                result = _wrap(cls.forward(ctx, first._data, **params))
            finally:
                _quiet_off(token)
            if first._rg and STATE.enabled and cls.differentiable:
                ctx._record(inputs, result)
            return result
        if len(inputs) == 2:  # binary ops, spelled out
            b = inputs[1]
            if b is not None and type(b._data) is not type(first._data):
                inputs = _same_device(inputs)
                first, b = inputs
                ctx.xp = first._backend()
            token = _quiet_on(_QUIET)
            try:
                result = _wrap(cls.forward(ctx, first._data, None if b is None else b._data,
                                           **params))
            finally:
                _quiet_off(token)
            if (first._rg or b is not None and b._rg) and STATE.enabled and cls.differentiable:
                ctx._record(inputs, result)
            return result
        kind = type(first._data)
        for t in inputs:
            if t is not None and type(t._data) is not kind:  # another device: check, or raise
                inputs = _same_device(inputs)
                ctx.xp = inputs[0]._backend()
                break
        token = _quiet_on(_QUIET)
        try:
            result = _wrap(cls.forward(ctx, *[None if t is None else t._data for t in inputs],
                                       **params))
        finally:
            _quiet_off(token)
        if STATE.enabled and cls.differentiable:
            for t in inputs:
                if t is not None and t._rg:
                    ctx._record(inputs, result)
                    break
        return result

    def _record(self, inputs, result):
        """Make this ctx the output's ``grad_fn``: edges to the inputs, metadata, saved tensors."""
        if len(inputs) == 1:  # the common unary case, spelled out (apply checked requires_grad)
            t = inputs[0]
            data = t._data
            fn = t.grad_fn
            self.next_functions = ((fn, t._output_nr) if fn is not None and t._base is None
                                   else edge_of(t),)
            self.needs_input_grad = needs = _NEEDS_ONE
            self._in_meta = ((data.shape, data.dtype),)
        elif len(inputs) == 2 and inputs[0] is not None and inputs[1] is not None:
            a, b = inputs
            da, db = a._data, b._data
            ea = eb = _NO_EDGE
            if a._rg:
                fn = a.grad_fn
                ea = (fn, a._output_nr) if fn is not None and a._base is None else edge_of(a)
            if b._rg:
                fn = b.grad_fn
                eb = (fn, b._output_nr) if fn is not None and b._base is None else edge_of(b)
            self.next_functions = (ea, eb)
            self.needs_input_grad = needs = _NEEDS_TWO[a._rg][b._rg]  # shared, not allocated
            self._in_meta = ((da.shape, da.dtype), (db.shape, db.dtype))
        else:
            edges = []
            needs = []
            meta = []
            for t in inputs:
                if t is None:
                    edges.append(_NO_EDGE)
                    needs.append(False)
                    meta.append(None)
                    continue
                data = t._data
                meta.append((data.shape, data.dtype))
                if not t._rg:
                    edges.append(_NO_EDGE)
                    needs.append(False)
                    continue
                needs.append(True)
                fn = t.grad_fn
                edges.append((fn, t._output_nr) if fn is not None and t._base is None
                             else edge_of(t))
            self.next_functions = tuple(edges)
            self.needs_input_grad = needs = tuple(needs)
            self._in_meta = tuple(meta)
        save = self.save
        if not save:
            self._saved = None
        elif save == _SAVE_AB:  # binary ops (mul, div, pow...), spelled out
            a = inputs[0]
            b = inputs[1]
            cond = self.save_if
            keep_a = a is not None and (cond is None or cond[0] is None or needs[cond[0]])
            keep_b = b is not None and (cond is None or cond[1] is None or needs[cond[1]])
            self._saved = (a if keep_a else None, b if keep_b else None)
            self._saved_versions = (a._version[0] if keep_a else None,
                                    b._version[0] if keep_b else None)
        elif len(save) == 1 and self.save_if is None:
            t = result if save[0] == "out" else inputs[save[0]]
            self._saved = (t,)
            self._saved_versions = (None if t is None else t._version[0],)
        else:
            saved = []
            versions = []
            cond = self.save_if
            for k, i in enumerate(save):
                t = result if i == "out" else inputs[i]
                if t is None or (cond is not None and cond[k] is not None and not needs[cond[k]]):
                    saved.append(None)
                    versions.append(None)
                else:
                    saved.append(t)
                    versions.append(t._version[0])
            self._saved = tuple(saved)
            self._saved_versions = tuple(versions)
        result._rg = True
        result.grad_fn = self
        if STATE.anomaly:
            import traceback
            self._anomaly_trace = "".join(traceback.format_stack()[:-3])

    @staticmethod
    def forward(ctx, *arrays, **params):
        raise NotImplementedError
