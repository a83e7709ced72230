"""safetensors files for Ember tensors (like ``safetensors.torch``): ``save_file``,
``load_file``, ``save`` and ``load`` (bytes). Needs the optional ``safetensors`` package."""
import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap

__all__ = ["save_file", "load_file", "save", "load"]

_CODE = {D.float64: "F64", D.float32: "F32", D.float16: "F16", D.bfloat16: "BF16",
         D.int64: "I64", D.int32: "I32", D.int16: "I16", D.int8: "I8", D.uint8: "U8",
         D.bool_: "BOOL", D.complex64: "C64"}
_DTYPE = {v: k for k, v in _CODE.items()}


def _lib():
    try:
        import safetensors
    except ImportError:
        raise ImportError("ember.utils.safetensors needs the 'safetensors' package: "
                          "pip install safetensors (or pip install ember[safetensors])") from None
    return safetensors


def _flatten(tensors, lib, keep):
    """Tensor specs for ``lib.serialize``: ``TensorSpec`` objects (safetensors >= 0.8, data by
    pointer, arrays kept alive in ``keep``) or the older dicts holding the bytes."""
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, ember.Tensor] but received {type(tensors)}")
    out = {}
    for name, t in tensors.items():
        if not isinstance(t, Tensor):
            raise ValueError(f"Key `{name}` is invalid, expected ember.Tensor but received "
                             f"{type(t)}")
        if t.dtype not in _CODE:
            raise TypeError(f"safetensors cannot store dtype {t.dtype} (tensor `{name}`)")
        arr = t._data if isinstance(t._data, np.ndarray) else t._data.get()
        arr = np.ascontiguousarray(arr)
        if arr.dtype.byteorder == ">":
            arr = arr.byteswap().view(arr.dtype.newbyteorder("<"))
        if hasattr(lib, "TensorSpec"):
            keep.append(arr)
            out[name] = lib.TensorSpec(dtype=t.dtype.name, shape=list(arr.shape),
                                       data_ptr=arr.ctypes.data, data_len=arr.nbytes)
        else:
            out[name] = {"dtype": _CODE[t.dtype], "shape": list(arr.shape),
                         "data": arr.reshape(-1).view(np.uint8).tobytes()}
    return out


def _unflatten(items, device):
    out = {}
    for name, info in items:
        code = info["dtype"]
        if code not in _DTYPE:
            raise TypeError(f"ember.utils.safetensors: unsupported dtype {code} for `{name}`")
        arr = np.frombuffer(bytearray(info["data"]), dtype=_DTYPE[code].np)
        t = _wrap(arr.reshape(info["shape"]))
        out[name] = t if device in (None, "cpu") else t.to(device)
    return out


def save(tensors, metadata=None):
    """The safetensors bytes of a dict of named tensors."""
    lib, keep = _lib(), []
    return bytes(lib.serialize(_flatten(tensors, lib, keep), metadata=metadata))


def save_file(tensors, filename, metadata=None):
    """Write a dict of named tensors to a ``.safetensors`` file."""
    lib, keep = _lib(), []
    lib.serialize_file(_flatten(tensors, lib, keep), str(filename), metadata=metadata)


def load(data, device="cpu"):
    """A dict of named tensors from safetensors bytes."""
    return _unflatten(_lib().deserialize(bytes(data)), device)


def load_file(filename, device="cpu"):
    """A dict of named tensors read from a ``.safetensors`` file."""
    lib = _lib()
    with open(filename, "rb") as fh:
        data = fh.read()
    return _unflatten(lib.deserialize(data), device)
