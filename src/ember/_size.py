"""``ember.Size``: the shape of a tensor, a tuple subclass like ``torch.Size``."""
import math

__all__ = ["Size"]


class Size(tuple):
    """A tensor's shape; a tuple of ints with ``numel()``."""
    __slots__ = ()

    def __new__(cls, iterable=()):
        return tuple.__new__(cls, (int(s) for s in iterable))

    def numel(self):
        """Product of the sizes (number of elements of a tensor of this shape)."""
        return math.prod(self)

    def __repr__(self):
        return f"torch.Size([{', '.join(map(str, self))}])"

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __reduce__(self):
        return (Size, (tuple(self),))
