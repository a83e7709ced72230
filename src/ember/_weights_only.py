"""The restricted unpickling behind ``ember.load(weights_only=True)``.

PyTorch's checkpoint globals map to Ember's rebuild functions here; every global a pickle
names is checked against this allowlist (plus ``add_safe_globals``) by scanning the opcodes
before anything is unpickled, so a malicious file is rejected before any of it runs.
"""
import codecs
import contextlib
import pickle
import sys
import threading
from collections import Counter, OrderedDict

import numpy as np

from . import _dtype as D, _legacy
from ._device import device as _device_cls, to_device
from ._size import Size
from ._storage import UntypedStorage
from ._tensor import Tensor, _as_subclass
from .nn.parameter import Parameter

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
    return Parameter(data, requires_grad)


def _rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if isinstance(new_type, type) and issubclass(new_type, Tensor) and type(ret) is not new_type:
        ret = _as_subclass(ret, new_type)
    return ret


def _size(*args):
    return Size(*args)


def _torch_device(*args):
    return to_device(_device_cls(*args))


def _unsupported(full):
    def refuse(*args, **kwargs):
        raise pickle.UnpicklingError(f"Weights only load failed: the checkpoint uses {full}, "
                                     "which Ember does not support (sparse, quantized, nested "
                                     "and meta tensors)")
    refuse.__qualname__ = refuse.__name__ = full.rsplit(".", 1)[-1]
    return refuse


def _get_layout(name):
    """``torch.serialization._get_layout``: only the strided layout exists in Ember."""
    if name != "torch.strided":
        raise pickle.UnpicklingError(f"Weights only load failed: layout {name!r} is not "
                                     "supported by Ember")
    return name


# Globals a restricted load may resolve: PyTorch's name -> Ember object. This is exactly the
# set torch 2.x allows by default with ``weights_only=True`` (no ``range``, ``slice``,
# ``frozenset``, ``getattr``, ``copyreg``); names whose feature Ember lacks resolve to a
# function that refuses with a clear message when the checkpoint calls it.
_ALLOWED = {
    "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
    "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
    "torch._utils._rebuild_parameter": _rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": _rebuild_parameter,
    "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
    "torch.Size": _size,
    "torch.device": _torch_device,
    "torch.serialization._get_layout": _get_layout,
    "collections.OrderedDict": OrderedDict,
    "collections.Counter": Counter,
    "builtins.set": set, "builtins.complex": complex,
    "builtins.bytearray": None,  # filled below (bounded size)
    "_codecs.encode": None,  # filled below (bytes in protocol 2)
}
_ALLOWED.update({f"torch.{n}": d for n, d in D._BY_NAME.items()})
_ALLOWED.update({f"torch.{n}": d for n, d in D.ALIASES.items()})
for _name in ("_rebuild_tensor", "_rebuild_qtensor", "_rebuild_sparse_tensor",
              "_rebuild_meta_tensor_no_storage", "_rebuild_nested_tensor",
              "_rebuild_wrapper_subclass", "_rebuild_device_tensor_from_numpy",
              "_rebuild_device_tensor_from_cpu_tensor"):
    _ALLOWED[f"torch._utils.{_name}"] = _unsupported(f"torch._utils.{_name}")
for _name in ("per_tensor_affine", "per_tensor_symmetric", "per_channel_affine",
              "per_channel_symmetric", "per_channel_affine_float_qparams"):
    _ALLOWED[f"torch.{_name}"] = _unsupported(f"torch.{_name}")
_LEGACY_TENSORS = ("Float", "Double", "Half", "BFloat16", "Long", "Int", "Short", "Char",
                   "Byte", "Bool")
for _kind in _LEGACY_TENSORS:  # torch.cuda.* and torch.sparse.* tensor classes
    for _mod in ("torch.cuda", "torch.sparse", "torch.cuda.sparse"):
        _ALLOWED[f"{_mod}.{_kind}Tensor"] = _unsupported(f"{_mod}.{_kind}Tensor")
for _q in ("QInt32", "QInt8", "QUInt2x4", "QUInt4x2", "QUInt8"):
    _ALLOWED[f"torch.{_q}Storage"] = _unsupported(f"torch.{_q}Storage")
_ALLOWED["torch.storage.TypedStorage"] = _unsupported("torch.storage.TypedStorage")
_BLOCKED_MODULES = ("sys", "os", "posix", "nt")

# A checkpoint may name a container once and build it many times (``set(memo[0])`` repeated),
# so what constructor calls build is budgeted per load: at most this many items plus a few per
# byte of pickle. A real checkpoint builds far fewer items than it has bytes.
MAX_BUILT_ITEMS = 1 << 24
_budget = threading.local()


@contextlib.contextmanager
def _build_budget(pickle_nbytes):
    """Within the block, calls the pickle makes to container constructors may build at most
    ``MAX_BUILT_ITEMS + 4 * pickle_nbytes`` items in total."""
    saved = getattr(_budget, "left", None)
    _budget.left = MAX_BUILT_ITEMS + 4 * pickle_nbytes
    try:
        yield
    finally:
        _budget.left = saved


def _spend(n, what):
    left = getattr(_budget, "left", None)
    if left is None:
        return
    if n > left:
        raise pickle.UnpicklingError(
            f"Weights only load failed: the checkpoint asks to build {what} of {n} items, past "
            f"the {MAX_BUILT_ITEMS}-item cap on containers a checkpoint may build")
    _budget.left = left - n


def _sized(arg):
    try:
        return len(arg)
    except TypeError:
        raise pickle.UnpicklingError(f"Weights only load failed: a container can only be built "
                                     f"from a list, tuple, dict or string, not "
                                     f"{type(arg).__name__}") from None


def _budgeted(cls):
    def build(*args, **kwargs):
        _spend(sum(_sized(a) for a in args) + len(kwargs), cls.__name__)
        return cls(*args, **kwargs)
    build.__qualname__ = build.__name__ = cls.__name__
    return build


def _encode(s, encoding="utf-8", errors="strict"):
    if encoding not in ("latin1", "latin-1", "utf-8", "utf8", "ascii"):
        raise pickle.UnpicklingError(f"_codecs.encode with encoding {encoding!r} is not allowed")
    _spend(_sized(s), "bytes")
    return codecs.encode(s, encoding, errors)


_ALLOWED["_codecs.encode"] = _encode


def _bytearray(*args):
    if args and isinstance(args[0], int) and not isinstance(args[0], bool):
        if not 0 <= args[0] <= MAX_BUILT_ITEMS:
            raise pickle.UnpicklingError(f"Weights only load failed: bytearray({args[0]}) is "
                                         f"outside 0..{MAX_BUILT_ITEMS}, the cap on containers "
                                         "a checkpoint may build")
        _spend(args[0], "bytearray")
    elif args:
        _spend(_sized(args[0]), "bytearray")
    return bytearray(*args)


_ALLOWED["builtins.bytearray"] = _bytearray
# What a weights-only load calls instead of the plain constructors (budgeted).
_BUDGETED = {"builtins.set": _budgeted(set), "collections.Counter": _budgeted(Counter),
             "collections.OrderedDict": _budgeted(OrderedDict), "torch.Size": None}


def _budgeted_size(*args):
    if args:
        _spend(_sized(args[0]), "torch.Size")
    return _size(*args)


_BUDGETED["torch.Size"] = _budgeted_size


def _late_allowed(full):
    if full.startswith("torch.") and full.endswith("Tensor") and \
            full[6:-6] in _LEGACY_TENSORS:
        return getattr(_legacy, full[6:])
    if full == "torch._tensor.Tensor" or full == "torch.Tensor":
        return Tensor
    if full == "torch.nn.parameter.Parameter":
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
    if _safe_globals and (module == "torch" or module.startswith("torch.")):
        obj = _allowed_ember_class(module, name)
        if obj is not None:
            return obj
    if full in _ALLOWED:
        return _ALLOWED[full]
    if full.startswith("torch.") and name.endswith("Storage") and name in _STORAGE_NAMES:
        return _STORAGE_NAMES[name]
    return _late_allowed(full)


def _allowed_ember_class(module, name):
    """The Ember object a checkpoint's ``torch.<path>.<name>`` stands for, when the user put it
    in the safe globals (``safe_globals([ember.nn.Linear])`` allows
    ``torch.nn.modules.linear.Linear``). Looks only at modules already imported (a class in the
    safe globals has been), so a checkpoint's names cannot make anything import."""
    parts = ("ember" + module[5:]).split(".")
    for i in range(len(parts), 0, -1):
        mod = sys.modules.get(".".join(parts[:i]))
        obj = getattr(mod, name, None) if mod is not None else None
        if obj is not None:
            for allowed in _safe_globals.values():
                if allowed is obj:
                    return obj
            return None
    return None


def _resolve_weights_only(module, name):
    """What a ``weights_only`` load resolves ``module.name`` to: the allowed object, with the
    container constructors replaced by their budgeted forms; None when refused."""
    module = _PY2_MODULES.get(module, module)
    full = f"{module}.{name}"
    if full in _BUDGETED and full not in _safe_globals:
        return _BUDGETED[full]
    return _resolve_safe(module, name)


_ERR_HEAD = ("Weights only load failed. Re-running `ember.load` with `weights_only` set to "
             "`False` will likely succeed, but it can result in arbitrary code execution. Do it "
             "only if you got the file from a trusted source.\n\nWeightsUnpickler error: ")


def _reject_msg(full):
    module = full.rsplit(".", 1)[0]
    if module in _BLOCKED_MODULES:
        return (_ERR_HEAD + f"Trying to load unsupported GLOBAL {full} whose module {module} "
                "is blocked.")
    shown = full[len("builtins."):] if full.startswith("builtins.") else full
    return (_ERR_HEAD +
            f"Unsupported global: GLOBAL {shown} was not an allowed global by default. Please "
            f"use `ember.serialization.add_safe_globals([{shown}])` or the "
            f"`ember.serialization.safe_globals([{shown}])` context manager to allowlist this "
            "global if you trust this class/function.")


# The opcodes torch's weights-only unpickler executes (protocol 2 as torch.save writes it);
# any other opcode is refused, as torch refuses it.
_ALLOWED_OPS = frozenset({
    "GLOBAL", "NEWOBJ", "REDUCE", "BUILD", "APPEND", "APPENDS", "SETITEM", "SETITEMS", "MARK",
    "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3", "NONE", "NEWFALSE", "NEWTRUE", "EMPTY_TUPLE",
    "EMPTY_LIST", "EMPTY_DICT", "EMPTY_SET", "BININT", "BININT1", "BININT2", "BINFLOAT",
    "BINUNICODE", "SHORT_BINSTRING", "BINPERSID", "BINGET", "LONG_BINGET", "BINPUT",
    "LONG_BINPUT", "LONG1", "PROTO", "STOP"})

_STRING_OPS = {"UNICODE", "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8", "STRING",
               "BINSTRING", "SHORT_BINSTRING"}


def _check_globals(data):
    """Scan the pickle's opcodes and reject any global not on the allowlist, before any of it
    is executed. Also rejects every opcode torch's weights-only unpickler does not run."""
    import pickletools
    memo, stack = {}, []
    refused_op = None
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
            if name not in _ALLOWED_OPS and refused_op is None:
                refused_op = name
    except pickle.UnpicklingError:
        raise
    except Exception as e:
        raise pickle.UnpicklingError(f"Weights only load failed: the pickle data is corrupted "
                                     f"({type(e).__name__}: {e})") from None
    if refused_op is not None:  # reported after the scan, so a refused global names itself
        raise pickle.UnpicklingError(_ERR_HEAD + f"Unsupported operand {refused_op} in the "
                                     "pickle; ember.load(weights_only=True) reads protocol-2 "
                                     "checkpoints as torch.save writes them")


def _require_safe(module, name):
    if _resolve_safe(module, name) is None:
        raise pickle.UnpicklingError(_reject_msg(f"{module}.{name}"))
