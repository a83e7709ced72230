"""nn.Parameter and nn.Buffer: tensors that a Module registers when they are assigned to it."""
from .._tensor import Tensor, _init
from ..ops.creation import empty
from .._tensor_pickle import reduce_tensor, register_rebuild

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer",
           "is_lazy"]


def _alias(cls, data, requires_grad):
    """A ``cls`` instance sharing ``data``'s array and version counter (a leaf)."""
    if data is None:
        data = empty(0)
    if not isinstance(data, Tensor):
        raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
    t = object.__new__(cls)
    _init(t, data._data)
    t._version = data._version
    if requires_grad:
        t.requires_grad = True
    return t


class Parameter(Tensor):
    """PyTorch's ``nn.Parameter``: a leaf Tensor (requires_grad=True by default) that a Module
    lists in ``parameters()`` when assigned as an attribute. Shares ``data``'s memory."""
    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        return _alias(cls, data, requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, proto):
        return reduce_tensor(self, proto)


register_rebuild("Parameter", lambda t, requires_grad: Parameter(t, requires_grad))


class Buffer(Tensor):
    """PyTorch's ``nn.Buffer``: marks a tensor to be registered as a buffer when assigned to a
    Module attribute (``persistent=False`` keeps it out of ``state_dict``)."""
    __slots__ = ("persistent",)

    def __new__(cls, data=None, *, persistent=True):
        t = _alias(cls, data, False)
        t.persistent = persistent
        return t


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (used by lazy modules)."""
    __slots__ = ()
    cls_to_become = Parameter

    def materialize(self, shape, device=None, dtype=None):
        """Allocate the data with ``shape`` and become a regular Parameter."""
        self._data = empty(tuple(shape), device=device, dtype=dtype)._data
        self.__class__ = Parameter


class UninitializedBuffer(Tensor):
    """A buffer whose shape is not known yet (used by lazy modules)."""
    __slots__ = ()


def is_lazy(param):
    """True for uninitialized parameters/buffers."""
    return isinstance(param, (UninitializedParameter, UninitializedBuffer))
