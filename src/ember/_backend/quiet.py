"""NumPy's floating-point warnings off while an Ember op computes.

PyTorch is silent about overflow, division by zero and invalid values (``log(0)``, ``1/0``,
``sqrt(-1)``); NumPy warns. Ember silences them for its own array math only: the user's own
NumPy calls keep the user's settings (``np.seterr`` is never called). Two mechanisms:

- ``Op.apply`` (every recorded or general-path op), scalar/creation casts and a few helpers
  run under Ember's "ignore" error state: NumPy 2 keeps that state in a context variable, so
  ``quiet_on(QUIET)`` / ``quiet_off(token)`` cost ~0.1 us together (an ``np.errstate`` costs
  ~1 us); NumPy 1.x falls back to ``np.seterr`` and restoring it (thread-local there).
- The hot fast paths (``a + b`` of same-dtype float tensors, no-grad ``add_``...) add no
  per-call cost: ``install_filter`` ignores RuntimeWarnings attributed to Ember's own modules
  (a ``module`` regex matching "ember.*"; a user's NumPy code is another module and still
  warns). When the user's filters turn warnings into errors (``simplefilter("error")``), the
  fast path catches the RuntimeWarning and recomputes under the quiet state
  (``redo_quietly``). A user filter "always" placed in front of Ember's would show them.
"""
import warnings

import numpy as np

__all__ = ["QUIET", "quiet_on", "quiet_off", "quiet", "redo_quietly", "install_filter"]

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


def redo_quietly(fn, *args):
    """``fn(*args)`` under the quiet state (a fast path's retry after a RuntimeWarning)."""
    token = quiet_on(QUIET)
    try:
        return fn(*args)
    finally:
        quiet_off(token)


def install_filter():
    """Ignore NumPy's RuntimeWarnings raised from Ember's own modules (once, at import)."""
    warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"ember\.")
