"""NumPy's floating-point warnings off while an Ember op computes.

PyTorch is silent about overflow, division by zero and invalid values (``log(0)``, ``1/0``,
``sqrt(-1)``); NumPy warns. Ember turns the warnings off around each op's array math only, so
the user's own NumPy calls keep the user's settings (``np.seterr`` is never called).

NumPy 2 keeps its error state in a context variable: ``quiet_on(QUIET)`` sets Ember's
"ignore everything" state and returns a token, ``quiet_off(token)`` restores the caller's
(about 0.1 us together, cheaper than building an ``np.errstate``). NumPy 1.x falls back to
``np.seterr`` and restoring the previous state (it is thread-local there).
"""
import numpy as np

__all__ = ["QUIET", "quiet_on", "quiet_off", "quiet"]

try:
    from numpy._core.umath import _extobj_contextvar as _state, _make_extobj
    QUIET = _make_extobj(all="ignore")
    quiet_on = _state.set
    quiet_off = _state.reset
except ImportError:  # NumPy 1.x
    QUIET = None

    def quiet_on(_):
        return np.seterr(all="ignore")

    def quiet_off(old):
        np.seterr(**old)


def quiet(fn):
    """Decorator: run ``fn`` with NumPy's floating-point warnings off."""
    def run(*args, **kwargs):
        token = quiet_on(QUIET)
        try:
            return fn(*args, **kwargs)
        finally:
            quiet_off(token)
    run.__name__, run.__qualname__, run.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
    run.__wrapped__ = fn
    return run
