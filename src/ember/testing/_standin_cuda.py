"""The device side of ``ember.testing.standin_cupy``: a counting memory pool, one fake device,
and the ``cuda`` namespace (``Device``, ``runtime``, ``set_allocator`` ...) ``ember.cuda`` uses.
"""
import types
import weakref

# ---- memory pool ---------------------------------------------------------------------------
class _Memory:
    """One device allocation (``cupy.cuda.Memory``): a size and a fake pointer."""
    __slots__ = ("size", "ptr", "__weakref__")

    def __init__(self, size, ptr):
        self.size, self.ptr = size, ptr


class MemoryPool:
    """Counts live device bytes (``cupy.cuda.MemoryPool``): ``used_bytes`` is what live arrays
    hold, ``total_bytes`` adds the freed blocks the pool keeps cached until ``free_all_blocks``."""

    def __init__(self):
        self._used = 0
        self._cached = 0

    def malloc(self, size):
        """Count a new allocation of ``size`` bytes; returns its ``Memory`` (freed with it)."""
        size = int(size)
        take = min(size, self._cached)
        self._cached -= take
        self._used += size
        mem = _Memory(size, 0)
        weakref.finalize(mem, self._free, size)
        return mem

    def _free(self, size):
        self._used -= size
        self._cached += size

    def used_bytes(self):
        """Bytes held by live arrays."""
        return self._used

    def total_bytes(self):
        """Bytes held by live arrays plus the cached free blocks."""
        return self._used + self._cached

    def free_bytes(self):
        """Bytes in cached free blocks."""
        return self._cached

    def free_all_blocks(self, stream=None):
        """Release the cached free blocks."""
        self._cached = 0


_POOL = MemoryPool()
_allocator = [_POOL.malloc]


def get_default_memory_pool():
    """The pool every stand-in allocation is counted in."""
    return _POOL


def allocate(nbytes):
    """Memory for a new array of ``nbytes``, through the current allocator."""
    return _allocator[0](nbytes)


class _Device:
    __slots__ = ("id",)

    def __init__(self, i=0):
        self.id = i

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def synchronize(self):
        """Wait for the device (nothing to wait for on the stand-in)."""

    def use(self):
        """Make this device current (there is only one)."""

    def __repr__(self):
        return f"<CUDA Device {self.id}>"

    def __eq__(self, other):
        return isinstance(other, _Device) and other.id == self.id

    def __hash__(self):
        return self.id


def _set_allocator(allocator=None):
    _allocator[0] = _POOL.malloc if allocator is None else allocator


def _get_allocator():
    return _allocator[0]


class _Runtime:
    """``cupy.cuda.runtime``: one device, named like a GPU that is not there."""
    @staticmethod
    def getDeviceCount():
        return 1

    @staticmethod
    def getDevice():
        return 0

    @staticmethod
    def getDeviceProperties(i):
        if i != 0:
            raise RuntimeError(f"cudaErrorInvalidDevice: invalid device ordinal {i}")
        return {"name": b"Ember stand-in CUDA device", "totalGlobalMem": 16 * 2 ** 30,
                "major": 8, "minor": 0, "multiProcessorCount": 1}

    @staticmethod
    def memGetInfo():
        return (16 * 2 ** 30 - _POOL.total_bytes(), 16 * 2 ** 30)


class _Stream:
    def __init__(self, null=False, non_blocking=False):
        pass

    def synchronize(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


cuda = types.ModuleType("cuda")
cuda.Device = _Device
cuda.runtime = _Runtime()
cuda.MemoryPool = MemoryPool
cuda.Memory = _Memory
cuda.set_allocator = _set_allocator
cuda.get_allocator = _get_allocator
cuda.get_current_stream = lambda: _Stream()
cuda.Stream = _Stream
cuda.is_available = lambda: True
