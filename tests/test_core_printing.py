"""repr/str of tensors identical to PyTorch's for common cases, and set_printoptions."""
import numpy as np
import pytest

import ember
from core_parity import T, rnd, cases

R = rnd(4, 5)
BIG = rnd(40, 40)
INTS = rnd(3, 4, dtype=np.int64, low=-50, high=2000)

PRINT = {
    "float-ints": lambda m: m.tensor([1.0, 2.0, 3.0]),
    "float": lambda m: m.tensor([1.5, -2.25, 3.125]),
    "float-random": lambda m: T(m, R),
    "float-neg": lambda m: -T(m, R).abs(),
    "sci-small": lambda m: m.tensor([1e-5, 1.0, 2.0]),
    "sci-large": lambda m: m.tensor([1e9, 1.0]),
    "sci-mixed": lambda m: m.tensor([1e-10, 1e10, 3.5]),
    "int-large-float": lambda m: m.tensor([100000000.0, 1.0]),
    "0d-float": lambda m: m.tensor(3.5),
    "0d-int": lambda m: m.tensor(7),
    "0d-bool": lambda m: m.tensor(True),
    "0d-f64": lambda m: m.tensor(2.0, dtype=m.float64),
    "empty": lambda m: m.tensor([]),
    "empty-2d": lambda m: m.zeros(0, 3),
    "empty-int": lambda m: m.zeros(2, 0, dtype=m.int64),
    "int": lambda m: T(m, INTS),
    "int32": lambda m: m.tensor([1, 2], dtype=m.int32),
    "uint8": lambda m: m.tensor([1, 255], dtype=m.uint8),
    "int8": lambda m: m.tensor([-1, 2], dtype=m.int8),
    "bool": lambda m: m.tensor([[True, False], [False, True]]),
    "float64": lambda m: m.tensor([1.5, 2.0], dtype=m.float64),
    "float64-ints": lambda m: m.tensor([1.0, 2.0], dtype=m.float64),
    "float16": lambda m: m.tensor([1.5, 2.0], dtype=m.float16),
    "bfloat16": lambda m: m.tensor([1.5, 2.0], dtype=m.bfloat16),
    "nan-inf": lambda m: m.tensor([float("nan"), float("inf"), -float("inf"), 1.5]),
    "nan-inf-ints": lambda m: m.tensor([float("nan"), 2.0, -float("inf")]),
    "all-nan": lambda m: m.tensor([float("nan")]),
    "zeros": lambda m: m.zeros(2, 3),
    "3d": lambda m: m.arange(24.0).reshape(2, 3, 4),
    "4d": lambda m: m.arange(16).reshape(2, 2, 2, 2),
    "summarized": lambda m: m.arange(2000.0),
    "summarized-2d": lambda m: T(m, BIG),
    "summarized-int": lambda m: m.arange(5000).reshape(50, 100),
    "wide-row": lambda m: m.arange(30.0) * 1.5,
    "wide-row-int": lambda m: m.arange(40) * 1000,
    "requires-grad": lambda m: m.tensor([1.0, 2.0], requires_grad=True),
    "grad-fn": lambda m: m.tensor([1.0, 2.0], requires_grad=True) * 2,
    "grad-fn-add": lambda m: m.tensor([1.0, 2.0], requires_grad=True) + 1,
    "grad-fn-sum": lambda m: m.tensor([1.0, 2.0], requires_grad=True).sum(),
    "grad-fn-f64": lambda m: m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True) * 2,
    "noncontig": lambda m: m.arange(6.0).reshape(2, 3).t(),
    "expanded": lambda m: m.tensor([1.0, 2.0]).expand(3, 2),
    "negative-zero": lambda m: m.tensor([-0.0, 1.0]),
    "precise": lambda m: m.tensor([0.123456789, 12345.6789]),
    "complex": lambda m: m.tensor([1 + 2j, -3.5j]),
    "size": lambda m: m.ones(2, 3).shape,
    "dtype": lambda m: m.float32,
    "device": lambda m: m.device("cpu"),
}


@pytest.mark.parametrize("fn", **cases(PRINT))
def test_repr_str(fn, torch_mod):
    e, t = fn(ember), fn(torch_mod)
    assert repr(e) == repr(t), f"\n{e!r}\n!=\n{t!r}"
    assert str(e) == str(t)


def test_format(torch_mod):
    for fn in (lambda m: f"{m.tensor(2.5):.3f}", lambda m: f"{m.tensor([1.0, 2.0])}",
               lambda m: "{}".format(m.tensor(3))):
        assert fn(ember) == fn(torch_mod)


def test_set_printoptions(torch_mod):
    try:
        for kw in ({"precision": 2}, {"sci_mode": True}, {"sci_mode": False},
                   {"threshold": 5}, {"threshold": 5, "edgeitems": 1}, {"linewidth": 30},
                   {"profile": "short"}, {"profile": "full"}):
            ember.set_printoptions(profile="default")
            torch_mod.set_printoptions(profile="default")
            ember.set_printoptions(**kw)
            torch_mod.set_printoptions(**kw)
            for fn in (lambda m: m.tensor([1.23456, 1e-3, 100.0]), lambda m: m.arange(12.0),
                       lambda m: T(m, R), lambda m: m.arange(20).reshape(4, 5)):
                assert repr(fn(ember)) == repr(fn(torch_mod)), kw
    finally:
        ember.set_printoptions(profile="default")
        torch_mod.set_printoptions(profile="default")
        ember.set_printoptions(sci_mode=None)
        torch_mod.set_printoptions(sci_mode=None)


GRAD_FN = ["x + y", "x.sum(0)", "x.mean()", "x.mean(1)", "x.max()", "x.max(0)[0]", "x.t()", "x[0]",
           "x[:, 1]", "x[1:]", "x.unsqueeze(0)", "x.squeeze()", "x[:1].squeeze(0)",
           "m.stack([x, y])", "x.pow(y)", "2 ** x", "x ** 2", "x.var()", "x.std()", "x.roll(1)",
           "x.roll(1, 0)", "x.repeat(2, 1)", "x.index_select(0, m.tensor([0]))",
           "x.masked_fill(x > 0, 0.0)", "x.select(0, 1)", "x.unbind()[0]", "x.split(1)[0]",
           "x.split([1, 1])[0]", "x.chunk(2, 1)[0]", "x.square()", "x.logsumexp(0)",
           "x.addcmul(y, y)", "x.addcdiv(y, y)", "x.lerp(y, 0.5)", "x.tile(2)",
           "m.dot(x[0], y[0])", "x.logit()", "x.abs().log1p()", "x.min()", "x.min(1)[0]",
           "x - y", "x * y", "x / y", "x.exp()", "x.sigmoid()", "x.relu()", "x.view(6)",
           "x.reshape(6)", "x.transpose(0, 1)", "x.permute(1, 0)", "x[[0, 1]]", "x @ y.t()",
           "m.cat([x, y])", "x.clone()", "x.clamp(0, 1)", "m.where(x > 0, x, y)", "x.softmax(0)",
           "x.cumsum(0)", "x.flip(0)", "x.gather(0, m.tensor([[0, 1, 0]]))", "x.expand(2, 2, 3)"]


@pytest.mark.parametrize("code", GRAD_FN)
def test_grad_fn_names(code, torch_mod):
    """``grad_fn`` names (shown by repr) match PyTorch's for common ops."""
    names, results = [], []
    for m in (ember, torch_mod):
        x = m.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)
        y = m.tensor([[1.0, 2.0, 3.0], [0.5, 0.5, 4.0]], requires_grad=True)
        r = eval(code, {"m": m, "x": x, "y": y})  # noqa: S307  (fixed expressions above)
        names.append(r.grad_fn.name())
        results.append(r)
    assert names[0] == names[1]
    assert repr(results[0]) == repr(results[1])


OPTION_SETS = [dict(precision=p, linewidth=w, threshold=t, edgeitems=e, sci_mode=s)
               for p in (0, 2, 6) for w in (20, 80) for t in (10, 1000) for e in (1, 3)
               for s in (None, True, False)]
_OPT_RNG = np.random.default_rng(1)
OPTION_ARRAYS = [(_OPT_RNG.standard_normal((3, 5)) * 100).astype(np.float32),
                 _OPT_RNG.standard_normal((30,)).astype(np.float32), np.arange(12).reshape(3, 4),
                 (_OPT_RNG.standard_normal((2, 3, 4)) * 1e-3).astype(np.float32),
                 np.array([1e10, 1.5, -2.0], np.float32),
                 (_OPT_RNG.standard_normal(4) * (1 + 1j)).astype(np.complex64)]


def test_print_options_matrix(torch_mod):
    """repr under every combination of precision/linewidth/threshold/edgeitems/sci_mode."""
    failures = []
    try:
        for opts in OPTION_SETS:
            for m in (ember, torch_mod):
                m.set_printoptions(profile="default")
                m.set_printoptions(**opts)
            for arr in OPTION_ARRAYS:
                e, t = repr(ember.tensor(arr)), repr(torch_mod.tensor(arr))
                if e != t:
                    failures.append(f"{opts}:\n{e}\n!=\n{t}")
    finally:
        for m in (ember, torch_mod):
            m.set_printoptions(profile="default")
            m.set_printoptions(sci_mode=None)
    assert not failures, "\n".join(failures[:5])
