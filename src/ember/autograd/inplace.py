"""Autograd history for in-place ops: rebasing, writes through views (CopySlices), stale views.

A view and its base share one version counter. When either is written in place:

* the written tensor's history becomes the result's (``rebase_history``);
* if it is a view of a tensor in the graph, the base gets a ``CopySlices`` node: the region's
  gradient goes to the new values, the rest to the base's old history;
* any view whose ``grad_fn`` predates the write is re-derived from its base's new history
  when it is next used (``refresh_view``, called by ``node.edge_of``).

The view's place in its base is kept as flat (row-major) element indices into the base, so
any strided view of any base layout works.
"""
from .._tensor import _wrap, _ptr as ptr
from .grad_mode import STATE
from .node import Node, Op, edge_of, AccumulateGrad

__all__ = ["history_alias", "rebase_history", "refresh_view", "check_leaf_write",
           "mark_multi_view", "copy_source"]


def history_alias(t):
    """A tensor with ``t``'s current values (copied) and ``t``'s place in the graph."""
    alias = _wrap(t._data.copy())
    fn, nr = edge_of(t)
    alias._rg = t._rg
    if type(fn) is _accumulate_type():
        alias._accumulator = fn
    else:
        alias.grad_fn = fn
        alias._output_nr = nr
    return alias


def _accumulate_type():
    return AccumulateGrad


def view_indices(view):
    """Flat row-major indices into ``view._base`` of each element of ``view`` (view's shape)."""
    base = view._base
    b, v = base._data, view._data
    xp = base._backend()
    item = b.dtype.itemsize
    if v.dtype.itemsize != item:
        raise NotImplementedError("autograd through an in-place write into a view with a "
                                  "different element size (view(dtype)) is not supported")
    # An int64 map laid out exactly like the base, holding each element's row-major index.
    strides = [s // item for s in b.strides]
    lo = sum((n - 1) * s for n, s in zip(b.shape, strides) if s < 0 and n > 0)
    hi = sum((n - 1) * s for n, s in zip(b.shape, strides) if s > 0 and n > 0)
    span = hi - lo + 1 if b.size else 1
    buf = xp.full(span, -1, dtype=xp.int64)
    as_strided = xp.lib.stride_tricks.as_strided
    pos = as_strided(buf[-lo:], b.shape, tuple(s * 8 for s in strides))
    pos[...] = xp.arange(b.size, dtype=xp.int64).reshape(b.shape)
    off = (_ptr(v) - _ptr(b)) // item
    vstrides = tuple(s // item * 8 for s in v.strides)
    idx = as_strided(buf[off - lo:], v.shape, vstrides).copy()
    if idx.size and int(idx.min()) < 0:
        raise NotImplementedError("in-place write into a view that is not inside its base's "
                                  "elements is not supported by autograd")
    return idx


def _ptr(arr):
    return ptr(arr)


def check_leaf_write(t):
    """PyTorch's error for an in-place write, while recording, into a leaf that requires grad."""
    base = t._base
    if t.grad_fn is None and t._rg and base is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    if base is not None and base._rg and base.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    if base is not None and getattr(t.grad_fn, "_multi_out", None) is not None:
        raise RuntimeError(_multi_view_msg(t.grad_fn, "is being modified inplace"))


_MULTI_MSG = ("Output {} of {} is a view and {}. This view is the output of a function that "
              "returns multiple views. Such functions do not allow the output views to be "
              "modified inplace. You should replace the inplace operation by an out-of-place one.")


def _multi_view_msg(fn, what):
    """PyTorch's error for an in-place write touching an output of split/chunk/unbind."""
    return _MULTI_MSG.format(fn._multi_out, fn.name().rpartition("Backward")[0], what)


def mark_multi_view(view, index):
    """Mark ``view`` as output ``index`` of a function returning several views (split, unbind):
    PyTorch refuses in-place writes into it, or into its base while it is alive and used."""
    fn = view.grad_fn
    if fn is not None:
        fn._multi_out = index
    return view


def rebase_history(t, result):
    """After writing ``result`` into ``t`` in place, make ``t``'s history the result's."""
    base = t._base
    if not result._rg:
        result = _overwritten(t, result)
    if base is None:
        t.grad_fn = result.grad_fn
        t._output_nr = result._output_nr
        t._rg = True
        return
    idx = view_indices(t)
    node = CopySlices()
    node._init_node()
    node.next_functions = (edge_of(base), edge_of(result))
    node.needs_input_grad = (base._rg, True)
    node._in_meta = ((base._data.shape, base._data.dtype), (result._data.shape, result._data.dtype))
    node.idx = idx
    base.grad_fn = node
    base._output_nr = 0
    base._rg = True
    _set_view_history(t, base, idx)


def _set_view_history(t, base, idx):
    regen = TakeFlat.apply(base, idx=idx)
    fn = regen.grad_fn
    fn._view_version = t._version[0]
    t.grad_fn = fn
    t._output_nr = 0
    t._rg = True


def refresh_view(t):
    """Re-derive a view's ``grad_fn`` from its base's current history (after in-place writes)."""
    base = t._base
    if not base._rg:
        return
    if getattr(t.grad_fn, "_multi_out", None) is not None:
        raise RuntimeError(_multi_view_msg(
            t.grad_fn, "its base or another view of its base has been modified inplace"))
    prev = STATE.enabled
    STATE.enabled = True
    try:
        _set_view_history(t, base, view_indices(t))
    finally:
        STATE.enabled = prev


def _overwritten(t, result):
    """``result`` (which needs no grad) as a tensor whose history sends zeros to ``t``'s old one."""
    node = CopyBackwards()
    node._init_node()
    node.next_functions = (edge_of(t),)
    node.needs_input_grad = (True,)
    node._in_meta = ((t._data.shape, t._data.dtype),)
    out = _wrap(result._data)
    out._rg = True
    out.grad_fn = node
    return out


def copy_source(t, value):
    """For ``t.copy_(value)`` with ``value`` needing grad: ``value``'s data as a tensor whose
    node sends the gradient to ``value`` and zeros to ``t``'s old history (PyTorch's)."""
    node = CopyBackwards()
    node._init_node()
    node.next_functions = (edge_of(t), edge_of(value))
    node.needs_input_grad = (t._rg, True)
    node._in_meta = ((t._data.shape, t._data.dtype), (value._data.shape, value._data.dtype))
    out = _wrap(value._data)
    out._rg = True
    out.grad_fn = node
    return out


class CopyBackwards(Node):
    """Backward of overwriting a tensor in place: zeros to its old values and, when the new
    values need grad (``copy_``), the gradient to them."""
    _name = "CopyBackwards"

    def backward(self, grad):
        if len(self._in_meta) == 1:
            return grad.new_zeros(self._in_meta[0][0])
        zeros = grad.new_zeros(self._in_meta[0][0]) if self.needs_input_grad[0] else None
        return zeros, grad


class CopySlices(Node):
    """Backward of writing into a view of a base: the region's gradient goes to the new values."""
    _name = "CopySlices"

    def backward(self, grad):
        xp = grad._backend()
        mask = xp.zeros(grad._data.size, dtype=bool)
        mask[self.idx.reshape(-1)] = True
        grad_base = grad.masked_fill(_wrap(mask.reshape(grad._data.shape)), 0)
        return grad_base, TakeFlat.apply(grad, idx=self.idx)


class TakeFlat(Op):
    """``x.reshape(-1)[idx]``: the elements of a view, read through its base (AsStrided)."""
    _name = "AsStridedBackward0"

    def forward(ctx, x, idx):
        ctx.idx = idx
        ctx.shape = x.shape
        return x.reshape(-1)[idx]

    def backward(ctx, g):
        return PutFlat.apply(g, idx=ctx.idx, shape=ctx.shape)


class PutFlat(Op):
    """Zeros of ``shape`` with ``g`` added at flat indices ``idx`` (the gradient of TakeFlat)."""
    _name = "AsStridedScatterBackward0"

    def forward(ctx, g, idx, shape):
        ctx.idx = idx
        out = ctx.xp.zeros(shape, dtype=g.dtype)
        ctx.xp.add.at(out.reshape(-1), idx.reshape(-1), g.reshape(-1))
        return out

    def backward(ctx, gg):
        return TakeFlat.apply(gg, idx=ctx.idx)
