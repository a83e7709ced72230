"""Every op of the op table (``ember.testing.op_table``) on cpu: forward against NumPy and
against torch (layouts: contiguous, transposed, stepped slices, expanded, 0-d, empty;
broadcast pairs; special values; every dtype and dtype pair, or PyTorch's exception),
declared refusals, gradcheck and gradgradcheck in float64 (also on non-contiguous, broadcast
and 0-d inputs), gradients against torch, the in-place twin against the out-of-place result
(and its version bump), and method == function. The one-off cases of each op run against
torch too. The same table on cuda (stand-in, CuPy) is tests/test_cuda_standin_op_table.py.
"""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from ember.testing import assert_close
from ember.testing import op_table as ot

from core_parity import compare, dtype_pair_failures

ENTRIES = ot.entries()


def _params(pred):
    return [pytest.param(e, id=e.name) for e in ENTRIES if e.specs and pred(e)]


def _ndims(e):
    return [len(s) for s in e.shapes()]


def forward_samples(e):
    return e.forward_samples()


def _tensors(m, e, layout, shapes, dtype, label="", requires_grad=False):
    arrays = ot.make_arrays(e.specs, ot.seed_of(e.name + label), shapes)
    return [ot.layout_tensor(m, a, layout, dtype, requires_grad) for a in arrays], \
        [ot.layout_values(a, layout) for a in arrays]


def _forward_dtypes(e):
    if e.elementwise:
        return [d for d in ("float32", "float64") if not e.refusal(d)] or ["int64"]
    return ["float64"]


# ---- forward -----------------------------------------------------------------------------------
@pytest.mark.parametrize("e", _params(lambda e: e.ref is not None))
def test_forward_matches_numpy(e):
    failures = []
    for label, layout, shapes in forward_samples(e):
        xs, values = _tensors(ember, e, layout, shapes, "float64", label)
        with np.errstate(all="ignore"):
            want = np.asarray(e.ref(*values))
        try:
            assert_close(e.fn(ember, *xs), want, check_dtype=False, rtol=1e-7, atol=1e-10)
        except AssertionError as exc:
            failures.append(f"{label}: {exc}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("e", _params(lambda e: True))
def test_forward_matches_torch(e, torch_mod):
    failures = []
    for label, layout, shapes in forward_samples(e):
        for dt in _forward_dtypes(e):
            def fn(m, layout=layout, shapes=shapes, dt=dt, label=label):
                return e.fn(m, *_tensors(m, e, layout, shapes, dt, label)[0])
            try:
                compare(fn, torch_mod, rtol=2e-5, atol=1e-5)
            except AssertionError as exc:
                failures.append(f"{label}/{dt}: {exc}")
    assert not failures, "\n".join(failures[:20])


SPECIAL = np.array([0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan, 1e-30, 3.0])
# op bugs the table found, for the lead: (test, entry) -> reason
KNOWN_BUGS = {}


def _xfail(check, pred):
    out = []
    for p in _params(pred):
        reason = KNOWN_BUGS.get((check, p.id))
        out.append(pytest.param(*p.values, id=p.id, marks=pytest.mark.xfail(
            strict=True, reason=reason)) if reason else p)
    return out


@pytest.mark.parametrize("e", _xfail("special", lambda e: e.elementwise and e.family == "unary"))
def test_special_values(e, torch_mod):
    """inf, nan, -0.0 and tiny values in float32: torch's results (and NumPy's in float64)."""
    compare(lambda m: e.fn(m, m.tensor(SPECIAL, dtype=m.float32)), torch_mod, rtol=2e-5,
            atol=1e-5)
    # PyTorch maps sign(nan) to 0 and angle(-0.0) to 0 (NumPy: pi)
    if e.ref is not None and e.name not in ("sign", "sgn", "angle"):
        with np.errstate(all="ignore"):
            want = np.asarray(e.ref(SPECIAL))
        assert_close(e.fn(ember, ember.tensor(SPECIAL)), want, check_dtype=False)


SIGNED_A = [[7.0, -7.0, 7.0, -7.0], [5.5, -5.5, 0.0, 2.0]]
SIGNED_B = [[3.0, 3.0, -3.0, -3.0], [2.0, -2.0, 4.0, -1.0]]
BIN_A = [[1.0, 2.0, 3.0, 0.0], [4.0, 0.5, 1.5, 2.0]]
BIN_B = [[2.0, 1.0, 0.5, 1.0], [3.0, 2.0, 1.0, 4.0]]


NONZERO_A = [[1.0, 2.0, 3.0, 1.0], [4.0, 1.0, 1.0, 2.0]]
NONZERO_B = [[2.0, 1.0, 1.0, 1.0], [3.0, 2.0, 1.0, 4.0]]


def _dtype_inputs(m, e, dt, signed=False, nonzero=False):
    if nonzero:  # what a dtype is refused for, not a value (an integer division by zero)
        data = [NONZERO_A, NONZERO_B][:len(e.specs)]
    elif len(e.specs) == 1:
        data = [SIGNED_A if signed else ot.DTYPE_DATA]
    else:
        data = [SIGNED_A, SIGNED_B] if signed else [BIN_A, BIN_B]
    return [m.tensor(d, dtype=m.float64).to(getattr(m, dt)) for d in data]


@pytest.mark.parametrize("e", _params(lambda e: e.elementwise and len(e.dtypes) > 2))
def test_every_dtype_matches_torch(e, torch_mod):
    """Each dtype (and signed values for the signed ones): torch's result dtype and values,
    or torch's exception type; every dtype torch refuses is declared in the entry."""
    failures = []
    for dt in e.dtypes:
        for signed in (False, True) if dt not in ("bool", "uint8") else (False,):
            def fn(m, dt=dt, signed=signed):
                return e.fn(m, *_dtype_inputs(m, e, dt, signed))
            try:
                compare(fn, torch_mod, rtol=1e-2, atol=1e-2)
            except AssertionError as exc:
                failures.append(f"{dt}{'/signed' if signed else ''}: {exc}")
        try:
            e.fn(torch_mod, *_dtype_inputs(torch_mod, e, dt, nonzero=True))
        except Exception as exc:  # torch refuses: the table must say so, with that type
            want = e.refusal(dt)
            if want is None or not isinstance(exc, want):
                failures.append(f"{dt}: torch raises {type(exc).__name__}, table declares "
                                f"{want and want.__name__}")
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize("e", _params(lambda e: bool(e.refuses)))
def test_refusals_raise_declared_exception(e):
    for dt, exc in e.refuses.items():
        with pytest.raises(exc):
            e.fn(ember, *_dtype_inputs(ember, e, dt, nonzero=True))


PAIR_DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "bfloat16", "float32",
               "float64", "complex64"]


@pytest.mark.parametrize("e", _params(lambda e: e.dtype_pairs))
def test_dtype_pairs_match_torch(e, torch_mod):
    """Every (dtype, dtype) pair: PyTorch's promotion and values, or its exception type."""
    failures = []
    for d1 in PAIR_DTYPES:
        failures += [f"{d1}/{f}" for f in dtype_pair_failures(
            torch_mod, d1, PAIR_DTYPES, [e.func], lambda m, name, x, y: getattr(m, name)(x, y),
            BIN_A, BIN_B)]
    assert not failures, "\n".join(failures[:20])


SCALARS = [("int64", 2.5), ("float32", 3), ("int64", -3), ("float32", 2.5), ("bool", True),
           ("float16", 2.5), ("uint8", 10)]


@pytest.mark.parametrize("e", _params(lambda e: e.family == "binary" and e.func is not None))
def test_tensor_and_python_scalar_match_torch(e, torch_mod):
    failures = []
    for dt, s in SCALARS:
        def fn(m, dt=dt, s=s):
            return e.fn(m, m.tensor(SIGNED_A, dtype=m.float64).to(getattr(m, dt)), s)
        try:
            compare(fn, torch_mod, rtol=2e-5, atol=1e-5)
        except AssertionError as exc:
            failures.append(f"{dt} with {s!r}: {exc}")
    assert not failures, "\n".join(failures)


CASES = [pytest.param(fn, id=key) for e in ENTRIES for key, fn in e.cases.items()]


@pytest.mark.parametrize("fn", CASES)
def test_one_off_cases_match_torch(fn, torch_mod):
    compare(fn, torch_mod, rtol=2e-5, atol=1e-5)


# ---- gradients ---------------------------------------------------------------------------------
def _grad_inputs(e, shapes=None, label=""):
    return _tensors(ember, e, "contiguous", shapes, "float64", label, requires_grad=True)[0]


def _call(e):
    return lambda *xs: e.fn(ember, *xs)


@pytest.mark.parametrize("e", _params(lambda e: e.grad))
def test_gradcheck(e):
    assert gradcheck(_call(e), _grad_inputs(e), atol=e.atol, rtol=e.rtol)


@pytest.mark.parametrize("e", _params(lambda e: e.gradgrad))
def test_gradgradcheck(e):
    assert gradgradcheck(_call(e), _grad_inputs(e), atol=e.atol, rtol=e.rtol)


@pytest.mark.parametrize("e", _params(lambda e: e.grad and e.noncontig and min(_ndims(e)) >= 2))
def test_gradcheck_non_contiguous(e):
    """Inputs stored transposed and read through a permuted (non-contiguous) view."""
    arrays = ot.make_arrays(e.specs, ot.seed_of(e.name))
    xs = [ember.tensor(np.ascontiguousarray(a.T), requires_grad=True) for a in arrays]

    def f(*a):
        views = [t.permute(*reversed(range(t.dim()))) for t in a]
        assert not views[0].is_contiguous()
        return e.fn(ember, *views)
    assert gradcheck(f, xs, atol=e.atol, rtol=e.rtol)


@pytest.mark.parametrize("e", _params(lambda e: e.grad and e.elementwise))
def test_gradcheck_broadcast_and_0d(e):
    samples = e.broadcast_shapes() + [("0-d", tuple(() for _ in e.specs))]
    for label, shapes in samples:
        xs = _grad_inputs(e, list(shapes), label)
        assert gradcheck(_call(e), xs, atol=e.atol, rtol=e.rtol), label
        if e.gradgrad:
            assert gradgradcheck(_call(e), xs, atol=e.atol, rtol=e.rtol), label


def _weighted_sum(mod, out, rng):
    outs = out if isinstance(out, tuple) else (out,)
    total = 0
    for o in outs:
        if o.dtype.is_floating_point:
            total = total + (o * mod.tensor(rng.standard_normal(tuple(o.shape)))).sum()
    return total


def grad_samples(e):
    return e.grad_samples()


@pytest.mark.parametrize("e", _params(lambda e: e.grad))
def test_grads_match_torch(e, torch_mod):
    for label, arrays in grad_samples(e):
        _check_grads_like_torch(e, arrays, torch_mod)


def _check_grads_like_torch(e, arrays, torch_mod):
    grads = []
    for mod in (ember, torch_mod):
        xs = [mod.tensor(a, requires_grad=True) for a in arrays]
        _weighted_sum(mod, e.fn(mod, *xs), np.random.default_rng(1)).backward()
        grads.append([x.grad for x in xs])
    for mine, theirs in zip(*grads):
        if theirs is None:
            assert mine is None or not mine.abs().sum().item()
            continue
        theirs = torch_mod.zeros_like(theirs).copy_(theirs)  # materialise ZeroTensor grads
        if mine is None:  # no gradient flowed: torch may give explicit zeros
            assert not theirs.abs().sum().item()
        else:
            assert_close(mine, theirs, rtol=1e-6, atol=1e-8)


# ---- in-place twin, method == function -------------------------------------------------------
def _twin_dtype(e):
    return "float64" if not e.refusal("float64") else "int64"


@pytest.mark.parametrize("e", _params(lambda e: e.inplace is not None))
def test_inplace_twin_equals_out_of_place(e):
    """``x.op_(...)`` returns x, equals ``op(x, ...)`` cast to x's dtype, bumps the version
    counter, and writes through a non-contiguous view into its base."""
    dt = _twin_dtype(e)
    xs, _ = _tensors(ember, e, "contiguous", None, dt)
    want = e.fn(ember, *xs)
    x = xs[0].clone()
    v0 = x._version[0]
    got = getattr(x, e.inplace)(*xs[1:])
    assert got is x and x._version[0] > v0
    assert_close(x, want.to(x.dtype), rtol=1e-12, atol=0)
    if xs[0].dim() == 2:  # through a transposed view of a base tensor
        base = xs[0].t().contiguous()
        view = base.t()
        vb = base._version[0]
        getattr(view, e.inplace)(*xs[1:])
        assert base._version[0] > vb
        assert_close(base.t(), want.to(x.dtype), rtol=1e-12, atol=0)


@pytest.mark.parametrize("e", _params(lambda e: e.func and e.method))
def test_method_equals_function(e):
    xs, _ = _tensors(ember, e, "contiguous", None, _twin_dtype(e))
    by_function = getattr(ember, e.func)(*xs, **e.kwargs)
    by_method = getattr(xs[0], e.method)(*xs[1:], **e.kwargs)
    assert_close(by_method, by_function, rtol=0, atol=0)


def test_table_is_complete():
    """Every row of ops.unary.UNARY and every op of ops.binary's refusal table has an entry,
    names are unique, and no entry lacks a way to run."""
    from ember.ops import unary, binary
    names = {e.name for e in ENTRIES}
    assert set(unary.UNARY) <= names
    assert len(names) == len(ENTRIES)
    refused = {cls.__name__.lower() for cls in binary._REFUSE}
    assert refused <= names, refused - names
    for e in ENTRIES:
        assert e.fn is not None or e.cases, e
