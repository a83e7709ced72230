"""PyTorch is silent about overflow, division by zero and invalid values; Ember's ops must not
leak NumPy's RuntimeWarnings either (checked with every warning turned into an error), while
the user's own NumPy calls keep warning as before."""
import math
import warnings

import numpy as np
import pytest

import ember
from ember.ops import unary, special_ops

_F = [0.0, -0.0, 1.0, -1.0, 2.0, -2.5, 1e308, -1e308, 1e-320, math.inf, -math.inf, math.nan]
_I = [0, 1, -1, 7, -128, 127, 2**62]

_UNARY_SKIP = {"angle"}  # complex-only semantics; covered elsewhere


def _float_inputs():
    return [ember.tensor(_F, dtype=ember.float64), ember.tensor(_F, dtype=ember.float32),
            ember.tensor(_F, dtype=ember.float16)]


def _strict(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return fn()
        except (RuntimeError, NotImplementedError, TypeError, ValueError, ZeroDivisionError) as e:
            if isinstance(e, RuntimeWarning):
                raise
            return None  # PyTorch refuses some dtypes: that is tested elsewhere


@pytest.mark.parametrize("name", sorted(set(unary.UNARY) - _UNARY_SKIP))
def test_unary_ops_are_silent(name):
    fn = getattr(ember, name, None) or getattr(unary, name)
    for x in _float_inputs() + [ember.tensor(_I[:-1], dtype=ember.int32)]:
        _strict(lambda: fn(x))
        _strict(lambda: getattr(x.clone(), name + "_")()
                if hasattr(x, name + "_") else None)


_BINARY = ["add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod", "pow",
           "float_power", "atan2", "hypot", "xlogy", "copysign", "maximum", "minimum", "fmax",
           "fmin", "logaddexp", "logaddexp2", "nextafter", "ldexp", "eq", "lt", "isclose"]


@pytest.mark.parametrize("name", _BINARY)
def test_binary_ops_are_silent(name):
    fn = getattr(ember, name)
    for a in _float_inputs():
        b = a.flip(0)
        _strict(lambda: fn(a, b))
        _strict(lambda: fn(a, 0.0))
        _strict(lambda: fn(a, 1e308))
        _strict(lambda: fn(0.0, a) if name not in ("isclose", "nextafter", "ldexp") else None)
    ia = ember.tensor(_I, dtype=ember.int64)
    _strict(lambda: fn(ia, ia.flip(0)))
    _strict(lambda: fn(ia, 0))


def test_operators_and_inplace_are_silent():
    for x in _float_inputs():
        y = x.flip(0)
        for f in (lambda: x + y, lambda: x - y, lambda: x * y, lambda: x / y, lambda: x ** y,
                  lambda: x // y, lambda: x % y, lambda: x / 0, lambda: 1 / x, lambda: x * 1e308,
                  lambda: -x, lambda: abs(x), lambda: x.clone().add_(y),
                  lambda: x.clone().mul_(1e308), lambda: x.clone().div_(0.0),
                  lambda: x.clone().sub_(y), lambda: x.clone().pow_(2.0),
                  lambda: x.clone().addcdiv_(x, y), lambda: x.clone().lerp_(y, 0.5)):
            _strict(f)


def test_reductions_and_softmax_are_silent():
    for x in _float_inputs():
        for f in (x.sum, x.prod, x.mean, x.std, x.var, x.norm, x.cumsum, x.cumprod, x.max,
                  x.amin, x.logsumexp, x.softmax, x.log_softmax, x.nansum, x.nanmean):
            _strict(lambda: f(0))
        _strict(lambda: ember.linalg.vector_norm(x, 3))
        _strict(lambda: ember.nn.functional.normalize(x.reshape(3, 4), dim=1))


def test_creation_and_casts_are_silent():
    _strict(lambda: ember.tensor([1e308, -1e308, 1e-320]))  # float32 default dtype
    _strict(lambda: ember.tensor([1e308], dtype=ember.float16))
    _strict(lambda: ember.full((2,), 1e308, dtype=ember.float32))
    for x in _float_inputs():
        for dt in (ember.float16, ember.bfloat16, ember.float32, ember.int32, ember.int8,
                   ember.uint8, ember.bool):
            _strict(lambda: x.to(dt))


def test_special_functions_are_silent():
    for x in _float_inputs()[:2]:
        for name in ember.special.__all__:
            fn = getattr(ember.special, name)
            if name in ("xlogy", "xlog1py", "zeta", "gammainc", "gammaincc"):
                _strict(lambda: fn(x, x.flip(0)))
            elif name == "polygamma":
                _strict(lambda: fn(3, x))
            elif name == "multigammaln":
                _strict(lambda: fn(x, 2))
            elif name in ("softmax", "log_softmax", "logsumexp"):
                _strict(lambda: fn(x, 0))
            else:
                _strict(lambda: fn(x))
    for name in special_ops.UNARY:
        x = ember.tensor(_F, dtype=ember.float64, requires_grad=True)
        y = _strict(lambda: getattr(ember.special, name)(x))
        if y is not None and y.requires_grad:
            _strict(lambda: y.sum().backward())


def test_backward_is_silent():
    x = ember.tensor([0.0, 1e-320, 1e308, -1.0], dtype=ember.float64, requires_grad=True)
    for f in (lambda t: t.log().sum(), lambda t: t.sqrt().sum(), lambda t: (1 / t).sum(),
              lambda t: t.acos().sum(), lambda t: (t ** 0.5).sum(), lambda t: t.rsqrt().sum()):
        _strict(lambda: f(x).backward())


def test_users_numpy_warnings_are_untouched():
    before = np.geterr()
    _strict(lambda: ember.log(ember.zeros(3)))
    assert np.geterr() == before
    with pytest.warns(RuntimeWarning):
        np.log(np.zeros(1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeWarning):
            np.divide(np.ones(1), 0)


def test_integer_division_by_zero_raises_like_torch():
    a = ember.tensor([1, 2], dtype=ember.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            a // 0
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            a % 0
        assert (a / 0).tolist() == [math.inf, math.inf]


def test_fast_paths_under_error_filters_compute_once():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = ember.tensor([1e308, 1.0], dtype=ember.float64)
        x.add_(1e308)  # overflows in element 0; the in-place kernel must not run twice
        assert x.tolist() == [math.inf, 1e308 + 1.0]
        y = ember.tensor([1e308, 2.0], dtype=ember.float64)
        assert (y * 10).tolist() == [math.inf, 20.0]
        assert (y / ember.zeros(2, dtype=ember.float64)).tolist() == [math.inf, math.inf]
        assert (y - (-y)).tolist() == [math.inf, 4.0]
