"""``put`` / ``put_`` (write ``source`` at flat indices of ``input``) and the argument checks
of ``index_put``. Both are compositions over ``IndexPut`` (ops/indexing.py), so their
gradients, double backward included, come from its derivative."""
from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ._operands import named
from ._inplace import _cap
from ._registry import register

__all__ = ["put"]


def check_index_put(input, indices, values, name="index_put"):
    """PyTorch's TypeError/RuntimeError/IndexError for bad ``index_put`` arguments."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"{name}(): argument 'indices' (position 1) must be tuple of Tensors, "
                        f"not {type(indices).__name__}")
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
        if t.dtype not in (D.int64, D.int32, D.uint8, D.bool_, D.int16, D.int8):
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if not isinstance(values, Tensor):
        raise TypeError(f"{name}(): argument 'values' (position 2) must be Tensor, not "
                        f"{type(values).__name__}")
    if values.dtype is not input.dtype:
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{_cap(input.dtype)} for the destination and {_cap(values.dtype)} "
                           "for the source.")


@register(inplace=True)
def put(input, index, source, accumulate=False):
    """A copy of ``input`` with ``source``'s elements written at the flat (row-major) positions
    ``index`` of ``input``, as if ``input`` were 1-D; negative indices count from the end and
    ``accumulate=True`` adds instead (``torch.put`` / ``Tensor.put``)."""
    from .indexing import _index_put  # lazy: ember.ops.indexing imports us
    if not isinstance(index, Tensor):
        raise TypeError(f"put(): argument 'index' (position 1) must be Tensor, not "
                        f"{type(index).__name__}")
    if not isinstance(source, Tensor):
        raise TypeError(f"put(): argument 'source' (position 2) must be Tensor, not "
                        f"{type(source).__name__}")
    if index.dtype is not D.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got "
                           f"{_cap(index.dtype)}")
    if source.dtype is not input.dtype:
        raise RuntimeError("put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {_cap(input.dtype)} and source.dtype = "
                           f"{_cap(source.dtype)}")
    if source.numel() != index.numel():
        raise IndexError("put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source.numel()}, "
                         f"index.numel() = {index.numel()}")
    n = input.numel()
    flat_index = index.reshape(-1)
    if flat_index.numel():
        idx = flat_index._data
        bad = (idx >= n) | (idx < -n)
        if bool(bad.any()):
            first = int(idx[bad.nonzero()[0][0]])
            raise IndexError(f"out of range: tried to access index {first} on a tensor of {n} "
                             "elements.")
    if input.dim() == 0:
        return named(_index_put(input, (), source.reshape(()), accumulate), "PutBackward0")
    xp = input._backend()
    key = tuple(_wrap(k) for k in xp.unravel_index(flat_index._data % max(n, 1), input.shape))
    out = _index_put(input, key, source.reshape(-1), accumulate)
    return named(out, "PutBackward0")
