"""sort/topk/kthvalue/median/mode/cummax/unique/bincount/histc/searchsorted vs NumPy and torch."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck
from ember.testing import assert_close

NAN = float("nan")


def _cmp(a, b, **kw):
    """assert_close over (nested) tuples of tensors."""
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _cmp(x, y, **kw)
    else:
        assert_close(a, b, **kw)


def _both(torch, arr):
    return ember.tensor(arr), torch.tensor(arr)


TIES = np.array([[3., 1, 2, 1, 3, 3, 0], [2, 2, 5, 5, 0, 0, 9], [1, NAN, 4, NAN, 4, 1, 2]])


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_sort_matches_torch_with_ties_and_nan(torch_mod, descending, dim):
    e, t = _both(torch_mod, TIES)
    _cmp(ember.sort(e, dim, descending), torch_mod.sort(t, dim=dim, descending=descending, stable=True))
    _cmp(e.argsort(dim, descending), t.argsort(dim=dim, descending=descending, stable=True))


def test_sort_int_bool_and_scalar(torch_mod):
    for arr in (np.array([[3, 1, 2, 1], [0, 0, 5, -1]]), np.array([True, False, True])):
        e, t = _both(torch_mod, arr)
        _cmp(e.sort(descending=True), t.sort(descending=True, stable=True))
        _cmp(e.sort(), t.sort(stable=True))
    _cmp(ember.tensor(2.5).sort(), torch_mod.tensor(2.5).sort())
    _cmp(ember.msort(ember.tensor(TIES)), torch_mod.msort(torch_mod.tensor(TIES)))


def test_sort_out_and_noncontiguous(torch_mod):
    e, t = _both(torch_mod, np.random.randn(4, 5))
    v, i = ember.empty(0, dtype=ember.float64), ember.empty(0, dtype=ember.int64)
    r = ember.sort(e.t(), 0, out=(v, i))
    assert r.values is v and r.indices is i
    _cmp((v, i), torch_mod.sort(t.t(), 0))


def test_topk(torch_mod):
    x = np.random.randn(3, 7)
    e, t = _both(torch_mod, x)
    for largest in (True, False):
        _cmp(e.topk(3, 1, largest), t.topk(3, 1, largest))
        _cmp(ember.topk(e, 2, 0, largest).values, torch_mod.topk(t, 2, 0, largest).values)
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        e.topk(8)


def _vi(res_e, res_t, e, dim, keepdim=False):
    """Values match torch; indices point at those values (torch's tie order is unspecified)."""
    assert_close(res_e.values, res_t.values)
    idx = res_e.indices if keepdim else res_e.indices.unsqueeze(dim)
    picked = e.gather(dim, idx)
    assert_close(picked if keepdim else picked.squeeze(dim), res_e.values)
    assert res_e.indices.dtype == ember.int64


def test_kthvalue_median_mode_tie_free(torch_mod):
    e, t = _both(torch_mod, np.random.randn(4, 7))
    _cmp(e.kthvalue(2, 1), t.kthvalue(2, 1))
    _cmp(e.kthvalue(1, 0, keepdim=True), t.kthvalue(1, 0, keepdim=True))
    _cmp(e.median(1), t.median(1))
    _cmp(e.median(0, keepdim=True), t.median(0, keepdim=True))
    _cmp(e.nanmedian(1), t.nanmedian(1))
    _cmp(e.mode(1), t.mode(1))
    _cmp(e.median(), t.median())


def test_kthvalue_median_mode_ties_and_nan(torch_mod):
    e, t = _both(torch_mod, TIES)
    _vi(e.kthvalue(2, 1), t.kthvalue(2, 1), e, 1)
    _vi(e.kthvalue(1, 0, keepdim=True), t.kthvalue(1, 0, keepdim=True), e, 0, True)
    _vi(e.median(1), t.median(1), e, 1)
    _cmp(e.median(1).indices[2], t.median(1).indices[2])  # NaN row: index of the first NaN
    _vi(e.median(0, keepdim=True), t.median(0, keepdim=True), e, 0, True)
    _vi(e.nanmedian(1), t.nanmedian(1), e, 1)
    _cmp(e.median(), t.median())
    _cmp(e.nanmedian(), t.nanmedian())
    _cmp(e[:2].median(), t[:2].median())
    _cmp(e[:2].mode(1), t[:2].mode(1))  # last index of the most frequent (smallest) value
    _vi(ember.mode(e, 0, True), torch_mod.mode(t, 0, True), e, 0, True)
    allnan = np.full((2, 3), NAN)
    _cmp(ember.nanmedian(ember.tensor(allnan), 1), torch_mod.nanmedian(torch_mod.tensor(allnan), 1))
    ints = np.array([[4, 1, 1, 4, 2], [7, 7, 3, 3, 3]])
    ei, ti = _both(torch_mod, ints)
    _cmp(ei.mode(), ti.mode())
    _vi(ei.median(1), ti.median(1), ei, 1)
    with pytest.raises(RuntimeError, match="k out of range for dimension 1"):
        e.kthvalue(8, 1)
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        ember.histc(ember.tensor([1, 2]))


def test_cummax_cummin(torch_mod):
    x = np.array([[1., 3, 2, 3, NAN, 5, NAN, 1], [4, 4, 1, 1, 0, 7, 7, 2]])
    e, t = _both(torch_mod, x)
    for name in ("cummax", "cummin"):
        for d in (0, 1):
            _cmp(getattr(e, name)(d), getattr(t, name)(d))
    _cmp(ember.cummax(ember.tensor([2, 1, 2, 3]), 0), torch_mod.cummax(torch_mod.tensor([2, 1, 2, 3]), 0))


def test_value_gradients_float64():
    x = ember.tensor(np.random.randn(3, 5), dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda a: a.sort(1, descending=True).values, (x,))
    assert gradcheck(lambda a: a.topk(2, 0).values, (x,))
    assert gradcheck(lambda a: a.kthvalue(2, 1).values, (x,))
    assert gradcheck(lambda a: a.median(0).values, (x,))
    assert gradcheck(lambda a: a.median(), (x,))
    assert gradcheck(lambda a: a.nanmedian(1).values, (x,))
    assert gradcheck(lambda a: a.cummax(1).values, (x,))
    assert gradcheck(lambda a: a.cummin(0).values, (x,))
    assert gradcheck(lambda a: a.msort(), (x,))
    xi = ember.tensor([[1., 2, 0.5, 3], [5, 4, 1, 0]], dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda a: a.mode(1).values, (xi,))


def test_sort_gradient_matches_torch(torch_mod):
    x = np.random.randn(4, 6)
    e = ember.tensor(x, requires_grad=True)
    t = torch_mod.tensor(x, requires_grad=True)
    w = np.random.randn(4, 3)
    (e.topk(3, 1).values * ember.tensor(w)).sum().backward()
    (t.topk(3, 1).values * torch_mod.tensor(w)).sum().backward()
    assert_close(e.grad, t.grad)


def test_unique(torch_mod):
    x = np.array([[3, 1, 2], [1, 3, 3], [3, 1, 2]])
    e, t = _both(torch_mod, x)
    _cmp(ember.unique(e), torch_mod.unique(t))
    _cmp(ember.unique(e, return_inverse=True, return_counts=True),
         torch_mod.unique(t, return_inverse=True, return_counts=True))
    for d in (0, 1):
        _cmp(e.unique(dim=d, return_inverse=True, return_counts=True),
             t.unique(dim=d, return_inverse=True, return_counts=True))
    f = np.array([2.5, -1.0, 2.5, 0.0])
    _cmp(ember.unique(ember.tensor(f), return_counts=True),
         torch_mod.unique(torch_mod.tensor(f), return_counts=True))


def test_unique_consecutive(torch_mod):
    x = np.array([1, 1, 2, 2, 3, 1, 1, 2])
    e, t = _both(torch_mod, x)
    _cmp(e.unique_consecutive(return_inverse=True, return_counts=True),
         t.unique_consecutive(return_inverse=True, return_counts=True))
    m = np.array([[1, 1, 2, 2], [1, 1, 3, 3]])
    e, t = _both(torch_mod, m)
    _cmp(ember.unique_consecutive(e, True, True, dim=1),
         torch_mod.unique_consecutive(t, True, True, dim=1))
    _cmp(ember.unique_consecutive(e, dim=0), torch_mod.unique_consecutive(t, dim=0))


def test_bincount_histc_histogram(torch_mod):
    x = np.array([0, 1, 1, 3, 5, 1])
    e, t = _both(torch_mod, x)
    _cmp(e.bincount(), t.bincount())
    _cmp(e.bincount(minlength=9), t.bincount(minlength=9))
    for w in (np.arange(6.0, dtype=np.float32), np.arange(6)):
        _cmp(e.bincount(ember.tensor(w)), t.bincount(torch_mod.tensor(w)))
    with pytest.raises(RuntimeError, match="non-negative"):
        ember.bincount(ember.tensor([1, -1]))
    with pytest.raises(NotImplementedError, match="bincount_cpu"):  # as torch 2.13
        ember.bincount(ember.tensor([1.0]))
    v = np.random.randn(50).astype(np.float32)
    ev, tv = _both(torch_mod, v)
    _cmp(ember.histc(ev, 7), torch_mod.histc(tv, 7))
    _cmp(ev.histc(5, -1, 1), tv.histc(5, -1, 1))
    _cmp(ember.histc(ember.tensor([1., 2, 1]), 4, 0, 3), torch_mod.histc(torch_mod.tensor([1., 2, 1]), 4, 0, 3))
    _cmp(ember.histogram(ev, 6), torch_mod.histogram(tv, 6))
    _cmp(ember.histogram(ev, 4, range=(-1.0, 1.0), density=True),
         torch_mod.histogram(tv, 4, range=(-1.0, 1.0), density=True))
    counts, _ = np.histogram(v, bins=6)
    assert_close(ember.histogram(ev, 6).hist, counts.astype(np.float32))


def test_searchsorted_bucketize(torch_mod):
    seq = np.array([1., 3, 3, 5, 7])
    vals = np.array([[0., 3, 6], [7, 8, 3]])
    (es, ts), (ev, tv) = _both(torch_mod, seq), _both(torch_mod, vals)
    for right in (False, True):
        _cmp(ember.searchsorted(es, ev, right=right), torch_mod.searchsorted(ts, tv, right=right))
        _cmp(ember.bucketize(ev, es, right=right), torch_mod.bucketize(tv, ts, right=right))
    _cmp(ember.searchsorted(es, ev, side="right", out_int32=True),
         torch_mod.searchsorted(ts, tv, side="right", out_int32=True))
    _cmp(ember.searchsorted(es, 3.0), torch_mod.searchsorted(ts, 3.0))
    seq2 = np.array([[1., 2, 3, 4], [0, 5, 6, 10]])
    (e2, t2) = _both(torch_mod, seq2)
    for right in (False, True):
        _cmp(ember.searchsorted(e2, ev, right=right), torch_mod.searchsorted(t2, tv, right=right))
    unsorted = np.array([5., 1, 3])
    sorter = np.argsort(unsorted)
    _cmp(ember.searchsorted(ember.tensor(unsorted), ember.tensor([2., 4.]), sorter=ember.tensor(sorter)),
         torch_mod.searchsorted(torch_mod.tensor(unsorted), torch_mod.tensor([2., 4.]),
                                sorter=torch_mod.tensor(sorter)))
    with pytest.raises(RuntimeError, match="side and right"):
        ember.searchsorted(es, ev, right=True, side="left")
    with pytest.raises(RuntimeError, match="boundaries tensor"):
        ember.searchsorted(e2, ember.tensor([[1.0]] * 3))


def test_partition_paths_with_nan(torch_mod):
    x = np.random.randn(6, 40)
    x[0, 3] = NAN
    x[2, 7] = x[2, 9] = NAN
    x[3] = NAN
    e, t = _both(torch_mod, x)
    for largest in (True, False):
        for k in (1, 3, 19):
            _vi(e.topk(k, 1, largest), t.topk(k, 1, largest), e, 1, True)
            _cmp(ember.topk(e[4:], k, 1, largest), torch_mod.topk(t[4:], k, 1, largest))
    for k in (1, 20, 40):
        _vi(e[4:].kthvalue(k, 1), t[4:].kthvalue(k, 1), e[4:], 1)
    _cmp(e.median(1), t.median(1))
    _vi(e.nanmedian(1), t.nanmedian(1), e, 1)  # all-NaN row: torch's NaN index is unspecified
    _cmp(e.nanmedian(1)[1][:3], t.nanmedian(1)[1][:3])
    _cmp(e.nanmedian(0), t.nanmedian(0))


def test_unique_int_paths(torch_mod):
    for arr in (np.random.randint(-5, 50, (7, 9)), np.array([10 ** 12, -3, 10 ** 12, 5]),
                np.array([True, False, True]), np.array([3, 1, 3], dtype=np.uint8)):
        e, t = _both(torch_mod, arr)
        _cmp(ember.unique(e, return_inverse=True, return_counts=True),
             torch_mod.unique(t, return_inverse=True, return_counts=True))


def test_histogram_edges_weights_and_out(torch_mod):
    v = np.random.randn(30)
    w = np.random.rand(30)
    edges = np.array([-2.0, -0.5, 0.0, 0.3, 2.0])
    (ev, tv), (ew, tw), (ee, te) = (_both(torch_mod, a) for a in (v, w, edges))
    _cmp(ember.histogram(ev, ee, weight=ew), torch_mod.histogram(tv, te, weight=tw))
    _cmp(ev.histogram(3, density=True), tv.histogram(3, density=True))
    vals, idx = ember.empty(0, dtype=ember.float64), ember.empty(0, dtype=ember.int64)
    r = ember.kthvalue(ev, 3, out=(vals, idx))
    assert r.values is vals
    _cmp(r, torch_mod.kthvalue(tv, 3))
    o = ember.empty(0, dtype=ember.int64)
    assert ember.searchsorted(ee, ev, out=o) is o
    _cmp(o, torch_mod.searchsorted(te, tv))
