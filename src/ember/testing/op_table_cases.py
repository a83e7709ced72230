"""One-off forward cases of the op table: ``fn(m) -> result`` for ``m`` = ember or torch,
keyed ``"<op>-<variant>"`` (keyword options, promotion corners, special values, errors that
must be PyTorch's). :func:`attach` files each case under its op's entry (an in-place case
``"add_-..."`` under ``add``); a case whose op has no entry gets a forward-only one.
(Moved from the old tests/test_core_math.py tables; the generated dtype, layout, broadcast
and scalar sweeps of the table replace the rest of them.)"""
import numpy as np

_RNG = np.random.default_rng(1234)


def rnd(*shape, dtype=np.float32, low=-3.0, high=3.0):
    """Deterministic random data (the same arrays feed Ember and torch)."""
    if np.dtype(dtype).kind in "iu":
        return _RNG.integers(int(low), int(high), size=shape).astype(dtype)
    if np.dtype(dtype).kind == "b":
        return _RNG.random(shape) > 0.5
    return _RNG.uniform(low, high, size=shape).astype(dtype)


def T(m, arr, **kw):
    """``m.tensor`` of a NumPy array (copied, so Ember and torch do not share it)."""
    return m.tensor(np.array(arr), **kw)


A = rnd(3, 4)
B = rnd(3, 4)
POS = rnd(3, 4, low=0.1, high=4.0)
UNIT = rnd(3, 4, low=-0.9, high=0.9)
ROW = rnd(4)
I1 = rnd(3, 4, dtype=np.int64, low=-7, high=8)
I2 = rnd(3, 4, dtype=np.int64, low=1, high=5) * np.sign(
    rnd(3, 4, dtype=np.int64, low=-5, high=5) + 0.5).astype(np.int64)
BOOL = rnd(3, 4, dtype=bool)
SPECIAL = np.array([0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan, 1e-30, 3.0], np.float32)
HALF = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 0.125], np.float32)


def _unary(name, data):
    def fn(m):
        return getattr(m, name)(T(m, data))
    return fn


def _bin(name, a, b, **kw):
    def fn(m):
        x = T(m, a) if isinstance(a, np.ndarray) else a
        y = T(m, b) if isinstance(b, np.ndarray) else b
        return getattr(m, name)(x, y, **kw)
    return fn


UNARY_CASES = {
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
}

BINARY_CASES = {
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
}

POINTWISE_CASES = {
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

INPLACE_CASES = {
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


ALL_CASES = {**UNARY_CASES, **BINARY_CASES, **POINTWISE_CASES, **INPLACE_CASES}


def attach(entries, entry_cls):
    """File every case under its op's entry; make forward-only entries for the rest."""
    by_name = {e.name: e for e in entries}
    for key, fn in ALL_CASES.items():
        op = key.split("-")[0]
        e = by_name.get(op) or by_name.get(op.rstrip("_"))
        if e is None:
            e = entry_cls(op, None, (), family="cases", grad=False, dtypes=())
            entries.append(e)
            by_name[op] = e
        e.cases[key] = fn
