"""``ember.cuda``: the GPU device through CuPy (``torch.cuda``'s everyday functions).

Memory statistics come from CuPy's default memory pool: ``memory_allocated`` is the bytes live
arrays hold (``MemoryPool.used_bytes``), ``memory_reserved`` adds the freed blocks the pool keeps
(``total_bytes``), ``empty_cache`` returns those to the driver (``free_all_blocks``). The peaks
(``max_memory_*``) are tracked by an allocator Ember installs in front of the pool the first
time a peak is asked for or reset (one Python call per allocation from then on); allocations
made before that count only through the current value at that moment.
Random numbers for cuda tensors are drawn on the host by Ember's generator and copied over, so
``manual_seed`` here seeds that same generator (one seed gives the same numbers on every device).
"""
from ._device import cuda_available, _import_cupy, device as _device_cls, _NO_CUDA
from .ops.random import initial_seed as _i, manual_seed as _seed, seed as _s

__all__ = ["is_available", "is_initialized", "init", "device_count", "current_device",
           "set_device", "device", "get_device_name", "get_device_capability",
           "get_device_properties", "synchronize", "manual_seed", "manual_seed_all", "seed",
           "seed_all", "initial_seed", "memory_allocated", "max_memory_allocated",
           "memory_reserved", "max_memory_reserved", "reset_peak_memory_stats",
           "reset_max_memory_allocated", "empty_cache", "mem_get_info", "memory_stats"]


def _xp():
    if not cuda_available():
        raise AssertionError(_NO_CUDA)  # PyTorch's type and text on a build without CUDA
    return _import_cupy()


def _index(device):
    if device is None:
        return current_device()
    if isinstance(device, int):
        return device
    d = _device_cls(device) if isinstance(device, str) else device
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return d.index if d.index is not None else current_device()


def is_available():
    """True when CuPy is installed and a GPU is visible (``torch.cuda.is_available``)."""
    return cuda_available()


def is_initialized():
    """True once the cuda backend can be used; False without a GPU
    (``torch.cuda.is_initialized``)."""
    return cuda_available()


def init():
    """Initialise the cuda backend; AssertionError without a GPU (``torch.cuda.init``)."""
    _xp()


def device_count():
    """Number of visible GPUs, 0 without CuPy or a GPU (``torch.cuda.device_count``)."""
    if not is_available():
        return 0
    return int(_import_cupy().cuda.runtime.getDeviceCount())


def current_device():
    """Index of the current GPU (``torch.cuda.current_device``)."""
    return int(_xp().cuda.runtime.getDevice())


def set_device(device):
    """Make ``device`` the current GPU (``torch.cuda.set_device``)."""
    i = _index(device)
    xp = _xp()
    dev = xp.cuda.Device(i)
    if hasattr(dev, "use"):
        dev.use()


class device:
    """Context manager making a GPU current for its block (``torch.cuda.device``)."""

    def __init__(self, device):
        self.idx = device if isinstance(device, int) else (
            -1 if device is None else _index(device))
        self._ctx = None

    def __enter__(self):
        if not cuda_available():
            raise RuntimeError("PyTorch was compiled without CUDA support")
        if self.idx >= 0:
            self._ctx = _xp().cuda.Device(self.idx)
            self._ctx.__enter__()
        return self

    def __exit__(self, *exc):
        if self._ctx is not None:
            self._ctx.__exit__(*exc)
        return False


def get_device_properties(device=None):
    """The GPU's properties as a small object with ``name``, ``total_memory``, ``major``,
    ``minor``, ``multi_processor_count`` (``torch.cuda.get_device_properties``)."""
    props = _xp().cuda.runtime.getDeviceProperties(_index(device))
    name = props["name"]
    return _Properties(name.decode() if isinstance(name, bytes) else str(name),
                       int(props["totalGlobalMem"]), int(props["major"]), int(props["minor"]),
                       int(props.get("multiProcessorCount", 0)))


class _Properties:
    __slots__ = ("name", "total_memory", "major", "minor", "multi_processor_count")

    def __init__(self, name, total_memory, major, minor, mpc):
        self.name, self.total_memory, self.major, self.minor = name, total_memory, major, minor
        self.multi_processor_count = mpc

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, "
                f"minor={self.minor}, total_memory={self.total_memory // 2 ** 20}MB, "
                f"multi_processor_count={self.multi_processor_count})")


def get_device_name(device=None):
    """The GPU's name (``torch.cuda.get_device_name``)."""
    return get_device_properties(device).name


def get_device_capability(device=None):
    """The GPU's compute capability as (major, minor) (``torch.cuda.get_device_capability``)."""
    p = get_device_properties(device)
    return (p.major, p.minor)


def synchronize(device=None):
    """Wait for all queued GPU work to finish (``torch.cuda.synchronize``)."""
    xp = _xp()
    xp.cuda.Device(_index(device)).synchronize()


# ---- random numbers (drawn on the host by ember's generator) -------------------------------
def manual_seed(seed):
    """Seed the generator cuda tensors draw from: Ember's one generator, so this also reseeds
    cpu sampling; without a GPU it does nothing, as in PyTorch (``torch.cuda.manual_seed``)."""
    if is_available():
        _seed(seed)


manual_seed_all = manual_seed


def seed():
    """Seed from OS entropy; nothing without a GPU (``torch.cuda.seed``)."""
    if is_available():
        _s()


seed_all = seed


def initial_seed():
    """The seed the generator started from; AssertionError without a GPU
    (``torch.cuda.initial_seed``)."""
    _xp()
    return _i()


# ---- memory statistics from CuPy's pool ----------------------------------------------------
class _Tracker:
    """An allocator in front of CuPy's pool that records peak used and reserved bytes."""
    __slots__ = ("pool", "inner", "peak_used", "peak_total")

    def __init__(self, xp):
        self.pool = xp.get_default_memory_pool()
        self.inner = self.pool.malloc
        self.peak_used = self.pool.used_bytes()
        self.peak_total = self.pool.total_bytes()

    def __call__(self, size):
        mem = self.inner(size)
        used = self.pool.used_bytes()
        if used > self.peak_used:
            self.peak_used = used
            total = self.pool.total_bytes()
            if total > self.peak_total:
                self.peak_total = total
        return mem


_tracker = [None, None]  # (array module, tracker)


def _pool_tracker():
    xp = _xp()
    if _tracker[0] is not xp:
        t = _Tracker(xp)
        xp.cuda.set_allocator(t)
        _tracker[0], _tracker[1] = xp, t
    return _tracker[1]


def memory_allocated(device=None):
    """Bytes held by live cuda tensors; 0 without a GPU (``torch.cuda.memory_allocated``)."""
    if not is_available():
        return 0
    return int(_import_cupy().get_default_memory_pool().used_bytes())


def max_memory_allocated(device=None):
    """Peak of ``memory_allocated`` since tracking began or the last reset
    (``torch.cuda.max_memory_allocated``); 0 without a GPU."""
    if not is_available():
        return 0
    t = _pool_tracker()
    t.peak_used = max(t.peak_used, t.pool.used_bytes())
    return int(t.peak_used)


def memory_reserved(device=None):
    """Bytes the memory pool holds, in use or cached; 0 without a GPU
    (``torch.cuda.memory_reserved``)."""
    if not is_available():
        return 0
    return int(_import_cupy().get_default_memory_pool().total_bytes())


def max_memory_reserved(device=None):
    """Peak of ``memory_reserved``; 0 without a GPU (``torch.cuda.max_memory_reserved``)."""
    if not is_available():
        return 0
    t = _pool_tracker()
    t.peak_total = max(t.peak_total, t.pool.total_bytes())
    return int(t.peak_total)


def reset_peak_memory_stats(device=None):
    """Restart the peaks from the current values; nothing without a GPU
    (``torch.cuda.reset_peak_memory_stats``)."""
    if not is_available():
        return
    t = _pool_tracker()
    t.peak_used = t.pool.used_bytes()
    t.peak_total = t.pool.total_bytes()


reset_max_memory_allocated = reset_peak_memory_stats


def empty_cache():
    """Return the pool's cached, unused blocks to the driver (``torch.cuda.empty_cache``)."""
    if is_available():
        _import_cupy().get_default_memory_pool().free_all_blocks()


def mem_get_info(device=None):
    """(free, total) bytes of GPU memory (``torch.cuda.mem_get_info``)."""
    free, total = _xp().cuda.runtime.memGetInfo()
    return int(free), int(total)


def memory_stats(device=None):
    """A few of ``torch.cuda.memory_stats``' keys: allocated and reserved bytes, current and
    peak; empty without a GPU."""
    if not is_available():
        return {}
    return {"allocated_bytes.all.current": memory_allocated(device),
            "allocated_bytes.all.peak": max_memory_allocated(device),
            "reserved_bytes.all.current": memory_reserved(device),
            "reserved_bytes.all.peak": max_memory_reserved(device)}


from ._unsupported import install as _install_missing  # noqa: E402
_install_missing(__name__)
del _install_missing
