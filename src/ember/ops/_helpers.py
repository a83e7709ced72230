"""Small helpers shared by the op modules: dims, operand conversion, promotion, in-place."""
from .. import _backend as B, _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE
from ..autograd.node import _same_device
from .._backend.quiet import quiet

_NP_TO_DTYPE = D._BY_NP


def wrap_dim(dim, ndim):
    """Turn a possibly negative ``dim`` into an index, raising PyTorch's IndexError (and its
    TypeError for a dim that is not an int)."""
    if type(dim) is not int:
        from .._checks import check_int
        dim = check_int("", dim, "dim")
    n = max(ndim, 1)
    if not -n <= dim < n:
        if not -(1 << 63) <= dim < (1 << 63):
            raise ValueError(f"Overflow when unpacking long long (dim={dim})")
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim if ndim else 0


def wrap_dims(dim, ndim):
    """Normalise ``dim`` (None, int, or sequence) to a sorted tuple of axes; None means all."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, B.INTEGER_TYPES):
        d = wrap_dim(int(dim), ndim)
        return (d,) if ndim else ()
    if isinstance(dim, (str, float)) or not hasattr(dim, "__iter__"):
        from .._checks import check_int_list
        check_int_list("", dim, "dim")
    dims = tuple(wrap_dim(d, ndim) for d in dim)
    if not ndim:
        return ()
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims} appears multiple times in the list of dims")
    return tuple(sorted(dims))


def broadcast_shapes_error(sa, sb):
    """PyTorch's RuntimeError for shapes ``sa`` and ``sb`` that do not broadcast (or None)."""
    n = max(len(sa), len(sb))
    for i in range(n - 1, -1, -1):
        da = sa[i - n + len(sa)] if i - n + len(sa) >= 0 else 1
        db = sb[i - n + len(sb)] if i - n + len(sb) >= 0 else 1
        if da != db and da != 1 and db != 1:
            return RuntimeError(f"The size of tensor a ({da}) must match the size of tensor b "
                                f"({db}) at non-singleton dimension {i}")
    return None


def check_broadcast(a, b):
    """Raise PyTorch's RuntimeError when tensors/scalars ``a`` and ``b`` do not broadcast."""
    sa = a._data.shape if isinstance(a, Tensor) else ()
    sb = b._data.shape if isinstance(b, Tensor) else ()
    err = broadcast_shapes_error(sa, sb)
    if err is not None:
        raise err


def dtype_of(x):
    return _NP_TO_DTYPE[x._data.dtype]


def is_scalar(x):
    return isinstance(x, B.SCALAR_TYPES) and not isinstance(x, Tensor)


@quiet  # a Python float that overflows the dtype becomes inf silently, as in PyTorch
def scalar_tensor(value, dtype, like):
    """A 0-d tensor holding Python scalar ``value`` with ``dtype`` on ``like``'s device."""
    xp = like._backend()
    if isinstance(value, B.HOST_SCALAR):
        value = value.item()
    if dtype._category < D._FLOAT and isinstance(value, float):
        value = int(value)
    if type(value) is int and dtype._category == D._INT:  # PyTorch's RuntimeError, not NumPy's
        from .._checks import check_fits
        value = check_fits(value, dtype)
    return _wrap(xp.asarray(value, dtype=dtype.np))


def to_tensor(x, like=None):
    """Accept a Tensor, Python scalar, list or array as a Tensor (no copy for Tensors)."""
    if isinstance(x, Tensor):
        return x
    from .creation import tensor
    dev = like.device if like is not None else None
    return tensor(x, device=dev)


def return_type(name, fields):
    """A named tuple printed like PyTorch's ``torch.return_types.<name>``."""
    from collections import namedtuple
    base = namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{name}(\n{body})"
    return type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__str__": __repr__})


def named(result, name):
    """Give the graph node just made for ``result`` PyTorch's name (``MeanBackward0``...), for
    ops written as compositions; only call it on a result this op created."""
    fn = result.grad_fn
    if fn is not None:
        fn._name = name
    return result


def as_operand(x):
    """A NumPy array operand becomes a tensor of its dtype (PyTorch accepts ``t + array``)."""
    return _wrap(x) if type(x) is B.HOST_ARRAY else x


def tensors_only(name, input, other, argname="other"):
    """PyTorch's TypeError for ops whose operands must both be tensors."""
    for pos, (x, n) in enumerate(((input, "input"), (other, argname)), 1):
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}(): argument '{n}' (position {pos}) must be Tensor, not "
                            f"{type(x).__name__}")


def check_same_device(*tensors):
    first = None
    for t in tensors:
        if isinstance(t, Tensor):
            d = t.is_cpu
            if first is None:
                first = (d, t)
            elif first[0] != d:
                raise RuntimeError("Expected all tensors to be on the same device, but found at "
                                   f"least two devices, {first[1].device} and {t.device}!")


def promote(*operands, compute_dtype=None):
    """Convert operands (Tensors or scalars) to Tensors of one dtype, PyTorch's promotion."""
    dt = compute_dtype or D.result_type(*operands)
    like = next(x for x in operands if isinstance(x, Tensor))
    out = []
    for x in operands:
        if isinstance(x, Tensor):
            if x._data.dtype != dt.np:
                x = x.to(dt)
            out.append(x)
        elif x is None:
            out.append(None)
        else:
            out.append(scalar_tensor(x, dt, like))
    if len(out) > 1:
        kind = type(like._data)
        for x in out:
            if x is not None and type(x._data) is not kind:
                out = list(_same_device(out))  # raises, or moves 0-d cpu tensors over
                break
    return out, dt


def float_dtype_for(dt):
    """Integer and bool inputs of float-only ops compute in the default float dtype."""
    return dt if dt._category >= D._FLOAT else D.get_default_dtype()


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


def dense_dim_order(shape, strides):
    """Dims from outermost to innermost, as PyTorch lays out a copy of a strided tensor.

    An insertion sort by stride that leaves size-1 and stride-0 dims where they are
    (PyTorch's ``infer_dense_strides``).
    """
    nd = len(shape)
    perm = list(range(nd - 1, -1, -1))  # innermost first
    for i in range(1, nd):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            a, b = perm[d0], perm[d1]
            if shape[a] == 1 or shape[b] == 1 or strides[a] == strides[b] or not strides[a] \
                    or not strides[b]:
                continue
            if strides[a] < strides[b]:
                break
            perm[d0], perm[d1] = b, a
            d1 = d0
    return perm[::-1]


def empty_like_layout(xp, arr, dtype=None):
    """An uninitialised array shaped like ``arr``, laid out like PyTorch's preserve_format."""
    dtype = arr.dtype if dtype is None else dtype
    if arr.flags.c_contiguous:
        return xp.empty(arr.shape, dtype=dtype)
    order = dense_dim_order(arr.shape, arr.strides)
    inverse = [0] * len(order)
    for i, d in enumerate(order):
        inverse[d] = i
    return xp.empty(tuple(arr.shape[d] for d in order), dtype=dtype).transpose(inverse)


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
        from ..autograd.inplace import rebase_history, check_leaf_write
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
    from ..autograd.inplace import history_alias
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
