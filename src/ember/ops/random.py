"""Random numbers: Generator objects, the default generator, sampling functions and in-place
initialisers. Streams come from NumPy's PCG64, so values differ from PyTorch's (which uses a
Mersenne Twister); distributions, shapes, dtypes and seeding semantics match.
"""
import math
import numbers

from .. import _backend as B, _checks, _dtype as D
from .._backend import rng
from .._device import to_device
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import no_grad
from ._registry import register
from ._inplace import _cap, handle_out



@register(method=False)
class Generator:
    """A random-number generator with its own state (``torch.Generator``)."""

    def __init__(self, device="cpu"):
        self.device = to_device(device)
        self._seed = 67280421310721
        self._stream = None  # made on first draw (NumPy's random module loads on demand)

    @property
    def _rng(self):
        if self._stream is None:
            self._stream = rng.new_stream(self._seed)
        return self._stream

    @_rng.setter
    def _rng(self, stream):
        self._stream = stream

    def manual_seed(self, seed):
        """Reseed; returns the generator."""
        seed = int(seed)
        if not -(1 << 63) <= seed < (1 << 64):
            raise ValueError("Overflow when unpacking long long")
        if seed < 0:
            seed &= 0xFFFF_FFFF_FFFF_FFFF
        self._seed = seed
        self._rng = rng.new_stream(seed)
        return self

    def seed(self):
        """Reseed from OS entropy; returns the new seed."""
        s = rng.entropy_seed()
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The state as a uint8 tensor (round-trips through ``set_state``)."""
        return _wrap(rng.stream_state(self._seed, self._rng))

    def set_state(self, new_state):
        """Restore a state from ``get_state``."""
        if not isinstance(new_state, Tensor) or new_state.dtype is not D.uint8:
            raise TypeError("expected a torch.ByteTensor as the new state")
        self._seed = rng.restore_stream(self._rng, B.to_host(new_state._data).tobytes())
        return self

    def __reduce__(self):
        return (_restore_generator, (self.get_state(),))


def _restore_generator(state):
    g = Generator()
    g.set_state(state)
    return g


default_generator = Generator()
register("default_generator", default_generator, method=False)


@register(method=False)
def manual_seed(seed):
    """Seed the default generator (``torch.manual_seed``); returns it."""
    return default_generator.manual_seed(seed)


@register(method=False)
def seed():
    """Seed the default generator from OS entropy and return the seed."""
    return default_generator.seed()


@register(method=False)
def initial_seed():
    """The seed the default generator was last seeded with (``torch.initial_seed``)."""
    return default_generator.initial_seed()


@register(method=False)
def get_rng_state():
    """The default generator's state as a uint8 tensor."""
    return default_generator.get_state()


@register(method=False)
def set_rng_state(new_state):
    """Restore the default generator's state."""
    default_generator.set_state(new_state)


@register(method=False)
class fork_rng:
    """Context manager that restores the default generator's state on exit."""

    def __init__(self, devices=None, enabled=True, **kwargs):
        self.enabled = enabled

    def __enter__(self):
        if self.enabled:
            self.state = get_rng_state()

    def __exit__(self, *exc):
        if self.enabled:
            set_rng_state(self.state)


def _rng(generator):
    return (generator or default_generator)._rng


def _move(arr, device):
    return B.transfer(arr, to_device(device))


def _shape(size, fn="rand"):
    shape = _checks.check_size(fn, size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(shape)}: {list(shape)}")
    _checks.check_alloc(_checks.check_numel(shape, 8) * 4)
    return shape


def _float_dtype(dtype, kernel="check_uniform_bounds"):
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    if not (dt.is_floating_point or dt.is_complex):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_cap(dt)}'")
    return dt


def _make(arr, dtype, device, requires_grad):
    t = _wrap(_move(arr.astype(dtype.np, copy=False), device))
    if requires_grad:
        t.requires_grad_(True)
    return t


@register(method=False)
def rand(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """Uniform samples on [0, 1) (``torch.rand``)."""
    size = args if size is None else (size,)
    dt = _float_dtype(dtype)
    np_dtype = D.float64.np if dt is D.float64 else D.float32.np
    arr = _rng(generator).random(_shape(size), dtype=np_dtype)
    return _out(_make(arr, dt, device, requires_grad), out)


@register(method=False)
def randn(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """Standard normal samples (``torch.randn``)."""
    size = args if size is None else (size,)
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    shape = _shape(size, "randn")
    if dt.is_complex:
        r = _rng(generator).standard_normal(shape + (2,)) / math.sqrt(2)
        arr = r[..., 0] + 1j * r[..., 1]
    else:
        arr = _rng(generator).standard_normal(shape, dtype=D.float64.np if dt is D.float64
                                              else D.float32.np)
    return _out(_make(arr, dt, device, requires_grad), out)


_MISSING = object()


@register(method=False)
def randint(low=0, high=_MISSING, size=_MISSING, *, generator=None, out=None, dtype=None,
            device=None, requires_grad=False):
    """Integers uniform on [low, high) (``torch.randint``); int64 by default."""
    if high is None or size is None or (high is _MISSING and size is _MISSING):
        raise TypeError("randint() received an invalid combination of arguments - expected "
                        "(int high, tuple of ints size) or (int low, int high, tuple of ints "
                        "size)")
    high = None if high is _MISSING else high
    size = None if size is _MISSING else size
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    low = _checks.check_int("randint", low, "low")
    high = _checks.check_int("randint", high, "high")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    if dt.is_complex:
        raise RuntimeError("check_random_bounds handles only integral, floating-point and boolean "
                           "types")
    if dt is D.bool_ and high > 2:
        raise RuntimeError("to - 1 is out of bounds for bool")
    if isinstance(size, Tensor) or not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not "
                        f"{type(size).__name__}")
    size = _checks.check_size("randint", (tuple(size),))
    if any(s < 0 for s in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(size)}: {list(size)}")
    _checks.check_numel(size, 8)
    arr = _rng(generator).integers(low, high, size=tuple(size))
    return _out(_make(arr, dt, device, requires_grad), out)


@register(method=False)
def randperm(n, *, generator=None, out=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0..n-1 (``torch.randperm``)."""
    n = _checks.check_int("randperm", n, "n", 1)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    _checks.check_alloc(n * 8)
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    if dt is D.bool_ or dt.is_complex:
        raise NotImplementedError(f"\"randperm\" not implemented for '{_cap(dt)}'")
    return _out(_make(_rng(generator).permutation(int(n)), dt, device, requires_grad), out)


def _out(result, out):
    if out is None:
        return result
    return handle_out(result, out)


@register(method=False)
def rand_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    """Uniform [0, 1) samples shaped like ``input`` (``torch.rand_like``)."""
    return rand(tuple(input.shape), dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


@register(method=False)
def randn_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    """Standard normal samples shaped like ``input`` (``torch.randn_like``)."""
    return randn(tuple(input.shape), dtype=dtype or input.dtype, device=device or input.device,
                 requires_grad=requires_grad)


@register(method=False)
def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False,
                 memory_format=None):
    """Random integers in [low, high) shaped like ``input`` (``torch.randint_like``)."""
    if high is None:  # randint_like(input, high)
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype,
                   device=device or input.device)


@register(method=False)
def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, device=None,
           requires_grad=False):
    """Normal samples; mean and std may be tensors (broadcast) or numbers with ``size``."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        ref = mean if isinstance(mean, Tensor) else std
        if isinstance(std, Tensor) and bool((std._data < 0).any()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        if not isinstance(std, Tensor) and std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
        shape = B.broadcast_shapes(getattr(mean, "shape", ()), getattr(std, "shape", ()))
        z = randn(tuple(shape), generator=generator, dtype=ref.dtype, device=ref.device)
        with no_grad():
            return _out(mean + std * z, out)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    z = randn(tuple(size), generator=generator, dtype=dtype, device=device)
    with no_grad():
        r = z * std + mean
    if requires_grad:
        r.requires_grad_(True)
    return _out(r, out)


@register(method=False)
def bernoulli(input, p=_MISSING, *, generator=None, out=None):
    """Samples 1 with probability ``input`` (or ``p``) elementwise (``torch.bernoulli``)."""
    if p is None:  # an explicit None matches none of PyTorch's overloads
        raise TypeError("bernoulli() received an invalid combination of arguments - got "
                        "(Tensor, NoneType)")
    p = None if p is _MISSING else p
    if p is not None:
        if isinstance(p, Tensor) or not isinstance(p, numbers.Real):
            if not isinstance(p, Tensor):
                raise TypeError(f"bernoulli(): argument 'p' must be float, not "
                                f"{type(p).__name__}")
        elif not 0.0 <= p <= 1.0:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    probs = None if p is not None else B.to_host(input._data)
    drawn = rng.bernoulli_draw(_rng(generator), input.shape, probs, p)
    return _out(_make(drawn, input.dtype, input.device, False), out)


@register(method=False)
def poisson(input, generator=None):
    """Poisson samples with rates ``input``."""
    return _make(_rng(generator).poisson(B.to_host(input._data).astype(D.float64.np)), input.dtype,
                 input.device, False)


@register(method=False)
def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Sample indices from each row's (unnormalised) probability distribution."""
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    result = rng.multinomial_draw(_rng(generator), B.to_host(input._data), num_samples,
                                  replacement)
    return _out(_make(result, D.int64, input.device, False), out)


# ---- in-place initialisers (Tensor methods) ------------------------------------------------
def _fill(self, arr):
    with no_grad():
        xp = self._backend()
        xp.copyto(self._data, xp.asarray(arr).astype(self._data.dtype, copy=False),
                  casting="unsafe")
        B.bump_version(self)
    return self


def _from_to(bounds, lo, hi, name):
    """Read PyTorch's ``from=``/``to=`` keywords (``from`` is a Python keyword)."""
    extra = set(bounds) - {"from", "to"}
    if extra:
        raise TypeError(f"{name}() got an unexpected keyword argument '{extra.pop()}'")
    return bounds.get("from", lo), bounds.get("to", hi)


def uniform_(self, a=0.0, b=1.0, *, generator=None, **bounds):
    """Fill with uniform samples on [a, b); PyTorch's keyword names ``from``/``to`` also work."""
    a, b = _from_to(bounds, a, b, "uniform_")
    _float_dtype(self.dtype)
    _checks.check_uniform_bounds(a, b, self.dtype)
    return _fill(self, _rng(generator).uniform(a, b, self.shape))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal samples."""
    _float_dtype(self.dtype, "normal_kernel_cpu")
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _fill(self, _rng(generator).normal(mean, std, self.shape))


def random_(self, from_=0, to=None, *, generator=None, **bounds):
    """Fill with integers uniform on [from, to) (to defaults to the dtype's range);
    ``random_(to)`` alone samples [0, to), and ``from``/``to`` work as keywords."""
    if bounds:
        from_, to = _from_to(bounds, from_, to, "random_")
    elif to is None and from_ != 0:
        from_, to = 0, from_  # PyTorch's random_(to)
    if to is None:
        dt = self.dtype
        if dt.is_floating_point:
            to = 2 ** {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}[dt.name] + 1
        elif dt is D.bool_:
            to = 2
        else:
            to = B.int_max(dt.np) + 1
    return _fill(self, _rng(generator).integers(from_, to, self.shape))


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with exponential samples of rate ``lambd``."""
    if not self.dtype.is_floating_point:
        raise RuntimeError(f"Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified {_cap(self.dtype)}")
    return _fill(self, _rng(generator).exponential(1.0 / lambd, self.shape))


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 samples, 1 with probability p (a number or tensor)."""
    probs = B.to_host(p._data) if isinstance(p, Tensor) else p
    return _fill(self, _rng(generator).random(self.shape) < probs)


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    return _fill(self, median + sigma * _rng(generator).standard_cauchy(self.shape))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    return _fill(self, _rng(generator).lognormal(mean, std, self.shape))


def geometric_(self, p, *, generator=None):
    return _fill(self, _rng(generator).geometric(p, self.shape))


INPLACE_INITIALISERS = ["uniform_", "normal_", "random_", "exponential_", "bernoulli_",
                        "cauchy_", "log_normal_", "geometric_"]
