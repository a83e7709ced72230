"""Parity with PyTorch for elementwise math: unary, binary, pointwise ops, operators, promotion."""
import numpy as np
import pytest

from core_parity import T, rnd, compare, cases, dtype_pair_failures

A = rnd(3, 4)
B = rnd(3, 4)
POS = rnd(3, 4, low=0.1, high=4.0)
UNIT = rnd(3, 4, low=-0.9, high=0.9)
ROW = rnd(4)
I1 = rnd(3, 4, dtype=np.int64, low=-7, high=8)
I2 = rnd(3, 4, dtype=np.int64, low=1, high=5) * np.sign(rnd(3, 4, dtype=np.int64, low=-5, high=5) + 0.5).astype(np.int64)
BOOL = rnd(3, 4, dtype=bool)
SPECIAL = np.array([0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan, 1e-30, 3.0], np.float32)
HALF = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 0.125], np.float32)

UNARY_ANY = ["neg", "negative", "abs", "absolute", "sign", "sgn", "square", "floor", "ceil",
             "trunc", "fix", "frac", "relu"]
UNARY_REAL = ["exp", "exp2", "expm1", "sin", "cos", "tan", "atan", "arctan", "sinh", "cosh",
              "tanh", "asinh", "arcsinh", "sigmoid", "erf", "erfc", "reciprocal"]
UNARY_POS = ["sqrt", "rsqrt", "log", "log2", "log10", "log1p", "lgamma", "digamma", "acosh"]
UNARY_UNIT = ["asin", "acos", "atanh", "arcsin", "arccos", "arctanh", "erfinv"]


def _unary(name, data):
    def fn(m):
        return getattr(m, name)(T(m, data))
    return fn


TABLE = {}
for _n in UNARY_ANY + UNARY_REAL:
    TABLE[f"{_n}-f32"] = _unary(_n, A)
for _n in UNARY_POS:
    TABLE[f"{_n}-f32"] = _unary(_n, POS + (1.0 if _n == "acosh" else 0.0))
for _n in UNARY_UNIT:
    TABLE[f"{_n}-f32"] = _unary(_n, UNIT)
for _n in ["neg", "abs", "sign", "square", "exp", "sqrt", "sigmoid", "floor", "sin", "reciprocal"]:
    TABLE[f"{_n}-int"] = _unary(_n, I1)
for _n in ["abs", "sign", "exp", "sigmoid", "floor", "ceil", "trunc", "isnan", "isinf",
           "isfinite", "isposinf", "isneginf", "signbit", "sqrt", "log", "reciprocal"]:
    TABLE[f"{_n}-special"] = _unary(_n, SPECIAL)
for _n in ["abs", "exp", "neg", "sqrt", "tanh", "floor"]:
    TABLE[f"{_n}-f64"] = _unary(_n, POS.astype(np.float64))
    TABLE[f"{_n}-f16"] = _unary(_n, POS.astype(np.float16))
TABLE.update({
    "neg-bool": _unary("neg", BOOL),
    "abs-bool": _unary("abs", BOOL),
    "sign-bool": _unary("sign", BOOL),
    "exp-bool": _unary("exp", BOOL),
    "sin-noncontig": lambda m: T(m, A).t().sin(),
    "exp-broadcast-view": lambda m: T(m, ROW).expand(3, 4).exp(),
    "sqrt-empty": lambda m: T(m, np.zeros((0, 3), np.float32)).sqrt(),
    "tanh-0d": lambda m: m.tanh(m.tensor(0.5)),
    "abs-0d-int": lambda m: m.tensor(-3).abs(),
    "round": lambda m: T(m, HALF).round(),
    "round-decimals": lambda m: T(m, A).round(decimals=2),
    "round-neg-decimals": lambda m: T(m, A * 100).round(decimals=-1),
    "round-int": lambda m: T(m, I1).round(),
    "logit": lambda m: T(m, UNIT * 0.5 + 0.5).logit(),
    "logit-eps": lambda m: T(m, np.array([0.0, 0.3, 1.0], np.float32)).logit(eps=1e-3),
    "sinc": lambda m: T(m, np.array([0.0, 0.5, 1.0, -2.5], np.float32)).sinc(),
    "polygamma": lambda m: m.polygamma(1, T(m, POS)),
    "angle": lambda m: T(m, A).angle(),
    "method-exp": lambda m: T(m, A).exp(),
    "out-exp": lambda m: m.exp(T(m, A), out=m.empty(3, 4)),
})


@pytest.mark.parametrize("fn", **cases(TABLE))
def test_unary(fn, torch_mod):
    compare(fn, torch_mod, rtol=2e-5, atol=1e-5)


def _bin(name, a, b, **kw):
    def fn(m):
        x = T(m, a) if isinstance(a, np.ndarray) else a
        y = T(m, b) if isinstance(b, np.ndarray) else b
        return getattr(m, name)(x, y, **kw)
    return fn


BINARY = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
          "maximum", "minimum", "fmax", "fmin", "atan2", "arctan2", "hypot", "logaddexp",
          "logaddexp2", "copysign", "eq", "ne", "lt", "le", "gt", "ge", "greater",
          "greater_equal", "less", "less_equal", "not_equal", "remainder", "fmod",
          "floor_divide", "logical_and", "logical_or", "logical_xor", "isclose"]
BTABLE = {}
for _n in BINARY:
    BTABLE[f"{_n}-f32"] = _bin(_n, A, B)
    BTABLE[f"{_n}-bcast"] = _bin(_n, A, ROW)
for _n in ["add", "sub", "mul", "div", "maximum", "minimum", "remainder", "fmod", "floor_divide",
           "eq", "lt", "bitwise_and", "bitwise_or", "bitwise_xor", "logical_and"]:
    BTABLE[f"{_n}-int"] = _bin(_n, I1, I2)
for _n in ["add", "mul", "div", "sub", "remainder", "fmod", "floor_divide", "pow", "eq",
           "maximum", "atan2"]:
    BTABLE[f"{_n}-int-float-scalar"] = _bin(_n, I1, 2.5)
    BTABLE[f"{_n}-f32-int-scalar"] = _bin(_n, A, 3)
    BTABLE[f"{_n}-int-int-scalar"] = _bin(_n, I2, -3)
for _n in ["add", "mul", "sub", "maximum", "eq", "logical_or", "bitwise_and", "bitwise_xor"]:
    BTABLE[f"{_n}-bool"] = _bin(_n, BOOL, BOOL[::-1].copy())
for _n in ["remainder", "fmod", "floor_divide", "div"]:
    BTABLE[f"{_n}-signs"] = _bin(_n, np.array([7., -7., 7., -7., 5.5, -5.5], np.float32),
                                 np.array([3., 3., -3., -3., 2., -2.], np.float32))
    BTABLE[f"{_n}-signs-int"] = _bin(_n, np.array([7, -7, 7, -7, 0], np.int64),
                                     np.array([3, 3, -3, -3, 4], np.int64))
BTABLE.update({
    "add-alpha": _bin("add", A, B, alpha=2.5),
    "sub-alpha": _bin("sub", A, B, alpha=2),
    "add-alpha-int": _bin("add", I1, I2, alpha=3),
    "rsub": _bin("rsub", A, B),
    "div-trunc": _bin("div", A, B, rounding_mode="trunc"),
    "div-floor": _bin("div", A, B, rounding_mode="floor"),
    "div-floor-int": _bin("div", I1, I2, rounding_mode="floor"),
    "div-trunc-int": _bin("div", I1, I2, rounding_mode="trunc"),
    "div-int-int": _bin("div", I1, I2),
    "pow": _bin("pow", POS, B),
    "pow-scalar": _bin("pow", A, 2),
    "pow-scalar-float": _bin("pow", POS, 0.5),
    "pow-int": _bin("pow", I2, np.abs(I2)),
    "pow-int-neg-exp": _bin("pow", I2, -2),
    "pow-scalar-base": _bin("pow", 2, A),
    "pow-int-base-float-scalar": _bin("pow", I2, 2.0),
    "float_power": _bin("float_power", POS, B),
    "float_power-int": _bin("float_power", I2, 2),
    "xlogy": _bin("xlogy", np.array([0., 1., 2.], np.float32), np.array([0., 2., 3.], np.float32)),
    "maximum-nan": _bin("maximum", SPECIAL, SPECIAL[::-1].copy()),
    "fmax-nan": _bin("fmax", SPECIAL, SPECIAL[::-1].copy()),
    "fmin-nan": _bin("fmin", SPECIAL, SPECIAL[::-1].copy()),
    "minimum-nan": _bin("minimum", SPECIAL, SPECIAL[::-1].copy()),
    "add-f16-f32": _bin("add", A.astype(np.float16), B),
    "add-f64-f32": _bin("add", A.astype(np.float64), B),
    "add-i32-i64": _bin("add", I1.astype(np.int32), I2),
    "add-u8-i8": _bin("add", I2.astype(np.uint8), I1.astype(np.int8)),
    "add-bool-int": _bin("add", BOOL, I1),
    "add-bool-float": _bin("add", BOOL, A),
    "mul-bool-scalar-int": _bin("mul", BOOL, 3),
    "add-bool-scalar-bool": _bin("add", BOOL, True),
    "add-f32-0d-f64": lambda m: T(m, A) + m.tensor(2.0, dtype=m.float64),
    "add-i32-0d-f64": lambda m: T(m, I1.astype(np.int32)) + m.tensor(2.0, dtype=m.float64),
    "add-i32-0d-i64": lambda m: T(m, I1.astype(np.int32)) + m.tensor(2),
    "add-0d-0d": lambda m: m.tensor(1, dtype=m.int8) + m.tensor(2, dtype=m.int16),
    "add-f16-scalar": lambda m: T(m, A.astype(np.float16)) + 2.5,
    "add-u8-overflow-scalar": lambda m: T(m, np.array([250, 3], np.uint8)) + 10,
    "mul-complex-scalar": lambda m: T(m, A) * 2j,
    "add-complex": lambda m: T(m, A).to(m.complex64) + T(m, B),
    "add-empty": lambda m: T(m, np.zeros((0, 4), np.float32)) + T(m, ROW),
    "add-0d": lambda m: m.tensor(1.5) + m.tensor(2.5),
    "add-noncontig": lambda m: T(m, A).t() + T(m, B).t(),
    "add-bcast-both": lambda m: T(m, A[:, :1]) + T(m, ROW),
    "add-shape-mismatch": lambda m: T(m, A) + T(m, rnd(3, 3)),
    "add-alpha-float-on-int": lambda m: m.add(T(m, I1), T(m, I2), alpha=1.5),
    "div-int-by-zero": lambda m: T(m, np.array([1, -1, 0], np.int64)) / 0,
    "floordiv-f-by-zero": lambda m: T(m, np.array([1., -1., 0.], np.float32)) // 0,
    "remainder-f-by-zero": lambda m: m.remainder(T(m, np.array([1., -1.], np.float32)), 0.0),
    "fmod-scalar-neg": lambda m: m.fmod(T(m, A), -1.5),
    "remainder-scalar-neg": lambda m: m.remainder(T(m, A), -1.5),
    "remainder-scalar-first": lambda m: m.remainder(5, T(m, I2)),
    "bitwise_not": lambda m: m.bitwise_not(T(m, I1)),
    "bitwise_not-bool": lambda m: ~T(m, BOOL),
    "bitwise_not-float": lambda m: ~T(m, A),
    "logical_not": lambda m: m.logical_not(T(m, A)),
    "logical_and-float": lambda m: m.logical_and(T(m, A), T(m, I1)),
    "shifts": lambda m: (T(m, np.abs(I1)) << 2, T(m, np.abs(I1)) >> 1),
    "bitwise_left_shift": lambda m: m.bitwise_left_shift(T(m, np.abs(I1)), T(m, np.abs(I2))),
    "and-float-error": lambda m: T(m, A) & T(m, B),
    "allclose": lambda m: m.allclose(T(m, A), T(m, A) + 1e-9),
    "allclose-false": lambda m: m.allclose(T(m, A), T(m, B)),
    "isclose-nan": lambda m: m.isclose(T(m, SPECIAL), T(m, SPECIAL), equal_nan=True),
    "isclose-tol": lambda m: m.isclose(T(m, A), T(m, A) + 0.01, rtol=0, atol=0.02),
    "equal": lambda m: (m.equal(T(m, A), T(m, A)), m.equal(T(m, A), T(m, B)),
                        m.equal(T(m, A), T(m, A[:2]))),
    "out-add": lambda m: m.add(T(m, A), T(m, B), out=m.empty(3, 4)),
    "out-add-resize": lambda m: m.add(T(m, A), T(m, B), out=m.empty(0)),
    "out-add-f64": lambda m: m.add(T(m, A), T(m, B), out=m.empty(3, 4, dtype=m.float64)),
    "out-add-int-error": lambda m: m.add(T(m, A), T(m, B), out=m.empty(3, 4, dtype=m.int64)),
    "out-eq-float": lambda m: m.eq(T(m, A), T(m, B), out=m.empty(3, 4)),
    "keyword-input": lambda m: m.add(input=T(m, A), other=T(m, B)),
    "method-kw-other": lambda m: T(m, A).sub(other=T(m, B), alpha=2),
})


@pytest.mark.parametrize("fn", **cases(BTABLE))
def test_binary(fn, torch_mod):
    compare(fn, torch_mod, rtol=2e-5, atol=1e-5)


def _op(expr):
    def fn(m):
        a, b, i, j = T(m, A), T(m, B), T(m, I1), T(m, I2)
        return eval(expr)  # noqa: S307  (small fixed expressions below)
    return fn


OPERATORS = ["a + b", "a - b", "a * b", "a / b", "a ** 2", "2 ** a", "a // b", "a % b",
             "-a", "+a", "abs(a)", "a @ b.t()", "a == b", "a != b", "a < b", "a <= b", "a > b",
             "a >= b", "1 - a", "1 / a", "2.5 * i", "i / 2", "i // 2", "i % 3", "7 // j",
             "7 % j", "-7 % j", "i & j", "i | j", "i ^ j", "~i", "i << 1", "i >> 1", "a == 1",
             "a > 0.5", "i + True", "3 - i", "a + i", "i * 1.5", "i ** 2", "2 ** i",
             "a.add(b, alpha=-1)", "b.rsub(a)", "a + np.float64(2.0)", "i + np.int64(2)",
             "a * np.float32(2.0)", "2.0 ** i", "i == 1.5", "(a > 0) & (b > 0)",
             "(a > 0) | (b > 0)", "(a > 0) ^ (b > 0)", "~(a > 0)", "(a > 0) + (b > 0)",
             "(a > 0) * 2.5", "(a > 0).sum()", "a / 0", "i / 0", "-a / 0"]


@pytest.mark.parametrize("expr", OPERATORS)
def test_operators(expr, torch_mod):
    compare(_op(expr), torch_mod, rtol=2e-5, atol=1e-5)


PTABLE = {
    "clamp": lambda m: T(m, A).clamp(-1, 1),
    "clamp-min": lambda m: T(m, A).clamp(min=0.5),
    "clamp-max": lambda m: T(m, A).clamp(max=-0.5),
    "clamp-tensor": lambda m: T(m, A).clamp(T(m, B) - 1, T(m, B) + 1),
    "clamp-tensor-bcast": lambda m: m.clamp(T(m, A), min=T(m, ROW)),
    "clamp-int": lambda m: T(m, I1).clamp(-2, 3),
    "clamp-int-float-bound": lambda m: T(m, I1).clamp(-2.5, 3.5),
    "clamp-nan": lambda m: T(m, SPECIAL).clamp(-1, 1),
    "clamp-none": lambda m: T(m, A).clamp(),
    "clip": lambda m: m.clip(T(m, A), -1, 1),
    "clamp_min": lambda m: m.clamp_min(T(m, A), 0.0),
    "clamp_max": lambda m: m.clamp_max(T(m, A), 0.0),
    "lerp": lambda m: m.lerp(T(m, A), T(m, B), 0.3),
    "lerp-tensor": lambda m: m.lerp(T(m, A), T(m, B), T(m, UNIT)),
    "addcmul": lambda m: m.addcmul(T(m, A), T(m, B), T(m, POS), value=0.5),
    "addcdiv": lambda m: m.addcdiv(T(m, A), T(m, B), T(m, POS), value=-2),
    "addcmul-bcast": lambda m: m.addcmul(T(m, ROW), T(m, A), T(m, B)),
    "where": lambda m: m.where(T(m, BOOL), T(m, A), T(m, B)),
    "where-scalar": lambda m: m.where(T(m, A) > 0, T(m, A), 0.0),
    "where-scalars": lambda m: m.where(T(m, A) > 0, 1.0, -1.0),
    "where-int-scalar": lambda m: m.where(T(m, A) > 0, T(m, I1), 2.5),
    "where-mixed": lambda m: m.where(T(m, BOOL), T(m, I1), T(m, A.astype(np.float64))),
    "where-bcast": lambda m: m.where(T(m, ROW) > 0, T(m, A), T(m, ROW)),
    "where-method": lambda m: T(m, A).where(T(m, A) > 0, T(m, B)),
    "where-1arg": lambda m: m.where(T(m, I1) > 0),
    "nan_to_num": lambda m: m.nan_to_num(T(m, SPECIAL)),
    "nan_to_num-args": lambda m: m.nan_to_num(T(m, SPECIAL), nan=1.0, posinf=2.0, neginf=-2.0),
    "nan_to_num-f64": lambda m: m.nan_to_num(T(m, SPECIAL.astype(np.float64))),
    "nan_to_num-int": lambda m: m.nan_to_num(T(m, I1)),
    "heaviside": lambda m: m.heaviside(T(m, np.array([-1., 0., 2.], np.float32)),
                                       T(m, np.array([0.5, 0.5, 0.5], np.float32))),
    "real-imag": lambda m: (T(m, A).to(m.complex64).real, (T(m, A) * 1j).imag),
    "conj": lambda m: (T(m, A) * (1 + 1j)).conj(),
    "clone": lambda m: T(m, A).t().clone(),
    "isreal": lambda m: m.isreal(T(m, A)),
    "isnan": lambda m: m.isnan(T(m, SPECIAL)),
    "isfinite-int": lambda m: m.isfinite(T(m, I1)),
}


@pytest.mark.parametrize("fn", **cases(PTABLE))
def test_pointwise(fn, torch_mod):
    compare(fn, torch_mod, rtol=2e-5, atol=1e-5)


INPLACE = {
    "add_": lambda m: T(m, A).add_(T(m, B)),
    "add_-alpha": lambda m: T(m, A).add_(T(m, B), alpha=2),
    "add_-scalar": lambda m: T(m, A).add_(1),
    "add_-bcast": lambda m: T(m, A).add_(T(m, ROW)),
    "add_-int-float-error": lambda m: T(m, I1).add_(1.5),
    "add_-int-float-tensor-error": lambda m: T(m, I1).add_(T(m, A)),
    "add_-bcast-self-error": lambda m: T(m, ROW).add_(T(m, A)),
    "add_-f32-f64": lambda m: T(m, A).add_(T(m, B.astype(np.float64))),
    "add_-f32-int": lambda m: T(m, A).add_(T(m, I1)),
    "mul_-int-int": lambda m: T(m, I1).mul_(3),
    "div_-int-error": lambda m: T(m, I1).div_(2),
    "div_-f": lambda m: T(m, A).div_(T(m, POS)),
    "sub_": lambda m: T(m, A).sub_(T(m, B), alpha=0.5),
    "iadd": lambda m: _iadd(T(m, A), T(m, B)),
    "imul-int": lambda m: _imul(T(m, I1), 2),
    "ifloordiv": lambda m: _ifloordiv(T(m, I1), 2),
    "pow_": lambda m: T(m, POS).pow_(2),
    "clamp_": lambda m: T(m, A).clamp_(-1, 1),
    "clamp_-tensor": lambda m: T(m, A).clamp_(min=T(m, B)),
    "exp_": lambda m: T(m, A).exp_(),
    "sqrt_-int-error": lambda m: T(m, I1).sqrt_(),
    "abs_": lambda m: T(m, A).abs_(),
    "neg_": lambda m: T(m, I1).neg_(),
    "floor_divide_": lambda m: T(m, A).floor_divide_(2),
    "remainder_": lambda m: T(m, I1).remainder_(3),
    "eq_": lambda m: T(m, A).eq_(T(m, B)),
    "lt_-int": lambda m: T(m, I1).lt_(0),
    "round_": lambda m: T(m, HALF).round_(),
    "lerp_": lambda m: T(m, A).lerp_(T(m, B), 0.5),
    "addcmul_": lambda m: T(m, A).addcmul_(T(m, B), T(m, B), value=2),
    "nan_to_num_": lambda m: T(m, SPECIAL).nan_to_num_(),
    "logical_not_": lambda m: T(m, A).logical_not_(),
    "sigmoid_": lambda m: T(m, A).sigmoid_(),
    "view-write": lambda m: _view_inplace(m),
    "inplace-returns-self": lambda m: _same_object(m),
}


def _iadd(a, b):
    a += b
    return a


def _imul(a, b):
    a *= b
    return a


def _ifloordiv(a, b):
    a //= b
    return a


def _view_inplace(m):
    x = T(m, A)
    x[1].mul_(10)
    x.t()[0].add_(1)
    x.diagonal().zero_()
    return x


def _same_object(m):
    x = T(m, A)
    return x.add_(1) is x, x.mul_(2) is x, x.clamp_(0, 1) is x


@pytest.mark.parametrize("fn", **cases(INPLACE))
def test_inplace(fn, torch_mod):
    compare(fn, torch_mod, rtol=2e-5, atol=1e-5)


def test_inplace_dtype_message(torch_mod):
    import ember
    with pytest.raises(RuntimeError) as e:
        ember.tensor([1, 2]).add_(1.5)
    with pytest.raises(RuntimeError) as t:
        torch_mod.tensor([1, 2]).add_(1.5)
    assert str(e.value) == str(t.value)


def test_shape_mismatch_message(torch_mod):
    import ember
    with pytest.raises(RuntimeError) as e:
        ember.ones(3, 4) + ember.ones(3, 3)
    with pytest.raises(RuntimeError) as t:
        torch_mod.ones(3, 4) + torch_mod.ones(3, 3)
    assert str(e.value) == str(t.value)


DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
          "float64", "complex64"]
ALL_UNARY = ["neg", "abs", "sign", "sgn", "sqrt", "rsqrt", "square", "exp", "exp2", "expm1", "log",
             "log2", "log10", "log1p", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
             "tanh", "asinh", "acosh", "atanh", "sigmoid", "erf", "erfc", "erfinv", "lgamma",
             "digamma", "reciprocal", "floor", "ceil", "trunc", "frac", "relu", "angle", "isnan",
             "isinf", "isfinite", "signbit", "round", "logical_not", "bitwise_not", "conj",
             "positive", "nan_to_num", "clone", "isposinf", "isneginf", "isreal", "fix"]
DATA = [[0.5, 1.0, 2.0, 3.0], [0.25, 0.75, 1.5, 2.5]]


@pytest.mark.parametrize("dtype", DTYPES)
def test_unary_dtype_matrix(dtype, torch_mod):
    """Every unary op on every dtype: same result dtype and values, or the same error type."""
    failures = []
    for name in ALL_UNARY:
        def fn(m, name=name):
            return getattr(m, name)(m.tensor(DATA, dtype=m.float64).to(getattr(m, dtype)))
        try:
            compare(fn, torch_mod, rtol=1e-2, atol=1e-2)
        except AssertionError as e:
            failures.append(f"{name}: {e}")
    assert not failures, "\n".join(failures)


ALL_BINARY = ["add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod", "pow",
              "atan2", "hypot", "maximum", "minimum", "fmax", "fmin", "logaddexp", "copysign",
              "xlogy", "eq", "ne", "lt", "ge", "logical_and", "logical_xor", "bitwise_and",
              "bitwise_or", "bitwise_left_shift", "float_power", "heaviside", "isclose"]
BIN_A = [[1.0, 2.0, 3.0, 0.0], [4.0, 0.5, 1.5, 2.0]]
BIN_B = [[2.0, 1.0, 0.5, 1.0], [3.0, 2.0, 1.0, 4.0]]
PAIR_DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "bfloat16", "float32",
               "float64", "complex64"]


@pytest.mark.parametrize("d1", PAIR_DTYPES)
def test_binary_dtype_matrix(d1, torch_mod):
    """Every binary op on every dtype pair: PyTorch's promotion, values, or its error type."""
    failures = dtype_pair_failures(torch_mod, d1, PAIR_DTYPES, ALL_BINARY,
                                   lambda m, name, x, y: getattr(m, name)(x, y), BIN_A, BIN_B)
    assert not failures, "\n".join(failures[:20])


LAYOUTS = {
    "noncontig": lambda m: m.tensor(DATA).t(),
    "sliced": lambda m: m.tensor(DATA * 2)[::2, 1::2],
    "expanded": lambda m: m.tensor(DATA[0]).expand(3, 4),
    "empty": lambda m: m.zeros(0, 4),
    "zero-d": lambda m: m.tensor(0.75),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_ops_on_layouts(layout, torch_mod):
    """Unary, binary and reduction ops on non-contiguous, expanded, empty and 0-d inputs."""
    make = LAYOUTS[layout]
    failures = []
    ops = [(n, lambda m, x, n=n: getattr(m, n)(x)) for n in ALL_UNARY]
    ops += [(n, lambda m, x, n=n: getattr(m, n)(x, x * 0.5 + 1)) for n in
            ("add", "mul", "div", "pow", "maximum", "atan2", "remainder", "eq", "lt")]
    ops += [(n, lambda m, x, n=n: getattr(x, n)()) for n in
            ("sum", "mean", "prod", "amax", "std", "logsumexp-skip", "all", "any", "cumsum-skip")
            if not n.endswith("skip")]
    ops += [("sum-1", lambda m, x: x.sum(-1)), ("cumsum", lambda m, x: x.cumsum(-1)),
            ("max-1", lambda m, x: x.max(-1) if x.dim() else x.max(0)),
            ("softmax", lambda m, x: x.softmax(-1)), ("clamp", lambda m, x: x.clamp(0.3, 1.2)),
            ("where", lambda m, x: m.where(x > 1, x, -x)), ("flip", lambda m, x: x.flip(-1)),
            ("matmul", lambda m, x: x @ x.mT if x.dim() == 2 else x * x),
            ("clone-stride", lambda m, x: x.clone().stride()),
            ("contiguous-stride", lambda m, x: x.contiguous().stride()),
            ("zeros_like-stride", lambda m, x: m.zeros_like(x).stride()),
            ("add_", lambda m, x: x.clone().add_(1))]
    for name, op in ops:
        try:
            compare(lambda m: op(m, make(m)), torch_mod, rtol=1e-5, atol=1e-5)
        except AssertionError as e:
            failures.append(f"{name}: {e}")
    assert not failures, "\n".join(failures[:20])


MIX_DTYPES = ["bool", "uint8", "int32", "int64", "float16", "float32", "float64", "complex64"]
MIX_OTHERS = MIX_DTYPES + ["scalar-int", "scalar-float", "scalar-bool"]


def _scalar_or_first(y):
    return y if isinstance(y, (int, float)) else y[0, 0]


MIXED_OPS = {
    "where-x": lambda m, x, y: m.where(x != 0, x, y),
    "where-y": lambda m, x, y: m.where(x != 0, y, x),
    "clamp-min": lambda m, x, y: m.clamp(x, min=y),
    "clamp-max": lambda m, x, y: m.clamp(x, max=y),
    "clamp-both": lambda m, x, y: m.clamp(x, y, y),
    "maximum": lambda m, x, y: m.maximum(x, y),
    "addcmul": lambda m, x, y: m.addcmul(x, x, x, value=y) if isinstance(y, (int, float))
    else m.addcmul(x, y, y),
    "addcdiv": lambda m, x, y: m.addcdiv(x, x, x + 10, value=y) if isinstance(y, (int, float))
    else m.addcdiv(x, y, y + 1),
    "masked_fill": lambda m, x, y: x.masked_fill(x != 0, _scalar_or_first(y)),
    "fill_": lambda m, x, y: x.clone().fill_(_scalar_or_first(y)),
    "full_like": lambda m, x, y: m.full_like(x, y if isinstance(y, (int, float)) else 3),
    "eq": lambda m, x, y: x == y, "lt": lambda m, x, y: x < y,
    "floor_divide": lambda m, x, y: x // y, "pow": lambda m, x, y: x ** y,
    "rpow": lambda m, x, y: y ** x, "rsub": lambda m, x, y: y - x, "rdiv": lambda m, x, y: y / x,
    "isclose": lambda m, x, y: m.isclose(x, y), "heaviside": lambda m, x, y: m.heaviside(x, y),
    "copysign": lambda m, x, y: m.copysign(x, y), "xlogy": lambda m, x, y: m.xlogy(x, y),
    "fmod": lambda m, x, y: m.fmod(x, y), "remainder": lambda m, x, y: m.remainder(x, y),
    "logical_or": lambda m, x, y: m.logical_or(x, y),
}
# PyTorch computes complex pow as exp(y log x) (0 ** 0 is nan) and complex x / 0 differently
MIXED_SKIP = {("pow", "complex64"), ("rpow", "complex64"), ("addcdiv", "complex64")}


@pytest.mark.parametrize("d1", MIX_DTYPES)
def test_mixed_operand_matrix(d1, torch_mod):
    """Pointwise ops mixing tensors of two dtypes or a tensor and a Python scalar."""
    failures = []
    for d2 in MIX_OTHERS:
        for name, op in MIXED_OPS.items():
            if (name, d1) in MIXED_SKIP or (name, d2) in MIXED_SKIP:
                continue

            def fn(m, op=op, d2=d2):
                x = m.tensor([[1.0, -2.0, 3.0], [0.0, 2.5, -1.5]], dtype=m.float64)
                x = x.to(getattr(m, d1))
                y = {"scalar-int": 2, "scalar-float": 2.5, "scalar-bool": True}.get(d2)
                if y is None:
                    y = m.tensor([[2.0, 1.0, -1.0], [0.5, 3.0, 1.0]], dtype=m.float64)
                    y = y.to(getattr(m, d2))
                return op(m, x, y)
            try:
                compare(fn, torch_mod, rtol=1e-2, atol=1e-2)
            except AssertionError as e:
                failures.append(f"{name}/{d2}: {e}")
    assert not failures, "\n".join(failures[:20])
