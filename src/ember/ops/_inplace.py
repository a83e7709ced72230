"""Writing results in place and into out=: dtype and leaf checks, version bumps and autograd
rebasing."""
from .. import _backend as B
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE
from ._operands import dtype_of
from ..autograd.inplace import rebase_history, check_leaf_write, history_alias


def check_inplace(self, result):
    """PyTorch's checks before writing ``result`` into ``self`` in place."""
    check_writable(self)
    rd, sd = dtype_of(result), dtype_of(self)
    if rd is not sd and rd._category > sd._category:
        raise RuntimeError(f"result type {_cap(rd)} can't be cast to the desired output type "
                           f"{_cap(sd)}")
    if result._data.shape != self._data.shape:
        raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                           f"broadcast shape {list(B.broadcast_shapes(self._data.shape, result._data.shape))}")


def check_writable(t):
    """In-place writes into expanded (overlapping) views raise PyTorch's RuntimeError.

    Like PyTorch, only a stride-0 dim of size > 1 counts as overlap; other views of an
    expanded array (NumPy marks them all read-only) are made writable.
    """
    arr = t._data
    host = type(arr) is B.HOST_ARRAY
    if (0 not in arr.strides and (not host or arr.flags.writeable)) or not arr.size:
        return
    if not any(s == 0 and n > 1 for s, n in zip(arr.strides, arr.shape)):
        if host and not arr.flags.writeable:  # CuPy arrays are always writable
            t._data = B.make_writable(arr)
        return
    raise RuntimeError("unsupported operation: more than one element of the written-to tensor "
                           "refers to a single memory location. Please clone() the tensor before "
                           "performing the operation.")


def _cap(dt):
    names = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
             "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
             "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
    return names[dt.name]


def check_leaf_inplace(self):
    if self._rg and self.grad_fn is None and STATE.enabled:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")


def write_inplace(self, result):
    """Write ``result`` into ``self``'s storage, bump the version and take over its history.

    Used by every in-place op: compute out of place, then copy in. ``self`` keeps its
    identity and storage (views see the change); its ``grad_fn`` becomes the result's.
    """
    check_inplace(self, result)
    record = (result._rg or self._rg) and STATE.enabled
    if record:
        check_leaf_write(self)  # before writing: a refused write leaves the data unchanged
    xp = self._backend()
    xp.copyto(self._data, result._data, casting="unsafe")
    B.bump_version(self)
    if record:
        rebase_history(self, result)
    return self


def snapshot_for_inplace(self):
    """Before an in-place op on a tensor in the graph: a stand-in holding its old values.

    The out-of-place computation uses the stand-in, so a backward that needs the old values
    reads an unmodified copy, and the gradient still flows to ``self``'s history.
    """
    if not (STATE.enabled and self._rg):
        return self
    check_leaf_inplace(self)
    return history_alias(self)


def handle_out(result, out):
    """Implement ``out=``: copy ``result`` into ``out`` (resizing it if needed) and return it."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if STATE.enabled and (result._rg or (out._rg and out.grad_fn is None)):
        raise RuntimeError("functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    rd, od = dtype_of(result), dtype_of(out)
    if rd is not od and rd._category > od._category:
        raise RuntimeError(f"result type {_cap(rd)} can't be cast to the desired output type "
                           f"{_cap(od)}")
    if out._data.shape != result._data.shape:
        out._data = out._backend().empty(result._data.shape, dtype=out._data.dtype)
    out._backend().copyto(out._data, result._data, casting="unsafe")
    B.bump_version(out)
    return out


# ---- in-place twins (``Tensor.<name>_``), made from the op's declaration -------------------
def inplace_method(fn, name):
    """``Tensor.<name>`` for an op ``fn``: compute ``fn(self, ...)`` out of place, then write it
    into ``self`` (``write_inplace``); when recording, the computation reads a stand-in holding
    ``self``'s old value and place in the graph."""
    def method(self, *args, **kwargs):
        recording = STATE.enabled and (self._rg or any(
            isinstance(a, Tensor) and a._rg for a in args + tuple(kwargs.values())))
        src = snapshot_for_inplace(self) if recording else self
        if recording and not self._rg:
            src = _wrap(self._data.copy())
        result = fn(src, *args, **kwargs)
        return write_inplace(self, result)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place version of ``{name[:-1]}``."
    return method


def inplace_view(fn, name):
    """``t_``/``squeeze_``/``transpose_``...: run the view op ``fn``, then re-point this tensor's
    own array at the view (same storage) and take over the view's node."""
    def method(self, *args, **kwargs):
        if STATE.enabled and self._rg:
            check_leaf_inplace(self)
        try:
            view = fn(self, *args, **kwargs)
        except RuntimeError as exc:
            msg = str(exc).replace(name[:-1] + "()", name + "()", 1)
            raise RuntimeError(msg) from None
        self._data = view._data
        B.bump_version(self)
        if STATE.enabled and self._rg and view.grad_fn is not None:
            node = self.grad_fn = view.grad_fn
            base = node.name().rstrip("0123456789")  # PyTorch numbers in-place twins apart
            node._name = base + str(int(node.name()[len(base):] or 0) + (3 if name == "squeeze_"
                                                                          else 1))
            self._output_nr = 0
            if hasattr(view.grad_fn, "_view_version"):
                view.grad_fn._view_version = self._version[0]
        return self
    method.__name__ = method.__qualname__ = name
    method.__doc__ = (f"In-place ``{name[:-1]}``: this tensor takes the view's shape and strides "
                      f"over its own storage (``Tensor.{name}``).")
    return method
