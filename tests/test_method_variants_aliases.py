"""In-place view ops, in-place matrix products, axis=/keepdims= aliases, from=/to= keywords,
requires_grad error texts, detect_anomaly warning and backward(grad_variables=), vs PyTorch."""
import warnings

import numpy as np
import pytest

import ember
from ember.testing import assert_close

RNG = np.random.default_rng(1)
X = RNG.standard_normal((2, 1, 3))


def _same(e, t):
    assert str(e.dtype) == str(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    assert_close(e, ember.tensor(t.detach().numpy()))


def _err(fn_e, fn_t):
    with pytest.raises(Exception) as te:
        fn_t()
    with pytest.raises(type(te.value)) as ee:
        fn_e()
    assert str(ee.value) == str(te.value)


VIEW_CASES = [("squeeze_", ()), ("squeeze_", (1,)), ("squeeze_", ((1,),)), ("unsqueeze_", (0,)),
              ("unsqueeze_", (-1,)), ("transpose_", (0, 2)), ("swapaxes_", (0, 1)),
              ("swapdims_", (2, 1))]


@pytest.mark.parametrize("name,args", VIEW_CASES)
def test_inplace_view_shape_storage_and_grad(torch_mod, name, args):
    e, t = ember.tensor(X), torch_mod.tensor(X)
    ptr = e.data_ptr()
    r = getattr(e, name)(*args)
    tr = getattr(t, name)(*args)
    assert r is e and e.data_ptr() == ptr
    _same(e, t)
    assert tuple(e.stride()) == tuple(t.stride())
    assert e._version[0] if isinstance(e._version, list) else e._version
    # non-leaf in the graph: the node is the view's, named as PyTorch's in-place twin
    xe = ember.tensor(X, requires_grad=True)
    xt = torch_mod.tensor(X, requires_grad=True)
    ye, yt = xe * 2, xt * 2
    getattr(ye, name)(*args)
    getattr(yt, name)(*args)
    assert ye.grad_fn.name() == yt.grad_fn.name()
    w = RNG.standard_normal(tuple(yt.shape))
    (ye * ember.tensor(w)).sum().backward()
    (yt * torch_mod.tensor(w)).sum().backward()
    _same(xe.grad, xt.grad)


def test_inplace_view_errors(torch_mod):
    _err(lambda: ember.ones(2, 1, requires_grad=True).squeeze_(),
         lambda: torch_mod.ones(2, 1, requires_grad=True).squeeze_())
    _err(lambda: ember.ones(3, 2, 2).t_(), lambda: torch_mod.ones(3, 2, 2).t_())
    _err(lambda: ember.ones(3).squeeze_(2), lambda: torch_mod.ones(3).squeeze_(2))
    _err(lambda: ember.ones(3).unsqueeze_(3), lambda: torch_mod.ones(3).unsqueeze_(3))


def test_t_inplace_on_view(torch_mod):
    base, tbase = ember.arange(6.).reshape(2, 3), torch_mod.arange(6.).reshape(2, 3)
    base.t_()
    tbase.t_()
    _same(base, tbase)
    assert tuple(base.stride()) == tuple(tbase.stride())
    base[0, 1] = 100.  # still writes into the shared storage
    tbase[0, 1] = 100.
    _same(base._base, tbase._base)


@pytest.mark.parametrize("name,shapes", [
    ("addmm_", ((2, 4), (2, 3), (3, 4))), ("addbmm_", ((2, 4), (5, 2, 3), (5, 3, 4))),
    ("baddbmm_", ((5, 2, 4), (5, 2, 3), (5, 3, 4))), ("addmv_", ((2,), (2, 3), (3,))),
    ("addr_", ((2, 3), (2,), (3,)))])
def test_inplace_matmul(torch_mod, name, shapes):
    arrs = [RNG.standard_normal(s) for s in shapes]
    e = [ember.tensor(a) for a in arrs]
    t = [torch_mod.tensor(a) for a in arrs]
    getattr(e[0], name)(e[1], e[2], beta=0.5, alpha=2.0)
    getattr(t[0], name)(t[1], t[2], beta=0.5, alpha=2.0)
    _same(e[0], t[0])
    # through autograd: gradients to the operands match
    le = [ember.tensor(a, requires_grad=True) for a in arrs]
    lt = [torch_mod.tensor(a, requires_grad=True) for a in arrs]
    ye, yt = le[0] * 1, lt[0] * 1
    getattr(ye, name)(le[1], le[2], alpha=3.0)
    getattr(yt, name)(lt[1], lt[2], alpha=3.0)
    (ye * ye).sum().backward()
    (yt * yt).sum().backward()
    for a, b in zip(le, lt):
        _same(a.grad, b.grad)


REDUCTIONS = ["sum", "mean", "prod", "std", "var", "amax", "amin", "argmax", "argmin", "all",
              "any", "logsumexp", "nansum", "nanmean", "count_nonzero"]


@pytest.mark.parametrize("name", REDUCTIONS)
def test_axis_alias_reductions(torch_mod, name):
    a = RNG.standard_normal((3, 4))
    e, t = ember.tensor(a), torch_mod.tensor(a)
    _same(getattr(ember, name)(e, axis=1), getattr(torch_mod, name)(t, axis=1))
    _same(getattr(e, name)(axis=0), getattr(t, name)(axis=0))
    if name not in ("count_nonzero",):
        _same(getattr(ember, name)(e, axis=1, keepdims=True),
              getattr(torch_mod, name)(t, axis=1, keepdims=True))


@pytest.mark.parametrize("name", ["max", "min", "median", "mode", "cummax", "cummin", "sort",
                                  "std_mean", "var_mean", "cumsum", "cumprod", "softmax"])
def test_axis_alias_multi(torch_mod, name):
    a = RNG.standard_normal((3, 4))
    e, t = ember.tensor(a), torch_mod.tensor(a)
    re, rt = getattr(ember, name)(e, axis=1), getattr(torch_mod, name)(t, axis=1)
    for x, y in zip(re if isinstance(re, tuple) else (re,), rt if isinstance(rt, tuple) else (rt,)):
        _same(x, y)
    if not hasattr(t, name):  # std_mean / var_mean are functions only
        return
    me, mt = getattr(e, name)(axis=0), getattr(t, name)(axis=0)
    for x, y in zip(me if isinstance(me, tuple) else (me,), mt if isinstance(mt, tuple) else (mt,)):
        _same(x, y)


def test_axis_alias_joining(torch_mod):
    a = RNG.standard_normal((2, 3))
    e, t = ember.tensor(a), torch_mod.tensor(a)
    _same(ember.cat([e, e], axis=1), torch_mod.cat([t, t], axis=1))
    _same(ember.stack([e, e], axis=2), torch_mod.stack([t, t], axis=2))
    with pytest.raises(TypeError):
        ember.sum(e, axis=1, dim=1)


def test_uniform_random_from_to(torch_mod):
    e = ember.empty(4000, dtype=ember.float64).uniform_(**{"from": -3.0, "to": -2.0})
    assert -3.0 <= float(e.min()) and float(e.max()) < -2.0 and float(e.max()) > -2.05
    r = ember.empty(4000).random_(**{"from": 2, "to": 5})
    assert sorted(set(r.tolist())) == [2.0, 3.0, 4.0]
    t = torch_mod.empty(4000).random_(5)
    r = ember.empty(4000).random_(5)
    assert sorted(set(r.tolist())) == sorted(set(t.tolist()))
    r = ember.empty(4000, dtype=ember.int64).random_(**{"to": 3})
    assert sorted(set(r.tolist())) == [0, 1, 2] and r.dtype is ember.int64


def test_requires_grad_messages(torch_mod):
    _err(lambda: ember.tensor([1, 2], requires_grad=True),
         lambda: torch_mod.tensor([1, 2], requires_grad=True))
    _err(lambda: ember.zeros(2, dtype=ember.int32, requires_grad=True),
         lambda: torch_mod.zeros(2, dtype=torch_mod.int32, requires_grad=True))
    _err(lambda: ember.tensor([1, 2]).requires_grad_(),
         lambda: torch_mod.tensor([1, 2]).requires_grad_())
    e, t = ember.tensor([1, 2]), torch_mod.tensor([1, 2])

    def set_e():
        e.requires_grad = True

    def set_t():
        t.requires_grad = True
    _err(set_e, set_t)


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn()
    return [(x.category, str(x.message)) for x in w]


def test_detect_anomaly_warning(torch_mod):
    def enter(mod):
        def run():
            with mod.autograd.detect_anomaly():
                pass
        return run
    assert _warnings_of(enter(ember)) == _warnings_of(enter(torch_mod))


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_backward_grad_variables(torch_mod):
    def run(mod):
        x = mod.tensor([1.0, 2.0], requires_grad=True)
        mod.autograd.backward(x * x, grad_variables=mod.tensor([1.0, 3.0]))
        return x.grad
    we = _warnings_of(lambda: run(ember))
    wt = _warnings_of(lambda: run(torch_mod))
    assert we == wt
    _same(run(ember), run(torch_mod))
    _err(lambda: ember.autograd.backward(ember.ones(1, requires_grad=True) * 2, ember.ones(1),
                                         grad_variables=ember.ones(1)),
         lambda: torch_mod.autograd.backward(torch_mod.ones(1, requires_grad=True) * 2,
                                             torch_mod.ones(1), grad_variables=torch_mod.ones(1)))


def test_inplace_view_then_inplace_write_on_views(torch_mod):
    def run(mod):
        x = mod.tensor(np.arange(12.).reshape(3, 4), requires_grad=True)
        a = x * 1
        b = a[1]
        b.unsqueeze_(0)
        b.mul_(mod.tensor([[1., 2., 3., 4.]]))
        c = a.transpose(0, 1)
        c.t_()
        c[0].add_(1.)
        (a * a).sum().backward()
        return x.grad, a, b.grad_fn.name(), tuple(c.shape)
    ge, ae, ne, se = run(ember)
    gt, at, nt, st = run(torch_mod)
    _same(ge, gt)
    _same(ae, at)
    assert (ne, se) == (nt, st)
