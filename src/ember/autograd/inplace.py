"""Autograd history for in-place ops: rebasing, and writes through views (CopySlices)."""
from .._tensor import _wrap
from .node import Node, edge_of

__all__ = ["history_alias", "rebase_history"]


def history_alias(t):
    """A tensor with ``t``'s current values (copied) and ``t``'s place in the graph."""
    alias = _wrap(t._data.copy())
    alias._rg = t._rg
    alias.grad_fn = t.grad_fn
    alias._output_nr = t._output_nr
    if t.grad_fn is None:
        alias._accumulator = edge_of(t)[0]
    return alias


def view_geometry(view):
    """(shape, strides, offset) of ``view`` in elements, relative to its base's storage."""
    base = view._base
    if not base._data.flags.c_contiguous:
        raise NotImplementedError("in-place op on a view of a non-contiguous base tensor that "
                                  "requires grad is not supported; call .contiguous() on the base")
    return view.shape, view.stride(), view.storage_offset()


def rebase_history(t, result):
    """After writing ``result`` into ``t`` in place, make ``t``'s history the result's."""
    base = t._base
    if base is None:
        t.grad_fn = result.grad_fn
        t._output_nr = result._output_nr
        t._rg = True
        return
    shape, stride, offset = view_geometry(t)
    node = CopySlices()
    node._init_node()
    node.next_functions = (edge_of(base), edge_of(result))
    node.needs_input_grad = (base._rg, True)
    node._in_meta = ((base._data.shape, base._data.dtype), (result._data.shape, result._data.dtype))
    node.geometry = (tuple(shape), tuple(stride), offset)
    base.grad_fn = node
    base._output_nr = 0
    base._rg = True
    from ..ops.shape import as_strided
    regen = as_strided(base, shape, stride, offset)
    t.grad_fn = regen.grad_fn
    t._output_nr = 0
    t._rg = True


class CopySlices(Node):
    """Backward of writing into a view of a base: the region's gradient goes to the new values."""
    _name = "CopySlices"

    def backward(self, grad):
        from ..ops.shape import as_strided
        shape, stride, offset = self.geometry
        grad_base = grad.clone()
        region = as_strided(grad_base, shape, stride, offset)
        grad_result = region.clone()
        region._data[...] = 0
        return grad_base, grad_result
