"""Named shared-memory segments for tensors: creation, mapping, lifetime.

Implementation: plain files in ``/dev/shm`` (POSIX shared memory) created with ``os.open`` and
mapped with libc ``mmap`` (through ctypes, so no file descriptor stays open per mapping, which
``mmap.mmap`` would keep). We do not use ``multiprocessing.shared_memory.SharedMemory`` because on
Python < 3.13 it always registers each segment with ``multiprocessing``'s resource tracker, which
then warns about "leaked shared_memory objects" whenever a segment created in one process is
unlinked by another, and it gives no way to lock the file; a file descriptor of our own lets us
``flock`` the segment to update its header atomically across processes.

Layout: a 64-byte header (``inflight``: handles pickled but not yet mapped by their receiver,
``released``: the creating process no longer uses it) followed by the data.

Lifetime rule: a segment's *name* is unlinked, under the file lock, as soon as the creator has
released it and no handle is in flight. Mappings keep the memory alive after the name is gone (the
kernel frees it when the last process unmaps or dies, SIGKILL included), so receivers never lose
data. The creator releases a segment when its last tensor using it is garbage-collected, or at
exit. If a creator dies without releasing (SIGKILL), its names are swept: by a receiver whose
mapping of such a segment is collected, by the DataLoader when a worker dies or shuts down, and by
the root process of the tree at exit (names carry the root pid and the creator pid:
``ember_<root>_<creator>_<n>_<rand>``). Deaths no process of the tree survives to see (the
root itself SIGKILLed) are covered by a watcher process per creator (``_tracker``), started
with the creator's first segment, which removes its names once the creator is gone.
"""
import ctypes
import fcntl
import mmap
import multiprocessing
import os
import secrets
import struct
import sys
import threading
import weakref
from multiprocessing import util

import numpy as np

from .._tensor import Tensor

__all__ = ["Segment", "create_segment", "open_segment", "share_tensor_memory", "sweep",
           "SHM_DIR"]

SHM_DIR = "/dev/shm"
HEADER = 64
_HDR = struct.Struct("qq")  # inflight, released

_lock = threading.RLock()  # re-entrant: weakref callbacks may run under it (GC)
_segments = {}       # name -> weakref to the Segment this process maps
_counter = [0]
_exit_pid = [None]   # pid that registered the exit hook
_watcher = [None, None]  # (pid, pipe write end) of this process's name watcher


def _root_pid():
    root = os.environ.get("EMBER_SHM_ROOT")
    if root is None:
        root = str(os.getpid())
        os.environ["EMBER_SHM_ROOT"] = root
    return root


def _init_root():
    # a spawned child imports its main module (and so Ember) before parent_process() is set,
    # while current_process() is marked as inheriting from the parent
    if multiprocessing.parent_process() is None and \
            not getattr(multiprocessing.current_process(), "_inheriting", False):
        os.environ["EMBER_SHM_ROOT"] = str(os.getpid())


_init_root()


_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                       ctypes.c_int, ctypes.c_long]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_MAP_FAILED = ctypes.c_void_p(-1).value


def _map(fd, size):
    """Map ``size`` bytes of ``fd`` shared and writable, as a ctypes char array that unmaps
    itself when garbage-collected. Unlike ``mmap.mmap`` it keeps no duplicate of ``fd``, so a
    process can hold thousands of segments without running out of file descriptors."""
    ptr = _libc.mmap(None, size, mmap.PROT_READ | mmap.PROT_WRITE, mmap.MAP_SHARED, fd, 0)
    if ptr is None or ptr == _MAP_FAILED:
        err = ctypes.get_errno()
        raise OSError(err, f"mmap of a shared memory segment failed: {os.strerror(err)}")
    buf = (ctypes.c_char * size).from_address(ptr)
    weakref.finalize(buf, _libc.munmap, ptr, size)
    return buf


class Segment:
    """One mapped shared-memory segment: its name, mapping and a uint8 array over the data."""
    __slots__ = ("name", "nbytes", "mm", "buf", "ptr", "creator", "__weakref__")

    def __init__(self, name, nbytes, mm, creator):
        self.name = name
        self.nbytes = nbytes
        self.mm = mm
        self.buf = np.frombuffer(mm, dtype=np.uint8, count=nbytes, offset=HEADER)
        self.ptr = self.buf.__array_interface__["data"][0]
        self.creator = creator

    def array(self, shape, dtype, strides=None, offset=0):
        """An ndarray of ``shape``/``dtype`` over this segment's data at byte ``offset``."""
        return np.ndarray(shape, dtype=dtype, buffer=self.buf, offset=offset, strides=strides)

    def __repr__(self):
        return f"Segment({self.name!r}, nbytes={self.nbytes})"


def _path(name):
    return os.path.join(SHM_DIR, name)


def _creator_of(name):
    parts = name.split("_")
    try:
        return int(parts[2])
    except (IndexError, ValueError):
        return None


def _alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped) no longer uses anything
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _with_header(name, fn):
    """Run ``fn(inflight, released) -> (inflight, released, unlink)`` under the segment's file
    lock; returns False when the name no longer exists."""
    try:
        fd = os.open(_path(name), os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if os.fstat(fd).st_nlink == 0:
            return False
        inflight, released = _HDR.unpack(os.pread(fd, _HDR.size, 0))
        new_inflight, new_released, unlink = fn(inflight, released)
        if unlink:
            try:
                os.unlink(_path(name))
            except FileNotFoundError:
                pass
        elif (new_inflight, new_released) != (inflight, released):
            os.pwrite(fd, _HDR.pack(new_inflight, new_released), 0)
        return True
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _release(name, pid):
    """The creator no longer uses ``name``: unlink it unless handles are in flight."""
    if os.getpid() != pid:  # a forked copy of the creator's objects: not ours to release
        return
    _with_header(name, lambda n, r: (n, 1, n <= 0))


def _receiver_dropped(name):
    creator = _creator_of(name)
    if creator is not None and not _alive(creator):
        _with_header(name, lambda n, r: (n, 1, n <= 0))


def _remember(seg):
    name = seg.name

    def forget(ref):
        with _lock:
            if _segments.get(name) is ref:
                del _segments[name]
    with _lock:
        _segments[name] = weakref.ref(seg, forget)


def _register_exit():
    pid = os.getpid()
    if _exit_pid[0] == pid:
        return
    _exit_pid[0] = pid
    # negative priority: runs after multiprocessing has joined this process's children
    util.Finalize(None, _at_exit, exitpriority=-10)


def _at_exit():
    pid = os.getpid()
    with _lock:
        mine = [n for n, r in _segments.items() if r() is not None and r().creator == pid]
    for name in mine:
        _release(name, pid)
    if str(pid) == os.environ.get("EMBER_SHM_ROOT"):
        sweep(force=True)


if str(os.getpid()) == os.environ.get("EMBER_SHM_ROOT"):
    _register_exit()  # the root sweeps its tree's names at exit, even if it never shared


def _ensure_watcher(pid):
    """Start this process's name watcher once (see ``_tracker``); a forked child gets its own."""
    if _watcher[0] == pid:
        return
    # lazy: ember.multiprocessing._tracker is loaded on first use, not at import
    from . import _tracker
    with _lock:
        if _watcher[0] != pid:
            _watcher[1] = _tracker.start_watcher(_root_pid(), pid)  # kept open until death
            _watcher[0] = pid


def create_segment(nbytes):
    """Create, map and register a new segment with ``nbytes`` of (zeroed) data."""
    nbytes = int(nbytes)
    pid = os.getpid()
    _ensure_watcher(pid)
    with _lock:
        _counter[0] += 1
        n = _counter[0]
    name = f"ember_{_root_pid()}_{pid}_{n}_{secrets.token_hex(4)}"
    fd = os.open(_path(name), os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.ftruncate(fd, HEADER + max(nbytes, 1))
        mm = _map(fd, HEADER + max(nbytes, 1))
    except BaseException:
        os.unlink(_path(name))
        raise
    finally:
        os.close(fd)
    seg = Segment(name, nbytes, mm, pid)
    weakref.finalize(seg, _release, name, pid)
    _remember(seg)
    _register_exit()
    return seg


def pin(name):
    """Count one more handle in flight for ``name`` (called when pickling); False if gone."""
    return _with_header(name, lambda n, r: (n + 1, r, False))


def open_segment(name, nbytes):
    """Map segment ``name`` for a received handle (consuming the handle's in-flight count).

    Mappings are cached per name, so views of one tensor arrive as views of one segment."""
    with _lock:
        ref = _segments.get(name)
        seg = ref() if ref is not None else None
    if seg is not None:
        _with_header(name, lambda n, r: (n - 1, r, n - 1 <= 0 and r))
        return seg
    try:
        fd = os.open(_path(name), os.O_RDWR)
    except FileNotFoundError:
        raise RuntimeError(f"shared memory segment {name!r} no longer exists: the process that "
                           "sent the tensor released it before it was received") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        mm = _map(fd, HEADER + max(int(nbytes), 1))
        inflight, released = _HDR.unpack(os.pread(fd, _HDR.size, 0))
        inflight -= 1
        if inflight <= 0 and released:
            try:
                os.unlink(_path(name))
            except FileNotFoundError:
                pass
        else:
            os.pwrite(fd, _HDR.pack(inflight, released), 0)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    seg = Segment(name, int(nbytes), mm, _creator_of(name))
    weakref.finalize(seg, _receiver_dropped, name)
    _remember(seg)
    _register_exit()
    return seg


def sweep(force=False, pids=None):
    """Unlink names of this process tree whose creator is dead and no handle is in flight;
    also those still in flight when the dead creator is in ``pids`` (its unread messages are
    dropped) or with ``force`` (at the root's exit, which also drops its own)."""
    prefix = f"ember_{_root_pid()}_"
    me = os.getpid()
    try:
        names = [n for n in os.listdir(SHM_DIR) if n.startswith(prefix)]
    except OSError:
        return
    for name in names:
        creator = _creator_of(name)
        if creator is None:
            continue
        dead = not _alive(creator)
        if dead and (force or (pids is not None and creator in pids)) or (force and creator == me):
            try:
                os.unlink(_path(name))
            except FileNotFoundError:
                pass
        elif dead:
            _with_header(name, lambda n, r: (n, 1, n <= 0))


def _owner(arr):
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def _ptr(arr):
    return arr.__array_interface__["data"][0]


def _aliases(root, owner):
    """Tensors other than ``root`` whose data lies in ``owner``'s memory: views (they share the
    root's version counter and name it as ``_base``), ``.data``/``detach()`` aliases and
    Parameters built on it. Skipped (cheap) when reference counts show there are none."""
    import gc
    version = root._version
    own_refs = 4 if root._data is owner else 3  # owner local, argument, getrefcount, root._data
    if sys.getrefcount(version) <= 3 and sys.getrefcount(owner) <= own_refs:
        return []
    lo = _ptr(owner)
    hi = lo + owner.nbytes
    found = {}
    for o in gc.get_referrers(root, version, owner):
        if isinstance(o, Tensor) and o is not root and isinstance(o._data, np.ndarray) \
                and lo <= _ptr(o._data) < max(hi, lo + 1):
            found[id(o)] = o
    return list(found.values())


def share_tensor_memory(t):
    """Move ``t``'s storage (its root tensor and every view/alias of it) into a new shared
    segment, as ``Tensor.share_memory_()`` does; a no-op when already shared."""
    if t._shared is not None:
        return
    if not isinstance(t._data, np.ndarray):
        return  # cuda tensors are shared by their driver
    root = t._base if t._base is not None else t
    if root._shared is not None:
        t._shared = root._shared
        return
    owner = _owner(root._data)
    if owner.flags.c_contiguous:
        targets = [root] + _aliases(root, owner)
        nbytes, raw = owner.nbytes, owner.reshape(-1).view(np.uint8)
    else:
        owner, nbytes, raw = None, root._data.nbytes, None
    seg = create_segment(nbytes)
    if owner is None:  # root over non-contiguous memory: copy root alone, contiguous
        new = seg.array(root._data.shape, root._data.dtype)
        new[...] = root._data
        root._data = new
        root._shared = seg
        if t is not root:
            t._shared = seg
        return
    seg.buf[:nbytes] = raw
    base = _ptr(owner)
    for x in targets:
        old = x._data
        new = seg.array(old.shape, old.dtype, old.strides, _ptr(old) - base)
        if not old.flags.writeable:
            new.flags.writeable = False
        x._data = new
        x._shared = seg
    if t._shared is None:
        t._shared = seg
