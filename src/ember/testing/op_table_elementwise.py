"""Op-table entries of the elementwise ops: unary (generated from ``ops.unary.UNARY`` and its
refusal table), unary-like predicates and conversions, binary (refusals from ``ops.binary``'s
table), scalar operands and the pointwise ops of three inputs (where, clamp, lerp, addc*)."""
import math

import numpy as np

from ..ops import binary as _binary
from ..ops import unary as _unary
from .op_table import OpEntry, DTYPES, category
from .._tensor import Tensor

M = (2, 3)

# ---- unary -----------------------------------------------------------------------------------
UNARY_DOMAIN = {
    "sqrt": "pos", "rsqrt": "pos", "log": "pos", "log2": "pos", "log10": "pos", "log1p": "pos",
    "lgamma": "pos", "digamma": "pos", "reciprocal": "nonzero", "asin": "unit", "acos": "unit",
    "atanh": "unit", "erfinv": "unit", "arcsin": "unit", "arccos": "unit", "arctanh": "unit",
    "acosh": "gt1", "arccosh": "gt1", "abs": "nonzero", "absolute": "nonzero", "relu": "nonzero",
    "sign": "nonzero", "sgn": "nonzero", "floor": "nonint", "ceil": "nonint", "trunc": "nonint",
    "fix": "nonint", "frac": "nonint", "tan": "unit", "angle": "nonzero",
}


def _lgamma_scalar(x):
    return math.inf if x == -math.inf or (x <= 0 and x == int(x)) else \
        math.nan if x != x else math.lgamma(x)


_erf, _erfc, _lgamma = (np.vectorize(f, otypes=[float]) for f in (math.erf, math.erfc,
                                                                   _lgamma_scalar))
UNARY_REF = {
    "neg": np.negative, "abs": np.abs, "sign": np.sign, "sgn": np.sign, "sqrt": np.sqrt,
    "rsqrt": lambda x: 1 / np.sqrt(x), "square": np.square, "exp": np.exp, "exp2": np.exp2,
    "expm1": np.expm1, "log": np.log, "log2": np.log2, "log10": np.log10, "log1p": np.log1p,
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos,
    "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh, "asinh": np.arcsinh,
    "acosh": np.arccosh, "atanh": np.arctanh, "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "erf": _erf, "erfc": _erfc, "lgamma": _lgamma, "reciprocal": np.reciprocal,
    "floor": np.floor, "ceil": np.ceil, "trunc": np.trunc, "frac": lambda x: x - np.trunc(x),
    "relu": lambda x: np.maximum(x, 0), "conj_physical": np.conj, "angle": np.angle,
    "fix": np.trunc, "negative": np.negative, "absolute": np.abs, "arcsin": np.arcsin,
    "arccos": np.arccos, "arctan": np.arctan, "arcsinh": np.arcsinh, "arccosh": np.arccosh,
    "arctanh": np.arctanh,
    # unary-like
    "isnan": np.isnan, "isinf": np.isinf, "isfinite": np.isfinite, "signbit": np.signbit,
    "round": np.round, "logical_not": np.logical_not, "conj": np.conj, "positive": np.positive,
    "nan_to_num": np.nan_to_num, "clone": np.copy, "isposinf": np.isposinf,
    "isneginf": np.isneginf, "isreal": np.isreal,
}
# refusals PyTorch makes that are enforced outside ``ops.unary._UNSUPPORTED``
_UNARY_MORE_REFUSALS = {
    "neg": {"bool": RuntimeError}, "negative": {"bool": RuntimeError},
    "abs": {"bool": NotImplementedError}, "absolute": {"bool": NotImplementedError},
}
# unary ops that are not rows of ``ops.unary.UNARY``: name -> (refusals, differentiable)
UNARY_LIKE = {
    "isnan": ({}, False), "isinf": ({}, False), "isfinite": ({}, False),
    "signbit": ({"complex64": NotImplementedError}, False),
    "round": ({"bool": NotImplementedError, "complex64": NotImplementedError}, False),
    "logical_not": ({}, False),
    "bitwise_not": ({d: NotImplementedError for d in ("float16", "bfloat16", "float32",
                                                     "float64", "complex64")}, False),
    "conj": ({}, False), "positive": ({"bool": RuntimeError}, False),
    "nan_to_num": ({}, True), "clone": ({}, True),
    "isposinf": ({"complex64": RuntimeError}, False),
    "isneginf": ({"complex64": RuntimeError}, False), "isreal": ({}, False),
}


def _unary_refusals(name):
    by_cat = {cat: exc for (cat, n), exc in _unary._UNSUPPORTED.items() if n == name}
    out = {d: by_cat[category(d)] for d in DTYPES if category(d) in by_cat}
    out.update(_UNARY_MORE_REFUSALS.get(name, {}))
    return out


def _call(name, **kw):
    return lambda m, *xs: getattr(m, name)(*xs, **kw)


def _twin(tensor_cls, name):
    return name + "_" if hasattr(tensor_cls, name + "_") else None


def _unary_entries(tensor_cls):
    out = []
    for name in _unary.UNARY:
        out.append(OpEntry(
            name, _call(name), [(M, UNARY_DOMAIN.get(name, "any"))], family="unary",
            func=name, method=name, inplace=_twin(tensor_cls, name), dtypes=DTYPES,
            refuses=_unary_refusals(name), elementwise=True, ref=UNARY_REF.get(name)))
    for name, (refuses, grad) in UNARY_LIKE.items():
        out.append(OpEntry(
            name, _call(name), [(M, "any")], family="unary", func=name, method=name,
            inplace=_twin(tensor_cls, name) if name not in ("conj", "positive") else None,
            dtypes=DTYPES, refuses=refuses, grad=grad, elementwise=True,
            ref=UNARY_REF.get(name)))
    rows = [
        ("sigmoid_3d", lambda m, x: x.sigmoid(), [(2, 3, 4)], {}),
        ("square_method", lambda m, x: x.square(), [M], {}),
        ("sinc", lambda m, x: m.sinc(x), [(M, "nonzero")], {}),
        ("logit", lambda m, x: m.logit(x * 0.3 + 0.5), [(M, "unit")], {}),
        ("polygamma1", lambda m, x: m.polygamma(1, x), [(M, "pos")], {}),
        ("acosh_shifted", lambda m, x: (x + 1.5).acosh(), [(M, "pos")], {}),
        ("frac_scaled", lambda m, x: (x * 0.3).frac(), [(M, "pos")], {}),
        ("to_same_dtype", lambda m, x: x.to(m.float64).double() * 1, [M], {}),
        ("clone_contiguous", lambda m, x: x.t().contiguous().clone(), [M], {}),
    ]
    out += [OpEntry(n, f, s, family="unary", **kw) for n, f, s, kw in rows]
    return out


# ---- binary ----------------------------------------------------------------------------------
def _xlogy(a, b):
    return np.where(a == 0, 0.0, a * np.log(np.where(a == 0, 1.0, b)))


# name: (domain of a, domain of b, differentiable, NumPy reference)
BINARY = {
    "add": ("any", "any", True, np.add), "sub": ("any", "any", True, np.subtract),
    "subtract": ("any", "any", True, np.subtract), "mul": ("any", "any", True, np.multiply),
    "multiply": ("any", "any", True, np.multiply), "div": ("any", "nonzero", True, np.divide),
    "divide": ("any", "nonzero", True, np.divide),
    "true_divide": ("any", "nonzero", True, np.divide),
    "pow": ("pos", "any", True, np.power), "atan2": ("any", "nonzero", True, np.arctan2),
    "arctan2": ("any", "nonzero", True, np.arctan2),
    "hypot": ("nonzero", "nonzero", True, np.hypot),
    "maximum": ("any", "any", True, np.maximum), "minimum": ("any", "any", True, np.minimum),
    "fmax": ("any", "any", True, np.fmax), "fmin": ("any", "any", True, np.fmin),
    "remainder": ("any", "pos", True, np.remainder), "fmod": ("any", "pos", True, np.fmod),
    "logaddexp": ("any", "any", True, np.logaddexp),
    "logaddexp2": ("any", "any", True, np.logaddexp2),
    "copysign": ("nonzero", "nonzero", True, np.copysign),
    "xlogy": ("any", "pos", True, _xlogy), "float_power": ("pos", "any", True, np.power),
    "floor_divide": ("any", "nonzero", False, np.floor_divide),
    "heaviside": ("any", "any", False, np.heaviside),
    "isclose": ("any", "any", False, np.isclose),
    **{n: ("any", "any", False, f) for n, f in (
        ("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal),
        ("gt", np.greater), ("ge", np.greater_equal), ("greater", np.greater),
        ("greater_equal", np.greater_equal), ("less", np.less), ("less_equal", np.less_equal),
        ("not_equal", np.not_equal), ("logical_and", np.logical_and),
        ("logical_or", np.logical_or), ("logical_xor", np.logical_xor))},
    **{n: ("any", "any", False, None) for n in ("bitwise_and", "bitwise_or", "bitwise_xor",
                                                 "bitwise_left_shift")},
}
# the (dtype, dtype) promotion matrix runs for these
DTYPE_PAIR_OPS = {"add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod",
                  "pow", "atan2", "hypot", "maximum", "minimum", "fmax", "fmin", "logaddexp",
                  "copysign", "xlogy", "eq", "ne", "lt", "ge", "logical_and", "logical_xor",
                  "bitwise_and", "bitwise_or", "bitwise_left_shift", "float_power", "heaviside",
                  "isclose"}
_BINARY_CLASS = {"remainder": "Remainder", "fmod": "Fmod", "hypot": "Hypot",
                 "logaddexp": "Logaddexp", "logaddexp2": "Logaddexp2", "atan2": "Atan2",
                 "arctan2": "Atan2", "copysign": "Copysign", "xlogy": "Xlogy", "pow": "Pow",
                 "maximum": "Maximum", "minimum": "Minimum", "fmax": "Fmax", "fmin": "Fmin"}
# same-dtype refusals PyTorch makes outside ``ops.binary._REFUSE`` (checked against torch by
# the dtype sweep, which is where these were read from)
_BINARY_MORE_REFUSALS = {
    "sub": {"bool": RuntimeError}, "subtract": {"bool": RuntimeError},
    **{n: {d: RuntimeError for d in ("float16", "bfloat16", "float32", "float64", "complex64")}
       for n in ("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift")},
    "bitwise_left_shift": {"bool": NotImplementedError, **{
        d: RuntimeError for d in ("float16", "bfloat16", "float32", "float64", "complex64")}},
    "floor_divide": {"bool": NotImplementedError, "complex64": RuntimeError},
    **{n: {"complex64": NotImplementedError} for n in (
        "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal")},
    "heaviside": {"complex64": RuntimeError},
}


def _binary_refusals(name):
    out = {}
    cls = _BINARY_CLASS.get(name)
    if cls is not None:
        _, cats = _binary._REFUSE[getattr(_binary, cls)]
        for d in DTYPES:
            if category(d) in cats:
                is_minmax = name in ("maximum", "minimum", "fmax", "fmin")
                out[d] = RuntimeError if is_minmax and category(d) == 3 else NotImplementedError
    out.update(_BINARY_MORE_REFUSALS.get(name, {}))
    return out


def _binary_entries(tensor_cls):
    out = []
    for name, (da, db, grad, ref) in BINARY.items():
        out.append(OpEntry(
            name, _call(name), [(M, da), (M, db)], family="binary", func=name,
            method=name if hasattr(tensor_cls, name) else None,
            inplace=_twin(tensor_cls, name), dtypes=DTYPES, refuses=_binary_refusals(name),
            grad=grad, elementwise=True, ref=ref, dtype_pairs=name in DTYPE_PAIR_OPS))
    rows = [
        ("add_alpha", lambda m, a, b: m.add(a, b, alpha=2.5), [M, M], {"ref": None}),
        ("sub_row", lambda m, a, b: a - b[0], [(3, 4), (3, 4)], {}),
        ("mul_scalar", lambda m, a: a * 2.5, [M], {}),
        ("rsub_scalar", lambda m, a: 1.5 - a, [M], {}),
        ("rdiv_scalar", lambda m, a: 2.0 / a, [(M, "nonzero")], {}),
        ("pow_scalar", lambda m, a: a ** 3, [M], {}),
        ("pow_half", lambda m, a: a ** 0.5, [(M, "pos")], {}),
        ("rpow", lambda m, a: 2.0 ** a, [M], {}),
    ]
    out += [OpEntry(n, f, s, family="binary", **kw) for n, f, s, kw in rows]
    return out


# ---- pointwise ops of several inputs -----------------------------------------------------------
COND = np.array([[True, False, True], [False, False, True]])


def _pointwise_entries():
    rows = [
        ("where", lambda m, a, b: m.where(m.tensor(COND), a, b), [M, (3,)], {}),
        ("where_data_cond", lambda m, a, b: m.where(a > 0, a, b), [(3, 4), (3, 4)], {}),
        ("clamp", lambda m, a: a.clamp(-0.5, 0.5), [(M, "nonint")], {}),
        ("clamp_min", lambda m, a: a.clamp(min=0.1), [(M, "nonint")], {}),
        ("clamp_tensor", lambda m, a, lo, hi: m.clamp(a, lo, hi),
         [(M, "nonint"), ((3,), "nonint"), ((2, 1), "nonint")],
         {"noncontig": False, "gradgrad": False}),
        ("clamp_min_tensor", lambda m, x, lo: x.clamp(min=lo), [(3, 4), (3, 4)], {}),
        ("lerp", lambda m, a, b: m.lerp(a, b, 0.3), [M, M], {}),
        ("lerp_tensor", lambda m, a, b, w: m.lerp(a, b, w), [M, M, (3,)], {}),
        ("addcmul", lambda m, a, b, c: m.addcmul(a, b, c, value=0.5), [M, M, (3,)], {}),
        ("addcdiv", lambda m, a, b, c: m.addcdiv(a, b, c, value=0.5),
         [M, M, ((3,), "nonzero")], {}),
        ("clone_times_one", lambda m, a: a.clone() * 1, [M], {}),
    ]
    return [OpEntry(n, f, s, family="pointwise", **kw) for n, f, s, kw in rows]


def build():
    """The elementwise family's entries."""
    return _unary_entries(Tensor) + _binary_entries(Tensor) + _pointwise_entries()
