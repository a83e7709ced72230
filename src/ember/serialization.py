"""ember.save / ember.load in PyTorch's zip checkpoint format (``torch.save``/``torch.load``).

A checkpoint is an uncompressed zip whose entries live under one folder (the file's stem, or
'archive' for buffers): ``data.pkl`` (protocol-2 pickle of the object), ``data/<key>`` (the raw
little-endian bytes of each storage), ``byteorder`` and ``version``. The pickle names tensors as
``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)`` with
``storage`` a persistent id ``('storage', torch.<Type>Storage, key, location, numel)``, so files
move both ways between Ember and PyTorch. Loading is restricted by default (``weights_only``):
every global the pickle names is checked against an allowlist before anything is unpickled.
"""
import contextlib
import importlib
import io
import os
import pickle
import struct
import sys
import zipfile
import zlib
from collections import OrderedDict

import numpy as np

from . import _dtype as D
from ._device import device as _device_cls, to_device, cuda_available
from ._size import Size
from ._storage import UntypedStorage
from ._save_temp import create_temp, remove_stale_temps
from ._tensor import Tensor
from ._weights_only import (_STORAGE_NAMES, _resolve_safe, _resolve_weights_only,
                            _reject_msg, _check_globals, _build_budget, add_safe_globals, safe_globals, get_safe_globals,
                            clear_safe_globals)
from .nn.parameter import Parameter

__all__ = ["save", "load", "add_safe_globals", "safe_globals", "get_safe_globals",
           "clear_safe_globals"]

_STORAGE_OF = {v: k for k, v in _STORAGE_NAMES.items() if k != "UntypedStorage"}
_ALIGN = 64
DEFAULT_PROTOCOL = 2


class _Global:
    """A name written into the pickle as ``GLOBAL module name`` (e.g. torch._utils names)."""
    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):
        raise TypeError(f"{self.module}.{self.name} is a name in a checkpoint, not a function")


_G = {}


def _g(module, name):
    key = (module, name)
    if key not in _G:
        _G[key] = _Global(module, name)
    return _G[key]


_PLAIN = frozenset({int, float, str, bytes, bool, type(None), tuple, list, dict, OrderedDict,
                    _Global})


class _StorageRef:
    __slots__ = ("key", "dtype", "numel", "location")

    def __init__(self, key, dtype, numel, location):
        self.key, self.dtype, self.numel, self.location = key, dtype, numel, location


# ================================ saving ======================================================
class _TorchNames:
    """Pickler mixin: tensors become ``_rebuild_tensor_v2``/``_rebuild_parameter`` calls over
    storage persistent ids, and devices/Sizes/dtypes PyTorch's globals. ``_name(module,
    name)`` gives the object the concrete pickler writes as that global."""

    def _init_records(self):
        self.records = []        # (key, contiguous numpy array)
        self._seen = {}          # (id(root array), dtype) -> _StorageRef
        self._keep = []          # keep roots alive so ids stay unique

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            return ("storage", self._name("torch", _STORAGE_OF[obj.dtype]), obj.key,
                    obj.location, obj.numel)
        return None

    def reducer_override(self, obj):
        t = type(obj)
        if t in _PLAIN:
            return NotImplemented
        if isinstance(obj, Tensor):
            if isinstance(obj, Parameter):
                return (self._name("torch._utils", "_rebuild_parameter"),
                        (obj.detach(), obj.requires_grad, OrderedDict()))
            ref, offset, stride = self._storage_of(obj)
            return (self._name("torch._utils", "_rebuild_tensor_v2"),
                    (ref, offset, tuple(obj._data.shape), stride, obj.requires_grad,
                     OrderedDict()))
        if t is D.dtype:
            return self._dtype_global(obj)
        if t is _device_cls:
            return (self._name("torch", "device"), (str(obj),))
        if t is Size:
            return (self._name("torch", "Size"), (tuple(obj),))
        return NotImplemented

    def _storage_of(self, t):
        """The storage record for ``t``: its root array when ``t`` is a plain strided view of
        it (so views are stored once), else a contiguous copy of ``t`` alone."""
        arr = t._data
        location = "cpu"
        if not isinstance(arr, np.ndarray):
            location = f"cuda:{arr.device.id}"
        item = arr.dtype.itemsize
        if (t._base is None and arr.flags.c_contiguous  # common case: owns its whole array
                and all(s >= 0 and s % item == 0 for s in arr.strides)):
            ref = self._seen.get((id(arr), arr.dtype))
            if ref is None:
                ref = self._record(arr, location)
            return ref, 0, tuple(s // item for s in arr.strides)
        root = t._base._data if t._base is not None else arr
        ok = (root.dtype == arr.dtype and type(root) is type(arr) and root.flags.c_contiguous
              and all(s >= 0 and s % item == 0 for s in arr.strides))
        if ok and arr.size:
            lo, start = _ptr(root), _ptr(arr)
            ok = lo <= start < lo + root.nbytes
        if ok:
            offset = (_ptr(arr) - _ptr(root)) // item if arr.size else 0
            stride = tuple(s // item for s in arr.strides)
            store = root
        else:
            store = arr.copy() if arr.size else arr.reshape(-1)[:0].copy()
            offset, stride = 0, _contiguous(arr.shape)
            if not store.flags.c_contiguous:
                store = store.copy(order="C")
        ref = self._seen.get((id(store), store.dtype))
        if ref is None:
            ref = self._record(store, location)
        return ref, int(offset), stride

    def _record(self, store, location):
        """A new storage record holding the C-contiguous array ``store`` (kept alive)."""
        host = store if isinstance(store, np.ndarray) else store.get()
        ref = _StorageRef(str(len(self.records)), D._BY_NP[store.dtype], int(store.size),
                          location)
        self.records.append((ref.key, host.reshape(-1)))
        self._seen[(id(store), store.dtype)] = ref
        self._keep.append(store)
        return ref


class _Pickler(_TorchNames, pickle._Pickler):
    """Pure-Python protocol-2 pickler that writes PyTorch's global names directly."""
    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file):
        super().__init__(file, protocol=2)
        self._init_records()

    _name = staticmethod(_g)

    def _dtype_global(self, obj):
        return NotImplemented  # written by the dispatch entry below

    def _save_global_ref(self, obj):
        memo = self.memo.get(id(obj))
        if memo is not None:
            self.write(self.get(memo[0]))
            return
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("utf-8"))
        self.memoize(obj)
    dispatch[_Global] = _save_global_ref

    def _save_dtype(self, obj):
        self._save_global_ref(_g("torch", obj.name))
    dispatch[D.dtype] = _save_dtype


# The C pickler can only write globals it can import, so it writes stand-ins defined in this
# module (and ember._dtype's dtypes), whose GLOBAL lines are then renamed to PyTorch's.
_STANDINS = {}


def _standin(module, name):
    obj = _STANDINS.get((module, name))
    if obj is None:
        attr = f"_ckpt_global_{len(_STANDINS)}"
        obj = type(attr, (), {"__module__": __name__, "__slots__": ()})
        obj.__qualname__ = attr
        globals()[attr] = obj
        obj._rename = (f"c{__name__}\n{attr}\n".encode(), f"c{module}\n{name}\n".encode())
        _STANDINS[(module, name)] = obj
    return obj


_DTYPE_ATTR = {d: ("bool_" if d is D.bool_ else d.name) for d in D.ALL_DTYPES}


class _FastPickler(_TorchNames, pickle.Pickler):
    """C protocol-2 pickler writing stand-in globals; ``renamed`` turns them into PyTorch's."""

    def __init__(self, file):
        super().__init__(file, protocol=2)
        self._init_records()
        self.used = set()

    def _name(self, module, name):
        obj = _standin(module, name)
        self.used.add(obj._rename)
        return obj

    def _dtype_global(self, obj):
        attr = _DTYPE_ATTR[obj]
        self.used.add((f"cember._dtype\n{attr}\n".encode(), f"ctorch\n{obj.name}\n".encode()))
        return attr

    def renamed(self, data):
        """``data`` with the stand-in globals renamed, or None when a stand-in's bytes also
        occur elsewhere (inside user data), so the caller falls back to the Python pickler."""
        for old, new in self.used:
            if data.count(old) != 1:
                return None
            data = data.replace(old, new)
        return data


def _pickle_bytes(obj):
    """Protocol-2 pickle of ``obj`` with PyTorch's names, and the storages it refers to."""
    buf = io.BytesIO()
    fast = _FastPickler(buf)
    try:
        fast.dump(obj)
        data = fast.renamed(buf.getvalue())
    except pickle.PicklingError:
        data = None
    if data is not None:
        return data, fast.records
    buf = io.BytesIO()
    slow = _Pickler(buf)
    slow.dump(obj)
    return buf.getvalue(), slow.records


def _ptr(arr):
    return arr.__array_interface__["data"][0] if isinstance(arr, np.ndarray) else arr.data.ptr


def _contiguous(shape):
    st, acc = [], 1
    for n in reversed(shape):
        st.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(st))


def _write_zip(fileobj, archive, pkl, records, writeback=None):
    """Write the checkpoint zip; ``writeback(fileobj)`` (when given) is called after every
    ``_WRITEBACK_BYTES`` of storage data so the OS starts flushing to disk early."""
    with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        entries = [("data.pkl", pkl), (".format_version", b"1"),
                   (".storage_alignment", str(_ALIGN).encode()), ("byteorder", b"little")]
        entries += [(f"data/{key}", arr) for key, arr in records]
        entries += [("version", b"3\n")]
        if not getattr(zf, "_seekable", False):
            for name, data in entries:
                _write_entry(zf, f"{archive}/{name}", data)
            return
        pos = zf.start_dir
        pending = 0
        for name, data in entries:
            pos, size = _write_entry_at(zf, pos, f"{archive}/{name}", data)
            if writeback is not None:
                pending += size
                if pending >= _WRITEBACK_BYTES:
                    writeback(fileobj)
                    pending = 0
        zf.start_dir = pos


_FB_EXTRA = [struct.pack("<HH", 0x4246, pad) + b"Z" * pad for pad in range(_ALIGN)]


def _write_entry_at(zf, pos, name, data):
    """Write one stored (uncompressed) record at ``pos`` in a single pass: CRC-32 over the
    array's own buffer, the final local header, then the bytes straight from that buffer.
    Registers the record with ``zf`` so its central directory lists it. Returns the position
    after the record and its size."""
    if isinstance(data, np.ndarray):
        data = memoryview(np.ascontiguousarray(data).reshape(-1).view(np.uint8))
    size = len(data)
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o600 << 16
    zip64 = size * 1.05 > zipfile.ZIP64_LIMIT
    nlen = len(name) if name.isascii() else len(name.encode("utf-8"))
    info.extra = _FB_EXTRA[(-(pos + 30 + nlen + (20 if zip64 else 0) + 4)) % _ALIGN]
    info.file_size = info.compress_size = size
    info.CRC = zlib.crc32(data)
    info.header_offset = pos
    header = info.FileHeader(zip64)
    fp = zf.fp
    if size < 65536:
        fp.write(header + bytes(data))
    else:
        fp.write(header)
        fp.write(data)
    zf.filelist.append(info)
    zf.NameToInfo[name] = info
    zf._didModify = True
    return pos + len(header) + size, size


_WRITEBACK_BYTES = 1 << 22
_SYNC_FILE_RANGE_WRITE = 2
_sync_file_range = None


def _start_writeback(fh):
    """Ask the OS to start writing ``fh``'s dirty pages to disk now, without waiting (Linux
    ``sync_file_range(SYNC_FILE_RANGE_WRITE)``), so the final fsync has little left to do and
    the disk works while the next records are checksummed and written. A no-op elsewhere."""
    global _sync_file_range
    if _sync_file_range is None:
        _sync_file_range = False
        if sys.platform.startswith("linux"):
            with contextlib.suppress(OSError, AttributeError):
                import ctypes
                fn = ctypes.CDLL(None, use_errno=True).sync_file_range
                fn.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
                fn.restype = ctypes.c_int
                _sync_file_range = fn
    if _sync_file_range:
        fh.flush()
        _sync_file_range(fh.fileno(), 0, 0, _SYNC_FILE_RANGE_WRITE)


def _write_entry(zf, name, data):
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    if isinstance(data, np.ndarray):
        data = memoryview(np.ascontiguousarray(data).reshape(-1).view(np.uint8))
    size = len(data)
    try:
        pos = zf.fp.tell()
    except (AttributeError, OSError, ValueError):
        pos = None
    if pos is not None:
        zip64 = size * 1.05 > zipfile.ZIP64_LIMIT
        header = 30 + len(name.encode("utf-8")) + (20 if zip64 else 0) + 4
        pad = (-(pos + header)) % _ALIGN
        info.extra = struct.pack("<HH", 0x4246, pad) + b"Z" * pad  # "FB" padding, as PyTorch
    zf.writestr(info, data)


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` to ``f`` (path or binary file) in PyTorch's checkpoint format
    (``torch.save``). A path is written to a temporary ``.<name>.ember-tmp-<pid>-<tag>`` in
    the same folder, synced and renamed into place, so a failure never leaves a half-written
    file behind; temporaries left by killed writers are removed by the next save there."""
    if pickle_module is not None and pickle_module is not pickle:
        raise NotImplementedError("ember.save: only the standard pickle module is supported")
    pkl, records = _pickle_bytes(obj)
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        archive = os.path.splitext(os.path.basename(path))[0] or "archive"
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise RuntimeError(f"Parent directory {os.path.dirname(path) or folder} does not "
                               "exist.")
        remove_stale_temps(path)
        fd, tmp = create_temp(path)
        try:
            with os.fdopen(fd, "wb") as fh:
                _write_zip(fh, archive, pkl, records, _start_writeback)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(folder)
    else:
        if not hasattr(f, "write"):
            raise AttributeError(f"'{type(f).__name__}' object has no attribute 'write'")
        _write_zip(f, "archive", pkl, records)
        with contextlib.suppress(AttributeError, io.UnsupportedOperation):
            f.flush()


def _fsync_dir(folder):
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ================================ loading =====================================================
class _Unpickler(pickle.Unpickler):
    def __init__(self, file, loader, weights_only):
        super().__init__(file)
        self._loader = loader
        self._weights_only = weights_only

    def find_class(self, module, name):
        obj = (_resolve_weights_only if self._weights_only else _resolve_safe)(module, name)
        if obj is not None:
            return obj
        if self._weights_only:
            raise pickle.UnpicklingError(_reject_msg(f"{module}.{name}"))
        if module == "torch" or module.startswith("torch."):
            obj = _ember_equivalent(module, name)
            if obj is None:
                raise pickle.UnpicklingError(f"ember.load: cannot map PyTorch global "
                                             f"{module}.{name} to an Ember equivalent")
            return obj
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"ember.load: unsupported persistent id {pid!r}")
        _, dtype, key, location, numel = pid
        if not isinstance(dtype, D.dtype):
            raise pickle.UnpicklingError(f"ember.load: unsupported storage type {dtype!r}")
        return self._loader.storage(str(key), dtype, str(location), int(numel))


def _ember_equivalent(module, name):
    """``torch.a.b.Name`` -> ``ember.a.b.Name``, else the nearest enclosing Ember package that
    exports ``Name`` (``torch.nn.modules.container.Sequential`` -> ``ember.nn.Sequential``)."""
    parts = ("ember" + module[5:]).split(".")
    for i in range(len(parts), 0, -1):
        try:
            mod = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        obj = getattr(mod, name, None)
        if obj is not None:
            return obj
    return None


class _Loader:
    """Reads storages out of an opened checkpoint zip, once per key."""

    def __init__(self, zf, prefix, fileobj, path, map_location, mmap, byteorder):
        self.zf, self.prefix, self.fileobj, self.path = zf, prefix, fileobj, path
        self.map_location, self.mmap, self.swap = map_location, mmap, byteorder == "big"
        self.cache = {}

    def storage(self, key, dtype, location, numel):
        if key in self.cache:
            return self.cache[key]
        name = f"{self.prefix}data/{key}"
        try:
            info = self.zf.getinfo(name)
        except KeyError:
            raise RuntimeError(f"ember.load: checkpoint is missing record '{name}' (file "
                               "truncated or corrupted)") from None
        nbytes = numel * dtype.itemsize
        if info.file_size < nbytes:
            raise RuntimeError(f"ember.load: record '{name}' holds {info.file_size} bytes but "
                               f"the storage needs {nbytes} ({numel} x {dtype}); the file is "
                               "corrupted")
        arr = self._read(info, dtype.np, numel)
        if self.swap:
            arr = arr.byteswap()
        storage = self._place(UntypedStorage(arr), location)
        self.cache[key] = storage
        return storage

    def _read(self, info, np_dtype, numel):
        nbytes = numel * np_dtype.itemsize
        if info.compress_type != zipfile.ZIP_STORED:
            raw = self.zf.read(info)
            return np.frombuffer(bytearray(raw[:nbytes]), dtype=np_dtype)
        offset = _data_offset(self.fileobj, info)
        if self.mmap:
            if nbytes == 0:
                return np.empty(0, dtype=np_dtype)
            return np.memmap(self.path, dtype=np_dtype, mode="c", offset=offset, shape=(numel,))
        out = np.empty(numel, dtype=np_dtype)
        self.fileobj.seek(offset)
        view = memoryview(out.view(np.uint8).reshape(-1))
        got = self.fileobj.readinto(view) if nbytes else 0
        if got != nbytes:
            raise RuntimeError(f"ember.load: record '{info.filename}' is truncated (read {got} "
                               f"of {nbytes} bytes)")
        if nbytes == info.file_size and zlib.crc32(view) != info.CRC:
            raise RuntimeError(f"ember.load: CRC-32 mismatch in record '{info.filename}'; the "
                               "checkpoint file is corrupted")
        return out

    def _place(self, storage, location):
        ml = self.map_location
        if callable(ml) and not isinstance(ml, (str, _device_cls)):
            result = ml(storage, location)
            return storage if result is None else result
        if isinstance(ml, dict):
            target = ml.get(location, location)
        elif ml is None:
            target = location
        else:
            target = ml
        dev = to_device(target)
        if dev.type == "cuda":
            if not cuda_available():
                raise RuntimeError("Attempting to deserialize object on a CUDA device but "
                                   "ember.cuda.is_available() is False. If you are running on a "
                                   "CPU-only machine, please use ember.load with "
                                   "map_location=ember.device('cpu') to map your storages to "
                                   "the CPU.")
            return storage.cuda(dev)
        return storage


def _data_offset(fileobj, info):
    fileobj.seek(info.header_offset)
    header = fileobj.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise RuntimeError(f"ember.load: bad local header for record '{info.filename}'; the "
                           "checkpoint file is corrupted")
    n, m = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + n + m


_NOT_ZIP = ("ember.load: PytorchStreamReader failed reading zip archive: failed finding "
            "central directory. The file is not a checkpoint written by ember.save/torch.save "
            "(zip format), or it is truncated or corrupted.")


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=False,
         **pickle_load_args):
    """Load an object saved with ``ember.save`` or ``torch.save`` (``torch.load``).

    ``weights_only=True`` (the default) only unpickles tensors, primitive containers, dtypes
    and globals allowed with ``add_safe_globals``; ``map_location`` is a device, a string,
    a dict of location renames or a callable ``(storage, location) -> storage``; ``mmap=True``
    maps storages from the file instead of reading them (``f`` must be a path).
    """
    if weights_only is None:
        weights_only = True
    if pickle_module is not None and pickle_module is not pickle:
        if weights_only:
            raise RuntimeError("Can not safely load weights when explicit pickle_module is "
                               "specified")
    path = None
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        with open(path, "rb") as fh:
            return _load(fh, path, map_location, weights_only, mmap)
    if mmap:
        raise ValueError("f must be a file path in order to use the mmap argument")
    if not hasattr(f, "read"):
        raise AttributeError(f"'{type(f).__name__}' object has no attribute 'read'")
    if not (hasattr(f, "seek") and hasattr(f, "tell")):
        f = io.BytesIO(f.read())
    return _load(f, path, map_location, weights_only, mmap)


def _load(fh, path, map_location, weights_only, mmap):
    start = fh.tell()
    magic = fh.read(4)
    fh.seek(start)
    if magic[:2] != b"PK":
        raise RuntimeError(_NOT_ZIP if magic[:1] != b"\x80" else
                           "ember.load: this is a legacy (pre-1.6, non-zip) PyTorch checkpoint,"
                           " which Ember does not read; re-save it with a recent torch.save")
    try:
        zf = zipfile.ZipFile(fh, "r")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise RuntimeError(_NOT_ZIP + f" ({e})") from None
    with zf:
        names = zf.namelist()
        pkl_names = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
        if not pkl_names:
            raise RuntimeError("ember.load: no data.pkl record in the archive; this is not a "
                               "PyTorch/Ember checkpoint or it is corrupted")
        prefix = pkl_names[0][:-len("data.pkl")]
        try:
            data = zf.read(pkl_names[0])
            bo = f"{prefix}byteorder"
            byteorder = zf.read(bo).decode() if bo in names else "little"
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as e:
            raise RuntimeError(f"ember.load: the checkpoint file is corrupted ({e})") from None
        if weights_only:
            _check_globals(data)
        loader = _Loader(zf, prefix, fh, path, map_location, mmap, byteorder)
        unpickler = _Unpickler(io.BytesIO(data), loader, weights_only)
        try:
            with _build_budget(len(data)):
                return unpickler.load()
        except (pickle.UnpicklingError, RuntimeError):
            raise
        except (EOFError, KeyError, IndexError, TypeError, ValueError, AttributeError,
                struct.error) as e:
            if not weights_only and isinstance(e, (AttributeError, TypeError)):
                raise
            raise pickle.UnpicklingError(f"ember.load: could not unpickle the checkpoint "
                                         f"(corrupted data.pkl?): {type(e).__name__}: {e}"
                                         ) from None
