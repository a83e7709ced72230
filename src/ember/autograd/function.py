"""User-defined differentiable functions: ``ember.autograd.Function`` (PyTorch's API)."""
import functools
import warnings

from .grad_mode import STATE, no_grad
from .node import Node, edge_of
from .._tensor import Tensor, _wrap

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx(Node):
    """The ``ctx`` passed to a custom Function's forward and backward; also its graph node."""

    def __init__(self):
        self._init_node()
        self._non_differentiable = ()
        self._dirty = ()

    def mark_non_differentiable(self, *tensors):
        """Outputs that get no gradient (they are returned with requires_grad=False)."""
        self._non_differentiable = tensors

    def mark_dirty(self, *tensors):
        """Inputs modified in place by forward."""
        self._dirty = tensors

    def set_materialize_grads(self, value):
        """Whether None output grads are replaced by zeros before backward (default True)."""
        self.materialize_grads = bool(value)


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        backward_cls = type(name + "Backward", (FunctionCtx,), {
            "_function": cls, "_name": name + "Backward",
            "backward": lambda self, *grads: cls.backward(self, *grads)})
        cls._backward_cls = backward_cls


class Function(metaclass=_FunctionMeta):
    """Base class for custom autograd functions.

    Subclass it with static ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)`` and
    call ``MyFunction.apply(*args)``; ``backward`` returns one gradient per forward input.
    """

    def __init__(self, *args, **kwargs):
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions "
                      "are all static, so you should invoke them on the class itself.",
                      DeprecationWarning, stacklevel=2)

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def setup_context(ctx, inputs, output):
        pass

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls._backward_cls()
        tensor_args = [a for a in args if isinstance(a, Tensor)]
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._rg for a in args)
        with no_grad():
            if _uses_setup_context(cls):
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        record = STATE.enabled and any(t._rg for t in tensor_args)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        if record:
            ctx.next_functions = tuple(edge_of(a) if isinstance(a, Tensor) else (None, 0)
                                       for a in args)
            ctx._in_meta = tuple((a._data.shape, a._data.dtype) if isinstance(a, Tensor) else None
                                 for a in args)
            ctx._out_meta = tuple((tuple(o.shape), o.dtype, o.device) if isinstance(o, Tensor)
                                  else None for o in outs)
            ctx._n_outputs = len(outs)
            ids_in = {id(a) for a in tensor_args}
            new_outs = []
            for i, o in enumerate(outs):
                if not isinstance(o, Tensor):
                    new_outs.append(o)
                    continue
                if any(o is n for n in ctx._non_differentiable):
                    new_outs.append(o)
                    continue
                if id(o) in ids_in and not any(o is d for d in ctx._dirty):
                    o = o.view_as(o)  # an input returned as is becomes a view of it
                    o = _wrap(o._data)
                if not (o.dtype.is_floating_point or o.dtype.is_complex):
                    new_outs.append(o)
                    continue
                o._rg = True
                o.grad_fn = ctx
                o._output_nr = i
                new_outs.append(o)
            outs = tuple(new_outs)
        return outs[0] if single else outs


def _uses_setup_context(cls):
    return cls.setup_context is not Function.setup_context


def once_differentiable(fn):
    """Decorator for backward: run it without recording, so it can't be differentiated again."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            outputs = fn(ctx, *args)
        if not STATE.enabled:
            return outputs
        return outputs
    return wrapper


class InplaceFunction(Function):
    pass


class NestedIOFunction(Function):
    pass
