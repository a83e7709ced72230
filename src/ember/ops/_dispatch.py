"""The one fast path of the binary ops: operands that need no promotion.

Every binary op (``add``...``xlogy``, and the operators bound to them) first calls
``fast_binary``. When both operands are same-dtype float tensors on one device (or a float
tensor of 32/64 bits and a Python number), there is no promotion, refusal or cast to work out:

* nothing to record: the backend computes ``raw(a, b)`` on the arrays (one NumPy/CuPy call,
  one Tensor object), for ops that give one (``operator.add``...);
* otherwise ``op.apply(a, b)`` (``Op.apply`` runs the forward and records the node).

``fast_inplace`` is the same for the in-place twins ``add_``/``sub_``/``mul_``/``div_`` (what
the optimizers call): with nothing to record, the backend's ufunc writes into ``self``.

A float tensor times a bool tensor (the mask of ReLU's backward) takes the no-record branch too,
for ops that declare ``bool_mask`` (Mul). Anything else returns ``None`` and the op takes its
general path (``binary._binary``:
PyTorch's promotion, refusals, half-precision opmath, ``out=``), which ends in ``op.apply`` too.

``records`` and ``on_arrays`` are the one place that decides when an op computes on arrays
alone: ``records(*inputs)`` in a forward (nothing to record), ``on_arrays(g, *saved)`` in a
backward (no graph of the gradient to build).
"""
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE
from .._backend.quiet import redo_quietly
from .._backend.inplace import binary_ufunc_
from ._dims import check_broadcast
from ._inplace import inplace_method

_INT_LO, _INT_HI = -(1 << 63), (1 << 64) - 1  # the Python ints PyTorch reads as a Scalar


def fast_binary(op, raw, a, b):
    """``a <op> b`` without promotion, or ``None`` when the general path is needed.

    ``raw(x, y)`` computes the op on backend arrays (``None``: always go through
    ``op.apply``). A shape mismatch raises PyTorch's broadcast RuntimeError."""
    if type(a) is not Tensor:
        return None
    da = a._data
    tb = type(b)
    if tb is Tensor:
        db = b._data
        if da.dtype is not db.dtype or da.dtype.kind != "f" or type(da) is not type(db):
            if (raw is not None and db.dtype.kind == "b" and da.dtype.kind == "f"
                    and type(da) is type(db) and getattr(op, "bool_mask", False)
                    and not (a._rg and STATE.enabled)):
                return _raw(raw, a, b, da, db)  # float * bool mask: a's dtype (ReLU backward)
            return None
        record = (a._rg or b._rg) and STATE.enabled
    elif tb is float or tb is int:
        if da.dtype.kind != "f" or da.dtype.itemsize <= 2:  # halves: float32 opmath, general
            return None
        if tb is int and not _INT_LO <= b <= _INT_HI:  # past 64 bits: the general OverflowError
            return None
        record = a._rg and STATE.enabled
        if record or raw is None:
            b = _wrap(a._backend().asarray(b, dtype=da.dtype))
        db = b
    else:
        return None
    if record or raw is None:
        try:
            return op.apply(a, b)
        except ValueError:
            check_broadcast(a, b)
            raise
    try:  # inline (not _raw): one call less on the hottest path
        return _wrap(raw(da, db))
    except ValueError:
        check_broadcast(a, b)
        raise
    except RuntimeWarning:  # the user's filters made it an error: redo it quietly
        return _wrap(redo_quietly(raw, da, db))


def _raw(raw, a, b, da, db):
    """``raw(da, db)`` wrapped, with fast_binary's error handling (the bool-mask branch)."""
    try:
        return _wrap(raw(da, db))
    except ValueError:
        check_broadcast(a, b)
        raise
    except RuntimeWarning:  # the user's filters made it an error: redo it quietly
        return _wrap(redo_quietly(raw, da, db))


def fast_inplace(ufunc_name):
    """A maker for ``add_``/``sub_``/``mul_``/``div_``: the backend's unrecorded ufunc writing
    into ``self`` when autograd is not recording, else ``inplace_method``."""
    def maker(fn, name):
        slow = inplace_method(fn, name)

        def method(self, other, *args, **kwargs):
            if not args and not kwargs and not (
                    STATE.enabled and (self._rg or (isinstance(other, Tensor) and other._rg))) \
                    and binary_ufunc_(self, ufunc_name, other):
                return self
            return slow(self, other, *args, **kwargs)
        method.__name__ = method.__qualname__ = name
        method.__doc__ = f"In-place version of ``{name[:-1]}``."
        return method
    return maker


def records(*inputs):
    """True when an op applied now to ``inputs`` records a graph node: grad mode is on and some
    input requires grad (``None`` entries are skipped). The forward-side question: with nothing
    to record, an op may compute on the arrays alone (max pooling without its indices, a fused
    loss whose target and weights are constants, ``cummax``'s values)."""
    if not STATE.enabled:
        return False
    for t in inputs:
        if t is not None and t._rg:
            return True
    return False


def on_arrays(g=None, *saved):
    """True when a backward rule may compute on the backend arrays instead of tensor ops: a
    plain ``backward()`` (no graph of the gradient is being built). With a gradient ``g``, also
    a real float one whose dtype every saved tensor shares (``None`` entries are skipped), for
    rules that run the same formula on arrays (Mul, tanh, sigmoid, relu); without one, for the
    fat ops (conv, pooling, norms, losses, recurrences) whose array backward casts its results
    itself. Under ``create_graph=True`` the rules use tensor ops, so higher derivatives stay
    exact; tests check both give the same bits."""
    if STATE.enabled:
        return False
    if g is None:
        return True
    dt = g._data.dtype
    if dt.kind != "f":
        return False
    for t in saved:
        if t is not None and t._data.dtype is not dt:
            return False
    return True
