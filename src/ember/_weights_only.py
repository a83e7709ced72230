"""The restricted unpickling behind ``ember.load(weights_only=True)``.

PyTorch's checkpoint globals map to Ember's rebuild functions here; every global a pickle
names is checked against this allowlist (plus ``add_safe_globals``) by scanning the opcodes
before anything is unpickled, so a malicious file is rejected before any of it runs.
"""
import contextlib
import pickle
from collections import OrderedDict

import numpy as np

from . import _dtype as D
from ._device import device as _device_cls, to_device
from ._size import Size
from ._storage import UntypedStorage
from ._tensor import Tensor

__all__ = ["add_safe_globals", "safe_globals", "get_safe_globals", "clear_safe_globals"]

_STORAGE_NAMES = {
    "FloatStorage": D.float32, "DoubleStorage": D.float64, "HalfStorage": D.float16,
    "BFloat16Storage": D.bfloat16, "LongStorage": D.int64, "IntStorage": D.int32,
    "ShortStorage": D.int16, "CharStorage": D.int8, "ByteStorage": D.uint8,
    "BoolStorage": D.bool_, "ComplexFloatStorage": D.complex64,
    "ComplexDoubleStorage": D.complex128, "UntypedStorage": D.uint8}

def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    """Rebuild a tensor as a view of ``storage`` (``torch._utils._rebuild_tensor_v2``)."""
    t = storage._view(int(storage_offset), size, stride)
    if requires_grad:
        t.requires_grad = True
    return t


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    if storage._array.dtype != dtype.np:
        storage = _retyped(storage, dtype)
    return _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad)


def _retyped(storage, dtype):
    s = UntypedStorage(storage._array.view(np.uint8).view(dtype.np))
    return s


def _rebuild_parameter(data, requires_grad, backward_hooks, *state):
    """An ``nn.Parameter`` around ``data`` (``torch._utils._rebuild_parameter``)."""
    from .nn.parameter import Parameter
    return Parameter(data, requires_grad)


def _rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if isinstance(new_type, type) and issubclass(new_type, Tensor) and type(ret) is not new_type:
        from ._tensor import _as_subclass
        ret = _as_subclass(ret, new_type)
    return ret


def _size(*args):
    return Size(*args)


def _torch_device(*args):
    return to_device(_device_cls(*args))


# Globals a restricted load may resolve: PyTorch's name -> Ember object.
_ALLOWED = {
    "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
    "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
    "torch._utils._rebuild_parameter": _rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": _rebuild_parameter,
    "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
    "torch.Size": _size,
    "torch.device": _torch_device,
    "collections.OrderedDict": OrderedDict,
    "builtins.set": set, "builtins.frozenset": frozenset, "builtins.complex": complex,
    "builtins.slice": slice, "builtins.range": range,
    "builtins.bytearray": None,  # filled below (no size-only form)
    "_codecs.encode": None,  # filled below (bytes in protocol 2)
}
_ALLOWED.update({f"torch.{n}": d for n, d in D._BY_NAME.items()})
_ALLOWED.update({f"torch.{n}": d for n, d in D.ALIASES.items()})


def _encode(s, encoding="utf-8", errors="strict"):
    import codecs
    if encoding not in ("latin1", "latin-1", "utf-8", "utf8", "ascii"):
        raise pickle.UnpicklingError(f"_codecs.encode with encoding {encoding!r} is not allowed")
    return codecs.encode(s, encoding, errors)


_ALLOWED["_codecs.encode"] = _encode


def _bytearray(*args):
    if args and not isinstance(args[0], (bytes, bytearray, str)):
        raise pickle.UnpicklingError("Weights only load failed: bytearray() is only allowed "
                                     "from bytes or str")
    return bytearray(*args)


_ALLOWED["builtins.bytearray"] = _bytearray


def _late_allowed(full):
    if full == "torch._tensor.Tensor" or full == "torch.Tensor":
        return Tensor
    if full == "torch.nn.parameter.Parameter":
        from .nn.parameter import Parameter
        return Parameter
    return None


_safe_globals = {}


def _global_name(obj):
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


def add_safe_globals(safe_globals):
    """Allow these classes/functions (or ``(obj, "module.name")`` pairs) in weights_only
    loads (``torch.serialization.add_safe_globals``)."""
    for item in safe_globals:
        if isinstance(item, tuple):
            obj, name = item
        else:
            obj, name = item, _global_name(item)
        _safe_globals[name] = obj


def get_safe_globals():
    """The user-added safe globals (``torch.serialization.get_safe_globals``)."""
    return [obj if _global_name(obj) == name else (obj, name)
            for name, obj in _safe_globals.items()]


def clear_safe_globals():
    """Forget every user-added safe global."""
    _safe_globals.clear()


@contextlib.contextmanager
def safe_globals(safe_globals):
    """Context manager: ``add_safe_globals`` for the duration of the block only."""
    saved = dict(_safe_globals)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _safe_globals.clear()
        _safe_globals.update(saved)


_PY2_MODULES = {"__builtin__": "builtins", "copy_reg": "copyreg"}


def _resolve_safe(module, name):
    module = _PY2_MODULES.get(module, module)
    full = f"{module}.{name}"
    if full in _safe_globals:
        return _safe_globals[full]
    if full in _ALLOWED:
        return _ALLOWED[full]
    if full.startswith("torch.") and name.endswith("Storage") and name in _STORAGE_NAMES:
        return _STORAGE_NAMES[name]
    if full == "copyreg._reconstructor":
        return _safe_reconstructor
    return _late_allowed(full)


def _safe_reconstructor(cls, base, state):
    if _global_name(cls) not in _safe_globals or base is not object:
        raise pickle.UnpicklingError(_reject_msg(_global_name(cls)))
    obj = object.__new__(cls)
    if state is not None:
        raise pickle.UnpicklingError("copyreg._reconstructor with state is not allowed")
    return obj


def _reject_msg(full):
    short = full.rsplit(".", 1)[-1]
    return ("Weights only load failed. Re-running `ember.load` with `weights_only` set to "
            "`False` will likely succeed, but it can result in arbitrary code execution. Do it "
            "only if you got the file from a trusted source.\n\nWeightsUnpickler error: "
            f"Unsupported global: GLOBAL {full} was not an allowed global by default. Please "
            f"use `ember.serialization.add_safe_globals([{short}])` or the "
            f"`ember.serialization.safe_globals([{short}])` context manager to allowlist this "
            "global if you trust this class/function.")


_STRING_OPS = {"UNICODE", "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8", "STRING",
               "BINSTRING", "SHORT_BINSTRING"}


def _check_globals(data):
    """Scan the pickle's opcodes and reject any global not on the allowlist, before any of it
    is executed. Also rejects opcodes that build arbitrary objects (INST, OBJ)."""
    import pickletools
    memo, stack = {}, []
    try:
        for op, arg, _pos in pickletools.genops(data):
            name = op.name
            if name in _STRING_OPS:
                stack.append(arg)
            elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
                memo[arg] = stack[-1] if stack else None
            elif name == "MEMOIZE":
                memo[len(memo)] = stack[-1] if stack else None
            elif name in ("GET", "BINGET", "LONG_BINGET"):
                stack.append(memo.get(arg))
            elif name == "GLOBAL":
                module, _, gname = arg.partition(" ")
                _require_safe(module, gname)
                stack.append(None)
            elif name == "STACK_GLOBAL":
                if len(stack) < 2 or not all(isinstance(s, str) for s in stack[-2:]):
                    raise pickle.UnpicklingError("Weights only load failed: STACK_GLOBAL with "
                                                 "a computed name is not allowed")
                _require_safe(stack[-2], stack[-1])
                stack.append(None)
            elif name in ("INST", "OBJ", "EXT1", "EXT2", "EXT4"):
                raise pickle.UnpicklingError(f"Weights only load failed: opcode {name} is not "
                                             "allowed")
            else:
                stack.append(None)
    except pickle.UnpicklingError:
        raise
    except Exception as e:
        raise pickle.UnpicklingError(f"Weights only load failed: the pickle data is corrupted "
                                     f"({type(e).__name__}: {e})") from None


def _require_safe(module, name):
    if _resolve_safe(module, name) is None:
        raise pickle.UnpicklingError(_reject_msg(f"{module}.{name}"))
