"""``torch.reshape``/``permute``/``tile``/``flip`` take the shape or dims as one argument;
only the ``Tensor`` methods also accept them as varargs (``x.reshape(2, 3)``). These are the
namespace's forms: ``ember.reshape(x, 2, 3)`` raises PyTorch's TypeError."""
from . import joining as _joining, shape as _shape

__all__ = ["reshape", "permute", "tile", "flip"]


def reshape(input, shape):
    """A tensor with ``input``'s elements and ``shape`` (a view when strides allow)
    (``torch.reshape``)."""
    return _shape.reshape(input, shape)


def permute(input, dims):
    """A view of ``input`` with its dimensions reordered by ``dims`` (``torch.permute``)."""
    return _shape.permute(input, dims)


def tile(input, dims):
    """``input`` repeated ``dims`` times along each dimension, ones padded on the left
    (``torch.tile``)."""
    return _joining.tile(input, dims)


def flip(input, dims):
    """A copy of ``input`` with the order of elements reversed along ``dims``
    (``torch.flip``)."""
    return _joining.flip(input, dims)
