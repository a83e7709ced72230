"""MultiOp: the base of ops with several outputs (factorizations, the fused LSTM cell): one
gradient per output, zeros for unused ones."""

from .._tensor import _wrap
from ._dispatch import records
from ..autograd.node import Op, edge_of, _same_device

__all__ = []


class MultiOp(Op):
    """Base of ops with several outputs: ``forward`` returns a tuple of arrays and ``backward``
    receives one gradient per output. ``save`` may name inputs (ints) and outputs ("out0" ...).
    Inputs after the first may be None (optional operands: no edge, no gradient)."""

    @classmethod
    def apply(cls, *inputs, **params):
        ctx = cls.__new__(cls)
        ctx.xp = inputs[0]._backend()
        if len({type(t._data) for t in inputs if t is not None}) > 1:
            inputs = _same_device(inputs)
            ctx.xp = inputs[0]._backend()
        outs = tuple(_wrap(o) for o in cls.forward(
            ctx, *[None if t is None else t._data for t in inputs], **params))
        if records(*inputs):
            ctx._init_node()
            ctx.next_functions = tuple(_NO_EDGE if t is None else edge_of(t) for t in inputs)
            ctx.needs_input_grad = tuple(t is not None and t._rg for t in inputs)
            ctx._in_meta = tuple(None if t is None else (t._data.shape, t._data.dtype)
                                 for t in inputs)
            ctx._out_meta = tuple((tuple(o.shape), o.dtype, o.device) for o in outs)
            ctx._n_outputs = len(outs)
            saved = tuple(outs[int(i[3:])] if isinstance(i, str) else inputs[i] for i in cls.save)
            ctx._saved = saved
            ctx._saved_versions = tuple(None if t is None else t._version[0] for t in saved)
            for i, o in enumerate(outs):
                if o.dtype.is_floating_point or o.dtype.is_complex:
                    o._rg = True
                    o.grad_fn = ctx
                    o._output_nr = i
        return outs


_NO_EDGE = (None, 0)
