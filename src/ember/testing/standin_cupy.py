"""A strict stand-in for CuPy, for testing Ember's ``cuda`` device on machines without a GPU.

The array type wraps a NumPy array but is *not* an ``np.ndarray``, reports device ``cuda:0``,
and refuses implicit conversion to host memory the way CuPy does: ``np.asarray(a)`` raises
TypeError (``__array__``), mixing it with NumPy arrays in an operator or a module function
raises TypeError, and it has no ``__array_interface__``, no buffer protocol and no
``flags.writeable``. Host copies are explicit: ``a.get()``, ``asnumpy(a)``, ``a.item()``,
``a.tolist()``, as in CuPy. Device memory is counted by a small pool (``get_default_memory_pool``)
so ``ember.cuda``'s memory statistics can be tested.

The module namespace forwards to NumPy: each function unwraps its arguments, calls NumPy (with
floating-point warnings off: GPUs do not warn) and wraps the array results; NumPy scalars come
back as 0-d arrays, as CuPy's reductions return them. Use it through
``ember.testing.use_standin_cuda()`` or the environment variable ``EMBER_STANDIN_CUDA=1``.
"""
import sys
import types

import numpy as _np

# device side: memory pool, device, the cuda namespace
from ._standin_cuda import (MemoryPool, get_default_memory_pool, allocate, cuda,  # noqa: F401
                            _Device)
from .._backend import special

__all__ = ["ndarray", "asarray", "array", "asnumpy", "ascontiguousarray", "get_array_module",
           "get_default_memory_pool", "MemoryPool", "cuda", "random", "linalg", "lib", "fft",
           "ufunc"]

_HOST_MSG = ("Implicit conversion to a NumPy array is not allowed. Please use `.get()` to "
             "construct a NumPy array explicitly.")

# device-to-host reads (get, item, tolist, bool/int/float of an array): each one is a
# synchronisation on a real GPU; tests count them to keep training steps free of them
transfers = {"to_host": 0}


def _count_host_read():
    transfers["to_host"] += 1


# ---- the array -----------------------------------------------------------------------------
class _Pointer:
    """``a.data`` (``cupy.cuda.MemoryPointer``): the address of the first element."""
    __slots__ = ("ptr", "mem")

    def __init__(self, ptr, mem):
        self.ptr, self.mem = ptr, mem


class _Flags:
    __slots__ = ("c_contiguous", "f_contiguous", "owndata")

    def __init__(self, a, owndata):
        self.c_contiguous = a.flags.c_contiguous
        self.f_contiguous = a.flags.f_contiguous
        self.owndata = owndata

    def __getitem__(self, key):
        return getattr(self, {"C_CONTIGUOUS": "c_contiguous", "F_CONTIGUOUS": "f_contiguous",
                              "OWNDATA": "owndata"}[key])


_DEVICE0 = _Device(0)


class ndarray:
    """A device array (``cupy.ndarray``) over a NumPy array that never leaves implicitly."""
    __slots__ = ("_a", "_mem", "__weakref__")
    __array_ufunc__ = None  # NumPy's operators defer to ours, which refuse host arrays
    __array_function__ = None

    def __init__(self, shape, dtype=float, memptr=None, strides=None, order="C"):
        _init_array(self, _np.empty(shape, dtype=dtype, order=order), None)

    # -- attributes CuPy has
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    strides = property(lambda self: self._a.strides)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    device = property(lambda self: _DEVICE0)
    flags = property(lambda self: _Flags(self._a, self._a.base is None))
    data = property(lambda self: _Pointer(self._a.__array_interface__["data"][0], self._mem))
    base = property(lambda self: None if self._a.base is None else _view(self._a.base, self))
    T = property(lambda self: _view(self._a.T, self))
    real = property(lambda self: _view(self._a.real, self))
    imag = property(lambda self: _view(self._a.imag, self) if self._a.dtype.kind == "c"
                    else _wrap(self._a.imag.copy()))

    @property
    def __cuda_array_interface__(self):
        return {"shape": self.shape, "typestr": self.dtype.str, "version": 3,
                "data": (self._a.__array_interface__["data"][0], False),
                "strides": None if self._a.flags.c_contiguous else self.strides}

    # -- explicit host copies (as CuPy)
    def get(self, stream=None, order="C", out=None):
        """A NumPy copy of this array (``cupy.ndarray.get``)."""
        _count_host_read()
        if out is not None:
            out[...] = self._a
            return out
        return _np.array(self._a, order=order)

    def item(self):
        """The single element as a Python number (a device-to-host read)."""
        _count_host_read()
        return self._a.item()

    def tolist(self):
        """Nested Python lists of the elements (a device-to-host read)."""
        _count_host_read()
        return self._a.tolist()

    def __array__(self, dtype=None, copy=None):
        raise TypeError(_HOST_MSG)

    def __iter__(self):
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self._a.shape[0]))

    def __len__(self):
        return len(self._a)

    def __bool__(self):
        _count_host_read()
        return bool(self._a)

    def __int__(self):
        _count_host_read()
        return int(self._a)

    def __float__(self):
        _count_host_read()
        return float(self._a)

    def __complex__(self):
        _count_host_read()
        return complex(self._a)

    def __index__(self):
        _count_host_read()
        return self._a.__index__()

    def __repr__(self):
        return repr(self._a)

    def __str__(self):
        return str(self._a)

    def __reduce__(self):
        return (_from_host, (self.get(),))

    def __copy__(self):
        return _wrap(self._a.copy())

    def __deepcopy__(self, memo):
        return _wrap(self._a.copy())

    # -- indexing
    def __getitem__(self, key):
        k = _unwrap_key(key)
        r = self._a[k]
        if isinstance(r, _np.generic):  # CuPy gives a 0-d view where NumPy gives a scalar copy
            kt = tuple(x for x in (k if type(k) is tuple else (k,)) if x is not Ellipsis)
            r = self._a[kt + (Ellipsis,)]
        return _view(r, self) if isinstance(r, _np.ndarray) and r.base is not None else _wrap(r)

    def __setitem__(self, key, value):
        a = _writable(self._a)
        with _np.errstate(all="ignore"):
            a[_unwrap_key(key)] = _unwrap(value)

    # -- methods: forward to NumPy, unwrap arguments, wrap results
    def __getattr__(self, name):
        if name.startswith("__") or name in _NO_METHOD:
            raise AttributeError(f"'cupy.ndarray' object has no attribute '{name}'")
        attr = getattr(self._a, name)
        if not callable(attr):
            return _wrap(attr)

        def method(*args, **kwargs):
            with _np.errstate(all="ignore"):
                r = attr(*_unwrap(args), **_unwrap(kwargs))
            if isinstance(r, _np.ndarray) and r.base is not None and name in _VIEW_METHODS:
                return _view(r, self)
            return _wrap(r)
        method.__name__ = name
        return method

    def view(self, dtype=None):
        """A view of the same memory, optionally reinterpreted as ``dtype``."""
        return _view(self._a.view(dtype) if dtype is not None else self._a.view(), self)

    def reshape(self, *shape, order="C"):
        """``shape`` over the same memory when possible, else a copy (as NumPy and CuPy)."""
        r = self._a.reshape(*shape, order=order)
        return _view(r, self) if r.base is not None else _wrap(r)

    def fill(self, value):
        """Set every element to ``value`` in place."""
        _writable(self._a).fill(_unwrap(value))


# methods NumPy has and CuPy lacks, or that would leak host memory
_NO_METHOD = frozenset({"tobytes", "tofile", "dump", "dumps", "ctypes", "__array_interface__",
                        "__array_struct__", "setflags", "getfield", "itemset", "resize"})
_VIEW_METHODS = frozenset({"transpose", "swapaxes", "squeeze", "ravel", "diagonal", "view",
                           "reshape", "__getitem__"})


def _init_array(self, a, mem):
    self._a = a
    self._mem = mem if mem is not None else allocate(a.nbytes)


def _wrap_array(a, mem=None):
    t = object.__new__(ndarray)
    _init_array(t, a, mem)
    return t


def _view(a, src):
    """Wrap NumPy view ``a`` of ``src``'s memory (shares ``src``'s allocation)."""
    return _wrap_array(a, src._mem)


def _from_host(a):
    return _wrap_array(_np.array(a))


def _wrap(r):
    """Wrap NumPy results: arrays and NumPy scalars become stand-in arrays; containers map."""
    if isinstance(r, _np.ndarray):
        return _wrap_array(r)
    if isinstance(r, _np.generic):
        return _wrap_array(_np.asarray(r))
    if type(r) is list:
        return [_wrap(x) for x in r]
    if isinstance(r, tuple):  # NumPy's named results (QRResult ...) come back as plain tuples
        return tuple(_wrap(x) for x in r)
    return r


def _unwrap(x):
    """Stand-in arrays to NumPy; NumPy arrays are refused (CuPy's TypeError); containers map."""
    if type(x) is ndarray:
        return x._a
    if isinstance(x, _np.ndarray):
        raise TypeError(f"Unsupported type {type(x)}")
    t = type(x)
    if t is tuple or t is list:
        return t(_unwrap(v) for v in x)
    if t is dict:
        return {k: _unwrap(v) for k, v in x.items()}
    if hasattr(x, "__array__") and not isinstance(x, (_np.generic, type)) and \
            type(x).__module__.split(".")[0] in ("ember", "torch"):
        raise TypeError(f"Unsupported type {type(x)}")
    return x


def _unwrap_key(key):
    """Index keys: stand-in arrays unwrap; host integer arrays and lists are accepted (CuPy
    copies them to the device)."""
    if type(key) is ndarray:
        return key._a
    if type(key) is tuple:
        return tuple(k._a if type(k) is ndarray else k for k in key)
    return key


def _writable(a):
    """CuPy arrays are always writable, broadcast views included; NumPy marks some read-only."""
    if a.flags.writeable:
        return a
    root = a
    while root.base is not None and isinstance(root.base, _np.ndarray):
        root = root.base
        if root.flags.writeable:
            break
    if not root.flags.writeable:
        return a
    off = a.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return _np.ndarray(a.shape, a.dtype, buffer=root, offset=off, strides=a.strides)


def _binop(name):
    def op(self, other):
        o = _unwrap(other)
        with _np.errstate(all="ignore"):
            r = getattr(self._a, name)(o)
        return r if r is NotImplemented else _wrap(r)
    op.__name__ = name
    return op


def _iop(name):
    def op(self, other):
        a = _writable(self._a)
        with _np.errstate(all="ignore"):
            getattr(a, name)(_unwrap(other))
        return self
    op.__name__ = name
    return op


def _unop(name):
    def op(self):
        with _np.errstate(all="ignore"):
            return _wrap(getattr(self._a, name)())
    op.__name__ = name
    return op


for _n in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or",
           "xor", "lshift", "rshift", "divmod"):
    setattr(ndarray, f"__{_n}__", _binop(f"__{_n}__"))
    setattr(ndarray, f"__r{_n}__", _binop(f"__r{_n}__"))
    if _n != "divmod":
        setattr(ndarray, f"__i{_n}__", _iop(f"__i{_n}__"))
for _n in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(ndarray, f"__{_n}__", _binop(f"__{_n}__"))
for _n in ("neg", "pos", "abs", "invert"):
    setattr(ndarray, f"__{_n}__", _unop(f"__{_n}__"))
ndarray.__hash__ = None


# ---- module functions ----------------------------------------------------------------------
class ufunc:
    """A NumPy ufunc behind CuPy's interface: call, ``reduce``, ``accumulate``, ``at`` ..."""
    __slots__ = ("_f", "__name__")

    def __init__(self, f):
        self._f = f
        self.__name__ = f.__name__

    def __call__(self, *args, **kwargs):
        for a in args:  # CuPy's ufuncs take device arrays and scalars only
            if isinstance(a, (list, tuple)):
                raise TypeError(f"Unsupported type {type(a)}")
        return _call(self._f, args, kwargs)

    def at(self, a, indices, b=None):
        arr = _writable(_unwrap(a))
        with _np.errstate(all="ignore"):
            self._f.at(arr, _unwrap_key(indices), *(() if b is None else (_unwrap(b),)))

    def __getattr__(self, name):
        attr = getattr(self._f, name)
        return _function(attr) if callable(attr) else attr


def _call(f, args, kwargs):
    out = kwargs.get("out")
    kw = _unwrap(kwargs) if out is None else \
        dict(_unwrap({k: v for k, v in kwargs.items() if k != "out"}),
             out=tuple(_writable(_unwrap(o)) for o in out) if type(out) is tuple
             else _writable(_unwrap(out)))
    with _np.errstate(all="ignore"):
        r = f(*_unwrap(args), **kw)
    if out is not None and type(out) is ndarray and isinstance(r, _np.ndarray):
        return out
    return _wrap(r)


_WRITES_FIRST = frozenset({"copyto", "put_along_axis", "put", "place", "putmask",
                           "fill_diagonal"})


def _function(f):
    if getattr(f, "__name__", "") in _WRITES_FIRST:  # in-place into the first argument
        def fn(dst, *args, **kwargs):
            target = _wrap_array(_writable(_unwrap(dst)), dst._mem) if type(dst) is ndarray \
                else dst
            return _call(f, (target,) + args, kwargs)
    else:
        def fn(*args, **kwargs):
            return _call(f, args, kwargs)
    fn.__name__ = getattr(f, "__name__", "function")
    fn.__doc__ = getattr(f, "__doc__", None)
    return fn


def _forward(obj, name):
    attr = getattr(obj, name)
    if isinstance(attr, _np.ufunc):
        return ufunc(attr)
    if isinstance(attr, type) or isinstance(attr, types.ModuleType) or not callable(attr):
        return attr
    return _function(attr)


def asarray(a, dtype=None, order=None):
    """A device array from stand-in or host data (an explicit host-to-device copy)."""
    if type(a) is ndarray:
        if dtype is None or a.dtype == _np.dtype(dtype):
            return a
        return _wrap(a._a.astype(dtype))
    return _wrap_array(_np.array(_host_data(a), dtype=dtype, order=order or "K"))


def array(obj, dtype=None, copy=True, order="K", ndmin=0):
    """A new device array (a copy) from stand-in or host data."""
    src = obj._a if type(obj) is ndarray else _host_data(obj)
    if not copy and type(obj) is ndarray and (dtype is None or obj.dtype == _np.dtype(dtype)):
        return obj
    return _wrap_array(_np.array(src, dtype=dtype, order=order, ndmin=ndmin))


def _host_data(a):
    if type(a) in (list, tuple):
        return type(a)(_host_data(x) for x in a)
    if type(a).__module__.split(".")[0] in ("ember", "torch"):
        raise TypeError(f"Unsupported type {type(a)}")
    return a


def ascontiguousarray(a, dtype=None):
    """``a`` as a C-contiguous device array; refuses host arrays (as CuPy)."""
    arr = _unwrap(a)
    if not isinstance(arr, _np.ndarray):
        arr = _np.asarray(arr)
    r = _np.ascontiguousarray(arr, dtype=dtype)
    if type(a) is ndarray and r is a._a:
        return a
    return _wrap_array(r)


def asnumpy(a, stream=None, order="C", out=None):
    """A NumPy copy of ``a`` (host arrays pass through)."""
    return a.get(order=order, out=out) if type(a) is ndarray else _np.asarray(a, order=order)


def get_array_module(*args):
    """This module when some argument is a stand-in array, else NumPy."""
    return sys.modules[__name__] if any(type(a) is ndarray for a in args) else _np


class _Namespace(types.ModuleType):
    """A submodule (``linalg``, ``fft``, ``random``) forwarding to its NumPy counterpart."""

    def __init__(self, name, target, **extra):
        super().__init__(name)
        self._target = target
        self.__dict__.update(extra)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _forward(self._target, name)


linalg = _Namespace("linalg", _np.linalg, LinAlgError=_np.linalg.LinAlgError)
fft = _Namespace("fft", _np.fft)
random = _Namespace("random", _np.random)
lib = types.ModuleType("lib")
lib.stride_tricks = _Namespace("stride_tricks", _np.lib.stride_tricks)


def _as_strided(x, shape=None, strides=None):
    return _view(_np.lib.stride_tricks.as_strided(x._a, shape, strides), x)


def _sliding_window_view(x, window_shape, axis=None, **kw):
    return _view(_np.lib.stride_tricks.sliding_window_view(x._a, window_shape, axis, **kw), x)


lib.stride_tricks.as_strided = _as_strided
lib.stride_tricks.sliding_window_view = _sliding_window_view


def __getattr__(name):
    if name.startswith("__") or name in ("errstate", "seterr", "frombuffer", "fromfile",
                                         "memmap", "ctypeslib", "save", "load"):
        raise AttributeError(f"module 'cupy' has no attribute '{name}'")
    return _forward(_np, name)


class _Special(types.ModuleType):
    """``cupyx.scipy.special`` for the stand-in: Ember's own host kernels on the wrapped arrays."""
    _NAMES = {"erf": "erf", "erfc": "erfc", "erfinv": "erfinv", "gammaln": "lgamma",
              "psi": "digamma"}

    def __getattr__(self, name):
        if name == "polygamma":
            return lambda n, x: _wrap(special.polygamma(_np, n, _unwrap(x)))
        if name not in self._NAMES:
            raise AttributeError(f"module 'cupyx.scipy.special' has no attribute '{name}'")
        fn = getattr(special, self._NAMES[name])
        return lambda x: _wrap(fn(_np, _unwrap(x)))


_cupyx_special = _Special("cupyx.scipy.special")
