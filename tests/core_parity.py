"""Helpers for the table-driven core parity tests: run one case under Ember and real torch.

A case is a function ``fn(m)`` taking the module (``ember`` or ``torch``) and returning
tensors, numbers, tuples or strings; ``compare`` checks both results match (values, dtypes,
shapes) or that both raise the same exception type.
"""
import numpy as np

import ember
from ember.testing import assert_close

RNG = np.random.default_rng(1234)


def rnd(*shape, dtype=np.float32, low=-3.0, high=3.0):
    """Deterministic random data (the same arrays feed Ember and torch)."""
    if np.dtype(dtype).kind in "iu":
        return RNG.integers(int(low), int(high), size=shape).astype(dtype)
    if np.dtype(dtype).kind == "b":
        return RNG.random(shape) > 0.5
    return RNG.uniform(low, high, size=shape).astype(dtype)


def T(m, arr, **kw):
    """``m.tensor`` of a NumPy array (copied, so Ember and torch do not share it)."""
    return m.tensor(np.array(arr), **kw)


def _is_tensor(x):
    return isinstance(x, ember.Tensor) or type(x).__module__.startswith("torch") and \
        hasattr(x, "dtype") and hasattr(x, "shape") and not isinstance(x, type)


def check_same(e, t, *, rtol=None, atol=None, path="result"):
    """Assert Ember value ``e`` equals torch value ``t`` (recursively)."""
    if _is_tensor(t):
        assert isinstance(e, ember.Tensor), f"{path}: expected a Tensor, got {type(e).__name__}"
        assert str(e.dtype) == str(t.dtype), f"{path}: dtype {e.dtype} vs {t.dtype}"
        assert tuple(e.shape) == tuple(t.shape), f"{path}: shape {tuple(e.shape)} vs {tuple(t.shape)}"
        assert_close(e.detach(), t.detach(), rtol=rtol, atol=atol, msg=path)
        assert e.requires_grad == t.requires_grad, f"{path}: requires_grad differs"
    elif isinstance(t, tuple) and type(t) is not tuple and type(t).__name__ != "Size":
        # torch.return_types.* (struct sequences): same type name, fields and values
        names = getattr(type(t), "__match_args__", None) or getattr(t, "_fields", ())
        assert type(e).__name__ == type(t).__name__, f"{path}: {type(e).__name__} vs {type(t).__name__}"
        assert tuple(getattr(e, "_fields", ())) == tuple(names), f"{path}: fields differ"
        assert repr(e) == repr(t), f"{path}: repr differs"
        for n in names:
            check_same(getattr(e, n), getattr(t, n), rtol=rtol, atol=atol, path=f"{path}.{n}")
    elif isinstance(t, (list, tuple)):
        assert isinstance(e, (list, tuple)), f"{path}: expected a sequence, got {type(e).__name__}"
        assert len(e) == len(t), f"{path}: length {len(e)} vs {len(t)}"
        for i, (a, b) in enumerate(zip(e, t)):
            check_same(a, b, rtol=rtol, atol=atol, path=f"{path}[{i}]")
    elif isinstance(t, float):
        assert isinstance(e, float), f"{path}: {e!r} is not a float"
        assert np.isclose(e, t, rtol=rtol or 1e-6, atol=atol or 1e-7, equal_nan=True), \
            f"{path}: {e!r} vs {t!r}"
    elif type(t).__module__.startswith("torch"):
        assert str(e) == str(t), f"{path}: {e!r} vs {t!r}"
    else:
        assert type(e) is type(t), f"{path}: type {type(e).__name__} vs {type(t).__name__}"
        assert e == t, f"{path}: {e!r} vs {t!r}"


def compare(fn, torch, *, rtol=None, atol=None, match_msg=False):
    """Run ``fn`` on Ember and torch; results must match, or both raise the same error type."""
    try:
        expected = fn(torch)
    except Exception as exc:  # torch raised: Ember must raise the same type
        try:
            fn(ember)
        except Exception as mine:
            assert isinstance(mine, type(exc)) or type(exc).__name__ in type(mine).__name__, \
                f"torch raised {type(exc).__name__}: {exc}; ember raised {type(mine).__name__}: {mine}"
            if match_msg:
                assert str(mine).split("\n")[0] == str(exc).split("\n")[0], \
                    f"message {mine!s} vs {exc!s}"
            return
        raise AssertionError(f"torch raised {type(exc).__name__}: {exc}; ember did not")
    actual = fn(ember)
    check_same(actual, expected, rtol=rtol, atol=atol)


def cases(table):
    """pytest parametrize arguments (ids, functions) for a dict name -> fn(m)."""
    return {"argvalues": list(table.values()), "ids": list(table.keys())}


def dtype_pair_failures(torch, d1, dtypes, names, call, a, b, *, rtol=1e-2, atol=1e-2):
    """Run ``call(m, name, x, y)`` under Ember and torch for every op ``name`` and every
    second dtype ``d2`` in ``dtypes``, with x = ``a`` cast to ``d1`` and y = ``b`` cast to
    ``d2``; returns the mismatches as "name/d2: why" lines (``call`` may return any value
    ``compare`` accepts, e.g. (result, x) for in-place ops)."""
    failures = []
    for d2 in dtypes:
        for name in names:
            def fn(m, name=name, d2=d2):
                x = m.tensor(a, dtype=m.float64).to(getattr(m, d1))
                y = m.tensor(b, dtype=m.float64).to(getattr(m, d2))
                return call(m, name, x, y)
            try:
                compare(fn, torch, rtol=rtol, atol=atol)
            except AssertionError as e:
                failures.append(f"{name}/{d2}: {e}")
    return failures
