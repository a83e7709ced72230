"""repeat_interleave, rot90, diag*, meshgrid, broadcasting, block_diag, combinations, trace, cross,
tri indices, vander, cdist vs NumPy and torch."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck
from ember.testing import assert_close


def _both(torch, arr):
    return ember.tensor(arr), torch.tensor(arr)


def _x64(*shape):
    return ember.tensor(np.random.randn(*shape), dtype=ember.float64, requires_grad=True)


def _cmp(a, b):
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _cmp(x, y)
    else:
        assert_close(a, b)


def test_repeat_interleave(torch_mod):
    x = np.arange(6.0).reshape(2, 3)
    e, t = _both(torch_mod, x)
    _cmp(e.repeat_interleave(2), t.repeat_interleave(2))
    _cmp(e.repeat_interleave(2, 1), t.repeat_interleave(2, 1))
    r = np.array([1, 0, 3])
    _cmp(ember.repeat_interleave(e, ember.tensor(r), dim=1), torch_mod.repeat_interleave(t, torch_mod.tensor(r), dim=1))
    _cmp(ember.repeat_interleave(e, ember.tensor([2]), 0), torch_mod.repeat_interleave(t, torch_mod.tensor([2]), 0))
    _cmp(ember.repeat_interleave(ember.tensor(r)), torch_mod.repeat_interleave(torch_mod.tensor(r)))
    _cmp(e.repeat_interleave(3, 0, output_size=6), np.repeat(x, 3, 0))
    with pytest.raises(RuntimeError, match=r"repeats.size\(0\) = 2 and input.size\(1\) = 3"):
        e.repeat_interleave(ember.tensor([1, 2]), 1)
    with pytest.raises(RuntimeError, match="non-negative"):
        e.repeat_interleave(-1)
    assert gradcheck(lambda a: a.repeat_interleave(ember.tensor([2, 1, 3]), 1), (_x64(2, 3),))


def test_rot90(torch_mod):
    x = np.arange(24.0).reshape(2, 3, 4)
    e, t = _both(torch_mod, x)
    for k in (-1, 0, 1, 2, 3, 5):
        _cmp(e.rot90(k, (1, 2)), t.rot90(k, (1, 2)))
        _cmp(ember.rot90(e, k, [0, 2]), np.rot90(x, k, (0, 2)))
    with pytest.raises(RuntimeError, match="expected total rotation dims == 2, but got dims = 1"):
        e.rot90(1, [0])
    with pytest.raises(RuntimeError, match="dim0 = 1 and dim1 = 1"):
        e.rot90(1, [1, 1])
    assert gradcheck(lambda a: a.rot90(1, (0, 1)), (_x64(2, 3),))


def test_diag_family(torch_mod):
    v = np.random.randn(3)
    m = np.random.randn(3, 4)
    (ev, tv), (em, tm) = _both(torch_mod, v), _both(torch_mod, m)
    for k in (-1, 0, 2):
        _cmp(ember.diag(ev, k), torch_mod.diag(tv, k))
        _cmp(em.diag(k), tm.diag(k))
        _cmp(ember.diagflat(em, k), torch_mod.diagflat(tm, k))
        _cmp(em.diag_embed(k), tm.diag_embed(k))
        _cmp(em.diag_embed(k, 0, 2), tm.diag_embed(k, 0, 2))
        _cmp(em.diag_embed(k, -1, 0), tm.diag_embed(k, -1, 0))
    _cmp(ember.diag(ev), np.diag(v))
    with pytest.raises(RuntimeError, match="Supports 1D or 2D tensors. Got 3D"):
        ember.diag(ember.zeros(2, 2, 2))
    d = em.diag()
    d.add_(1)  # a copy, not a view
    assert_close(em, m)
    assert gradcheck(lambda a: a.diag_embed(1, 0, 2), (_x64(2, 3),))
    assert gradcheck(lambda a: ember.diag(a, -1), (_x64(3),))
    assert gradcheck(lambda a: ember.diag(a, 1), (_x64(3, 3),))


def test_meshgrid_cartesian_broadcast(torch_mod):
    a, b, c = np.arange(3.0), np.arange(4.0) * 2, np.array([5.0, 6.0])
    (ea, ta), (eb, tb), (ec, tc) = (_both(torch_mod, v) for v in (a, b, c))
    for ind in ("ij", "xy"):
        _cmp(ember.meshgrid(ea, eb, ec, indexing=ind), torch_mod.meshgrid(ta, tb, tc, indexing=ind))
        _cmp(ember.meshgrid([ea, eb], indexing=ind), np.meshgrid(a, b, indexing=ind))
    _cmp(ember.cartesian_prod(ea, eb), torch_mod.cartesian_prod(ta, tb))
    _cmp(ember.cartesian_prod(ea), torch_mod.cartesian_prod(ta))
    x, y = np.random.randn(3, 1), np.random.randn(1, 4)
    _cmp(ember.broadcast_tensors(ember.tensor(x), ember.tensor(y)),
         torch_mod.broadcast_tensors(torch_mod.tensor(x), torch_mod.tensor(y)))
    assert ember.broadcast_shapes((3, 1), (4,), 1) == torch_mod.broadcast_shapes((3, 1), (4,), 1)
    assert isinstance(ember.broadcast_shapes((2, 1)), ember.Size)
    with pytest.raises(RuntimeError, match="Attempting to broadcast a dimension of length 2"):
        ember.broadcast_shapes((2, 3), (3, 2))
    with pytest.raises(RuntimeError, match="Expected 0D or 1D tensor"):
        ember.meshgrid(ember.zeros(2, 2))
    assert gradcheck(lambda p, q: ember.meshgrid(p, q, indexing="xy"), (_x64(2), _x64(3)))
    assert gradcheck(lambda p, q: ember.cartesian_prod(p, q), (_x64(2), _x64(3)))


def test_block_diag_combinations(torch_mod):
    parts = [np.random.randn(2, 3), np.array(4.0), np.random.randn(3), np.random.randn(1, 2)]
    e = [ember.tensor(p) for p in parts]
    t = [torch_mod.tensor(p) for p in parts]
    _cmp(ember.block_diag(*e), torch_mod.block_diag(*t))
    _cmp(ember.block_diag(ember.tensor([[1, 2]]), ember.tensor([[0.5]])),
         torch_mod.block_diag(torch_mod.tensor([[1, 2]]), torch_mod.tensor([[0.5]])))
    with pytest.raises(RuntimeError, match="Input 0 has 3 dimensions"):
        ember.block_diag(ember.zeros(2, 2, 2))
    assert gradcheck(lambda a, b: ember.block_diag(a, b), (_x64(2, 2), _x64(1, 3)))
    v = np.array([1.0, 2.0, 5.0, 7.0])
    ev, tv = _both(torch_mod, v)
    for r in (0, 1, 2, 3, 5):
        for wr in (False, True):
            _cmp(ember.combinations(ev, r, wr), torch_mod.combinations(tv, r, wr))
    assert gradcheck(lambda a: ember.combinations(a, 2), (_x64(4),))


def test_trace_cross(torch_mod):
    m = np.random.randn(3, 4)
    em, tm = _both(torch_mod, m)
    _cmp(em.trace(), tm.trace())
    _cmp(ember.trace(ember.tensor([[1, 2], [3, 4]])), torch_mod.trace(torch_mod.tensor([[1, 2], [3, 4]])))
    with pytest.raises(RuntimeError, match="expected a matrix, but got tensor with dim 3"):
        ember.trace(ember.zeros(2, 2, 2))
    a, b = np.random.randn(4, 3), np.random.randn(1, 3)
    (ea, ta), (eb, tb) = _both(torch_mod, a), _both(torch_mod, b)
    _cmp(ember.cross(ea, eb, dim=1), torch_mod.cross(ta, tb, dim=1))
    _cmp(ember.linalg.cross(ea, eb), torch_mod.linalg.cross(ta, tb))
    _cmp(ea.cross(eb, 1), np.cross(a, b))
    with pytest.warns(UserWarning, match="without specifying the dim"):
        _cmp(ember.cross(ea.t(), eb.t().expand(3, 4)), np.cross(a, b).T)
    with pytest.raises(RuntimeError, match="dimension -1 must have length 3. Got 4 and 4"):
        ember.linalg.cross(ember.zeros(2, 4), ember.zeros(2, 4))
    assert gradcheck(lambda p, q: ember.linalg.cross(p, q), (_x64(2, 3), _x64(2, 3)))
    assert gradcheck(lambda p: p.trace(), (_x64(3, 3),))


def test_tri_indices_vander(torch_mod):
    for args in ((3, 3), (4, 3, 1), (3, 5, -1), (0, 0)):
        _cmp(ember.tril_indices(*args), torch_mod.tril_indices(*args))
        _cmp(ember.triu_indices(*args), torch_mod.triu_indices(*args))
    assert ember.tril_indices(3, 3, dtype=ember.int32).dtype == ember.int32
    x = np.array([1.0, 2.0, 0.0, -1.5])
    ex, tx = _both(torch_mod, x)
    _cmp(ember.vander(ex), torch_mod.vander(tx))
    _cmp(ember.vander(ex, 3, increasing=True), torch_mod.vander(tx, 3, increasing=True))
    _cmp(ember.vander(ember.tensor([1, 2, 3])), torch_mod.vander(torch_mod.tensor([1, 2, 3])))
    _cmp(ember.vander(ex, 5), np.vander(x, 5))
    assert gradcheck(lambda a: ember.vander(a, 4), (_x64(3),))


@pytest.mark.parametrize("p", [2.0, 1.0, 0.5, 3.0, float("inf")])
def test_cdist(torch_mod, p):
    a, b = np.random.randn(2, 4, 3), np.random.randn(2, 5, 3)
    (ea, ta), (eb, tb) = _both(torch_mod, a), _both(torch_mod, b)
    _cmp(ember.cdist(ea, eb, p), torch_mod.cdist(ta, tb, p))
    if p != 0.5:
        assert gradcheck(lambda u, v: ember.cdist(u, v, p), (_x64(3, 2), _x64(2, 2)))


def test_cdist_errors_and_zero_distance(torch_mod):
    with pytest.raises(RuntimeError, match="at least 2D tensors, X1 got: 1D"):
        ember.cdist(ember.zeros(3), ember.zeros(3, 3))
    with pytest.raises(RuntimeError, match="X1: 3 X2: 4"):
        ember.cdist(ember.zeros(2, 3), ember.zeros(3, 4))
    x = np.random.randn(3, 2)
    e = ember.tensor(x, requires_grad=True)
    t = torch_mod.tensor(x, requires_grad=True)
    ember.cdist(e, e).sum().backward()
    torch_mod.cdist(t, t).sum().backward()
    assert_close(e.grad, t.grad)


def test_cdist_matmul_path(torch_mod):
    a, b = np.random.randn(2, 30, 3), np.random.randn(1, 27, 3)
    (ea, ta), (eb, tb) = _both(torch_mod, a), _both(torch_mod, b)
    _cmp(ember.cdist(ea, eb), torch_mod.cdist(ta, tb))
    ref = np.sqrt(((a[:, :, None, :] - b[:, None, :, :]) ** 2).sum(-1))
    _cmp(ember.cdist(ea, eb, compute_mode="donot_use_mm_for_euclid_dist"), ref)
    mm = "use_mm_for_euclid_dist"
    assert gradcheck(lambda u, v: ember.cdist(u, v, compute_mode=mm), (_x64(2, 3, 2), _x64(4, 2)))
    x = np.random.randn(3, 2)
    e = ember.tensor(x, requires_grad=True)
    t = torch_mod.tensor(x, requires_grad=True)
    w = np.random.randn(3, 3)
    (ember.cdist(e, e, compute_mode=mm) * ember.tensor(w)).sum().backward()
    (torch_mod.cdist(t, t, compute_mode=mm) * torch_mod.tensor(w)).sum().backward()
    _cmp(e.grad, t.grad)
    with pytest.raises(ValueError, match="is not a valid value for compute_mode"):
        ember.cdist(ea, eb, compute_mode="fast")
