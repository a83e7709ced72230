"""Graph nodes (``grad_fn``) and ``Op``, the base class of every built-in differentiable op.

An ``Op`` subclass holds one op's forward (on backend arrays) and its backward (on Ember
tensors, so gradients are differentiable again) side by side. ``Op.apply`` runs the forward
and, when some input requires grad, records the op as a node of the graph.
"""
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
    """A backward function in the graph, as ``tensor.grad_fn``; also the ``ctx`` of its op."""
    __slots__ = ("next_functions", "needs_input_grad", "_saved", "_saved_versions", "_in_meta",
                 "_pre_hooks", "_hooks", "_tensor_pre_hooks", "_retain_hooks", "_freed",
                 "_anomaly_trace", "__dict__", "__weakref__")
    _name = None
    materialize_grads = True
    _view_version = None  # for a view op's node: the version its view was made at

    def _init_node(self):
        self.next_functions = ()
        self.needs_input_grad = ()
        self._saved = None
        self._saved_versions = None
        self._in_meta = ()
        self._pre_hooks = None
        self._hooks = None
        self._tensor_pre_hooks = None
        self._retain_hooks = None
        self._freed = False
        self._anomaly_trace = None

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
        origin = self if i < len(save) and save[i] == "out" else t.grad_fn
        which = f", which is output {t._output_nr} of {_short_name(origin)}," if origin else ""
        return ("one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [{_type_name(t)} [{shape}]]{which} is at version "
                f"{t._version[0]}; expected version {v} instead. It was saved for backward by "
                f"{self.name()} (input or output {i} of its saved tensors). Hint: enable anomaly "
                "detection to find the operation that failed to compute its gradient, with "
                "torch.autograd.set_detect_anomaly(True, check_nan=False).")

    def _release(self):
        self._saved = None
        self._freed = True
        d = self.__dict__
        for k in [k for k, v in d.items() if _is_tensor(v)]:
            del d[k]

    # ---- hooks ---------------------------------------------------------------------------
    def register_hook(self, hook):
        """hook(grad_inputs, grad_outputs) -> None or new grad_inputs, run after this node."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _RemovableHandle(self._hooks, hook)

    def register_prehook(self, hook):
        """hook(grad_outputs) -> None or new grad_outputs, run before this node."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(hook)
        return _RemovableHandle(self._pre_hooks, hook)

    def _add_tensor_pre_hook(self, output_nr, hook, retain=False):
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


def _is_tensor(v):
    from .._tensor import Tensor
    return isinstance(v, Tensor)


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


def edge_of(t):
    """The (node, output_nr) that a gradient for tensor ``t`` flows into."""
    if not t._rg:
        return (None, 0)
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
        from .._tensor import _wrap
        ctx = cls.__new__(cls)
        first = inputs[0]
        ctx.xp = first._backend()
        out = cls.forward(ctx, *[None if t is None else t._data for t in inputs], **params)
        result = _wrap(out)
        if STATE.enabled and cls.differentiable:
            for t in inputs:
                if t is not None and t._rg:
                    ctx._record(inputs, result)
                    break
        return result

    def _record(self, inputs, result):
        self._init_node()
        self.next_functions = tuple((None, 0) if t is None else edge_of(t) for t in inputs)
        self.needs_input_grad = tuple(t is not None and t._rg for t in inputs)
        self._in_meta = tuple(None if t is None else (t._data.shape, t._data.dtype) for t in inputs)
        if self.save:
            saved = tuple(result if i == "out" else inputs[i] for i in self.save)
            if self.save_if is not None:
                need = self.needs_input_grad
                saved = tuple(None if c is not None and not need[c] else t
                              for t, c in zip(saved, self.save_if))
            self._saved = saved
            self._saved_versions = tuple(None if t is None else t._version[0] for t in saved)
        result._rg = True
        result.grad_fn = self
        if STATE.anomaly:
            import traceback
            self._anomaly_trace = "".join(traceback.format_stack()[:-3])

    @staticmethod
    def forward(ctx, *arrays, **params):
        raise NotImplementedError
