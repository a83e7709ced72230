"""Gradients of broadcasting, shared by the engine and the ops.

The engine sums each gradient back to its input's shape with ``sum_to`` (so an op's backward may
return a broadcast gradient); ops whose backward broadcasts on purpose (``expand``, setitem of a
broadcast value) call it themselves.
"""

__all__ = ["sum_to"]


def sum_to(grad, shape):
    """Sum ``grad`` over the dimensions broadcasting added or stretched, so that it has ``shape``
    (the reverse of broadcasting ``shape`` to ``grad``'s shape)."""
    gshape = grad._data.shape
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    dims = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape)
                                      if n == 1 and gshape[i + lead] != 1)
    if dims:
        grad = grad.sum(dims, keepdim=True)
    if lead:
        grad = grad.reshape(shape)
    elif grad._data.shape != shape:
        grad = grad.expand(shape)
    return grad
