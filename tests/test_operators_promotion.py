"""Parity with PyTorch for the Python operators (dunders on tensors, scalars and NumPy
scalars), reductions and views on non-contiguous, expanded, empty and 0-d inputs, mixed-dtype
operands of the pointwise ops, and two error messages. The per-op tables (unary, binary,
pointwise, in-place, dtype matrices) are ``ember.testing.op_table``, run by
tests/test_op_table.py."""
import numpy as np
import pytest

from core_parity import T, rnd, compare

A = rnd(3, 4)
B = rnd(3, 4)
I1 = rnd(3, 4, dtype=np.int64, low=-7, high=8)
I2 = rnd(3, 4, dtype=np.int64, low=1, high=5) * np.sign(rnd(3, 4, dtype=np.int64, low=-5, high=5) + 0.5).astype(np.int64)


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


DATA = [[0.5, 1.0, 2.0, 3.0], [0.25, 0.75, 1.5, 2.5]]
LAYOUTS = {
    "noncontig": lambda m: m.tensor(DATA).t(),
    "sliced": lambda m: m.tensor(DATA * 2)[::2, 1::2],
    "expanded": lambda m: m.tensor(DATA[0]).expand(3, 4),
    "empty": lambda m: m.zeros(0, 4),
    "zero-d": lambda m: m.tensor(0.75),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_ops_on_layouts(layout, torch_mod):
    """Reductions, scans, views and strides on non-contiguous, expanded, empty and 0-d inputs."""
    make = LAYOUTS[layout]
    failures = []
    ops = []  # unary and binary ops on these layouts: tests/test_op_table.py
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
