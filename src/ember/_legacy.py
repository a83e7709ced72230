"""Legacy typed constructors (``torch.FloatTensor(...)``) and small module-level helpers."""
from . import _dtype as D
from ._tensor import Tensor
from ._storage import UntypedStorage
from .autograd.grad_mode import is_grad_enabled as f

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor",
           "IntTensor", "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor", "is_tensor",
           "is_storage", "numel", "is_floating_point", "is_complex", "is_nonzero",
           "set_num_threads", "get_num_threads", "typename"]


class _LegacyMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls._legacy_dtype and obj.is_cpu


def _legacy(name, dt):
    def __new__(cls, *args, device=None):
        return Tensor(*args, dtype=dt, device=device)
    return _LegacyMeta(name, (), {"__new__": __new__, "_legacy_dtype": dt,
                                  "__doc__": f"Legacy constructor for {dt} tensors."})


FloatTensor = _legacy("FloatTensor", D.float32)
DoubleTensor = _legacy("DoubleTensor", D.float64)
HalfTensor = _legacy("HalfTensor", D.float16)
BFloat16Tensor = _legacy("BFloat16Tensor", D.bfloat16)
LongTensor = _legacy("LongTensor", D.int64)
IntTensor = _legacy("IntTensor", D.int32)
ShortTensor = _legacy("ShortTensor", D.int16)
CharTensor = _legacy("CharTensor", D.int8)
ByteTensor = _legacy("ByteTensor", D.uint8)
BoolTensor = _legacy("BoolTensor", D.bool_)


def is_tensor(obj):
    """True if obj is an ember Tensor."""
    return isinstance(obj, Tensor)


def is_storage(obj):
    return isinstance(obj, UntypedStorage)


def numel(input):
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def is_nonzero(input):
    if input.numel() != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous" if
                           input.numel() else "Boolean value of Tensor with no values is ambiguous")
    return bool(input)


def clamp_(input, min=None, max=None):
    return input.clamp_(min, max)


def typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    return type(obj).__module__ + "." + type(obj).__qualname__


_threads = [None]


def set_num_threads(n):
    """Set the number of threads of the BLAS pool (``torch.set_num_threads``)."""
    if int(n) < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    from threadpoolctl import threadpool_limits
    _threads[0] = (int(n), threadpool_limits(limits=int(n)))


def get_num_threads():
    """The number of BLAS threads in use."""
    if _threads[0] is not None:
        return _threads[0][0]
    from threadpoolctl import threadpool_info
    info = threadpool_info()
    return max((i.get("num_threads", 1) for i in info), default=1)


def get_num_interop_threads():
    return 1


def set_num_interop_threads(n):
    pass


def is_grad_enabled():
    return f()


class memory_format:
    """A memory layout tag (``torch.contiguous_format``...); NumPy arrays are strided, so
    Ember accepts these arguments and lays results out as documented for contiguous data."""
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (memory_format, (self.name,))


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
__all__ += ["memory_format", "contiguous_format", "preserve_format", "channels_last",
            "channels_last_3d"]


_deterministic = [False, False]


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Record the flag (``torch.use_deterministic_algorithms``); Ember's CPU ops are
    deterministic already."""
    _deterministic[0], _deterministic[1] = bool(mode), bool(warn_only)


def are_deterministic_algorithms_enabled():
    """The flag set by ``use_deterministic_algorithms``."""
    return _deterministic[0]


def set_default_tensor_type(t):
    """Deprecated in PyTorch: sets the default floating dtype from a tensor type or its name."""
    names = {"torch.FloatTensor": D.float32, "torch.DoubleTensor": D.float64,
             "torch.HalfTensor": D.float16, "torch.BFloat16Tensor": D.bfloat16}
    dt = names.get(t) if isinstance(t, str) else getattr(t, "_legacy_dtype", None)
    if dt is None:
        raise TypeError(f"invalid type: '{t}'")
    D.set_default_dtype(dt)


__all__ += ["use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
            "set_default_tensor_type"]
