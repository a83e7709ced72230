"""``torch.autocast`` / ``torch.amp.autocast``: accepted only with ``enabled=False``."""
import functools

__all__ = ["autocast", "is_autocast_available", "is_autocast_enabled"]


def is_autocast_available(device_type):
    """False: Ember has no autocast on any device."""
    return False


def is_autocast_enabled(device_type=None):
    """False: autocast is never on in Ember."""
    return False


class autocast:  # noqa: N801  (PyTorch's name)
    """``torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``.

    With ``enabled=False`` (how scripts switch mixed precision off) it does nothing, as a
    context manager or a decorator. ``enabled=True`` raises NotImplementedError: Ember computes
    in the tensors' own dtypes, so cast explicitly (``model.half()``, ``x.to(torch.bfloat16)``).
    """

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if enabled:
            raise NotImplementedError(
                f"torch.autocast(device_type={device_type!r}, enabled=True) is not supported by "
                "Ember (no automatic mixed precision); pass enabled=False or cast explicitly. "
                "See docs/unsupported.md")
        self.device, self.fast_dtype, self._enabled = device_type, dtype, False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return wrapper
