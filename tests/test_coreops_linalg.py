"""ember.linalg and the top-level det/inverse/svd/... vs NumPy and torch, with float64 gradchecks."""
import math

import numpy as np
import pytest

import ember
import ember.linalg as LA
from ember.autograd import gradcheck, gradgradcheck
from ember.testing import assert_close


def _both(torch, arr):
    return ember.tensor(arr), torch.tensor(arr)


def _x64(*shape):
    return ember.tensor(np.random.randn(*shape), dtype=ember.float64, requires_grad=True)


def _cmp(a, b, **kw):
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _cmp(x, y, **kw)
    else:
        assert_close(a, b, **kw)


def _spd(*shape):
    a = np.random.randn(*shape)
    return a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])


def _sym(a):
    return (a + a.mT) / 2


def test_namespace():
    import importlib
    mod = importlib.import_module("ember.linalg")
    assert mod is ember.linalg
    assert issubclass(LA.LinAlgError, RuntimeError)
    for name in ("det", "inverse", "pinverse", "svd", "cholesky", "logdet", "slogdet",
                 "matrix_power", "qr"):
        assert callable(getattr(ember, name)) and callable(getattr(ember.Tensor, name))


def test_inv_det_slogdet_values(torch_mod):
    a = np.random.randn(2, 3, 3)
    e, t = _both(torch_mod, a)
    _cmp(LA.inv(e), torch_mod.linalg.inv(t))
    _cmp(e.inverse(), np.linalg.inv(a))
    _cmp(LA.det(e), torch_mod.linalg.det(t))
    _cmp(ember.det(e), np.linalg.det(a))
    _cmp(LA.slogdet(e), torch_mod.linalg.slogdet(t))
    _cmp(ember.logdet(e), torch_mod.logdet(t))
    _cmp(ember.logdet(ember.tensor([[0., 1], [1, 0]])), torch_mod.logdet(torch_mod.tensor([[0., 1], [1, 0]])))
    f = np.random.randn(4, 4).astype(np.float32)
    _cmp(ember.inverse(ember.tensor(f)), torch_mod.inverse(torch_mod.tensor(f)), rtol=1e-4, atol=1e-4)


def test_errors(torch_mod):
    with pytest.raises(LA.LinAlgError, match="The diagonal element 2 is zero"):
        LA.inv(ember.tensor([[1., 2], [2, 4]]))
    with pytest.raises(LA.LinAlgError, match=r"\(Batch element 1\): linalg.inv"):
        LA.inv(ember.tensor([[[1., 0], [0, 1]], [[1, 2], [2, 4]]]))
    with pytest.raises(RuntimeError, match="A must be batches of square matrices, but they are 2 by 3"):
        LA.inv(ember.ones(2, 3))
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        LA.det(ember.ones(3))
    with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor as input. Got Long"):
        LA.inv(ember.ones(2, 2, dtype=ember.int64))
    with pytest.raises(LA.LinAlgError, match="leading minor of order 2 is not positive-definite"):
        LA.cholesky(ember.tensor([[1., 2], [2, 1]]))
    with pytest.raises(LA.LinAlgError, match="input matrix is singular"):
        LA.solve(ember.zeros(2, 2), ember.ones(2))
    with pytest.raises(RuntimeError, match="If dim is not specified but ord is, the input must be 1D or 2D. Got 3D"):
        LA.norm(ember.ones(2, 2, 2), 2)
    with pytest.raises(RuntimeError, match="expected at least 2 tensors but got 1"):
        LA.multi_dot([ember.ones(2, 2)])


def test_inv_det_slogdet_grads():
    a = _x64(2, 3, 3)
    assert gradcheck(LA.inv, (a,))
    assert gradcheck(LA.det, (a,))
    assert gradcheck(lambda x: LA.slogdet(x).logabsdet, (a,))
    assert gradcheck(ember.logdet, (ember.tensor(_spd(3, 3), requires_grad=True),))
    assert gradgradcheck(LA.inv, (_x64(3, 3),))
    assert gradgradcheck(LA.det, (_x64(3, 3),))


def test_det_grad_singular():
    # the gradient of det is the cofactor matrix, also where A is singular (SVD path); checked
    # by finite differences (torch 2.13 returns zeros here, contradicting its documented SVD path)
    for m in ([[1., 2], [2, 4]], [[1., 2, 3], [2, 4, 6], [0, 1, 5]], [[1., 1, 1], [1, 1, 1], [1, 1, 1]],
              [[[0., 0], [0, 0]], [[2, 1], [1, 3]]]):
        e = ember.tensor(m, dtype=ember.float64, requires_grad=True)
        assert gradcheck(LA.det, (e,))
    e = ember.tensor([[1., 2], [2, 4]], dtype=ember.float64, requires_grad=True)
    LA.det(e).backward()
    _cmp(e.grad, np.array([[4., -2], [-2, 1]]))


def test_solve(torch_mod):
    a, b, v = np.random.randn(2, 3, 3), np.random.randn(2, 3, 2), np.random.randn(3)
    (ea, ta), (eb, tb), (ev, tv) = (_both(torch_mod, x) for x in (a, b, v))
    _cmp(LA.solve(ea, eb), torch_mod.linalg.solve(ta, tb))
    _cmp(LA.solve(ea, ev), torch_mod.linalg.solve(ta, tv))
    _cmp(LA.solve(ea[0], ev), np.linalg.solve(a[0], v))
    _cmp(LA.solve(ea, eb.mT, left=False), torch_mod.linalg.solve(ta, tb.mT, left=False))
    _cmp(LA.solve(ea, eb[0]), torch_mod.linalg.solve(ta, tb[0]))  # broadcast B
    _cmp(LA.solve_triangular(ea, eb, upper=True), torch_mod.linalg.solve_triangular(ta, tb, upper=True))
    assert gradcheck(LA.solve, (_x64(2, 3, 3), _x64(2, 3, 2)))
    assert gradcheck(LA.solve, (_x64(3, 3), _x64(3)))
    assert gradcheck(LA.solve, (_x64(2, 3, 3), _x64(3, 1)))


def test_cholesky(torch_mod):
    s = _spd(2, 4, 4)
    e, t = _both(torch_mod, s)
    _cmp(LA.cholesky(e), torch_mod.linalg.cholesky(t))
    _cmp(LA.cholesky(e, upper=True), torch_mod.linalg.cholesky(t, upper=True))
    _cmp(ember.cholesky(e), np.linalg.cholesky(s))
    _cmp(e.cholesky(True), torch_mod.cholesky(t, True))
    x = _x64(3, 3)
    assert gradcheck(lambda m: LA.cholesky(m @ m.mT + 3 * ember.eye(3, dtype=ember.float64)), (x,))
    assert gradgradcheck(lambda m: LA.cholesky(m @ m.mT + 3 * ember.eye(3, dtype=ember.float64)), (x,))
    # raw gradient (symmetrized, as torch does)
    es = ember.tensor(s[0], requires_grad=True)
    ts = torch_mod.tensor(s[0], requires_grad=True)
    w = np.random.randn(4, 4)
    (LA.cholesky(es) * ember.tensor(w)).sum().backward()
    (torch_mod.linalg.cholesky(ts) * torch_mod.tensor(w)).sum().backward()
    _cmp(es.grad, ts.grad)


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (3, 5), (2, 4, 2)])
def test_qr(torch_mod, shape):
    a = np.random.randn(*shape)
    e, t = _both(torch_mod, a)
    _cmp(LA.qr(e), torch_mod.linalg.qr(t))
    _cmp(LA.qr(e, "complete"), torch_mod.linalg.qr(t, "complete"))
    _cmp(LA.qr(e, "r").R, torch_mod.linalg.qr(t, "r").R)
    _cmp(ember.qr(e), torch_mod.qr(t))
    x = _x64(*shape)
    assert gradcheck(lambda m: LA.qr(m), (x,))
    ea = ember.tensor(a, requires_grad=True)
    ta = torch_mod.tensor(a, requires_grad=True)
    q, r = LA.qr(ea)
    tq, tr = torch_mod.linalg.qr(ta)
    (q.sum() + (r * r).sum()).backward()
    (tq.sum() + (tr * tr).sum()).backward()
    _cmp(ea.grad, ta.grad)


def test_qr_complete_tall_not_differentiable():
    q, r = LA.qr(_x64(4, 2), "complete")
    with pytest.raises(RuntimeError, match="not differentiable when mode='complete' and nrows > ncols"):
        q.sum().backward()


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (2, 5), (2, 3, 2)])
def test_svd(torch_mod, shape):
    a = np.random.randn(*shape)
    e, t = _both(torch_mod, a)
    U, S, Vh = LA.svd(e, full_matrices=False)
    tU, tS, tVh = torch_mod.linalg.svd(t, full_matrices=False)
    _cmp(S, tS)
    _cmp(U @ (S.unsqueeze(-1) * Vh), t)
    _cmp(U.abs(), tU.abs())
    _cmp(LA.svdvals(e), np.linalg.svd(a, compute_uv=False))
    Uf, Sf, Vhf = LA.svd(e)
    assert Uf.shape == tuple(shape[:-1]) + (shape[-2],) and Vhf.shape[-1] == shape[-1]
    _cmp(Uf.mT @ Uf, np.broadcast_to(np.eye(shape[-2]), Uf.shape[:-2] + (shape[-2],) * 2))
    u, s, v = ember.svd(e)
    _cmp(u @ ember.diag_embed(s) @ v.mT, t)
    # gauge-invariant functions of the factors
    x = _x64(*shape)
    assert gradcheck(lambda m: LA.svdvals(m), (x,))
    assert gradcheck(lambda m: (lambda u, s, vh: (u * u, s, vh * vh, u @ vh))(*LA.svd(m, False)), (x,))
    assert gradcheck(lambda m: (lambda u, s, vh: u[..., :, :1] * vh[..., :1, :])(*LA.svd(m)), (x,))
    assert gradgradcheck(lambda m: LA.svdvals(m), (x,))


def test_svd_grad_matches_torch(torch_mod):
    a = np.random.randn(4, 3)
    e = ember.tensor(a, requires_grad=True)
    t = torch_mod.tensor(a, requires_grad=True)
    w = np.random.randn(4, 3)
    U, S, Vh = LA.svd(e, full_matrices=False)
    tU, tS, tVh = torch_mod.linalg.svd(t, full_matrices=False)
    ((U @ Vh) * ember.tensor(w)).sum().add(S.sum()).backward()
    ((tU @ tVh) * torch_mod.tensor(w)).sum().add(tS.sum()).backward()
    _cmp(e.grad, t.grad)


def test_eigh(torch_mod):
    s = np.random.randn(2, 4, 4)
    s = s + np.swapaxes(s, -1, -2)
    e, t = _both(torch_mod, s)
    w, V = LA.eigh(e)
    tw, tV = torch_mod.linalg.eigh(t)
    _cmp(w, tw)
    _cmp(V.abs(), tV.abs())
    _cmp(LA.eigvalsh(e, "U"), np.linalg.eigvalsh(s, "U"))
    x = _x64(3, 3)
    assert gradcheck(lambda m: LA.eigvalsh(m + m.mT), (x,))
    assert gradcheck(lambda m: (lambda w, v: (w, v * v))(*LA.eigh(m + m.mT)), (x,))
    es = ember.tensor(s[0], requires_grad=True)
    ts = torch_mod.tensor(s[0], requires_grad=True)
    wt = np.random.randn(4, 4)
    w1, V1 = LA.eigh(es)
    tw1, tV1 = torch_mod.linalg.eigh(ts)
    (w1.sum() + (V1 * V1 * ember.tensor(wt)).sum()).backward()
    (tw1.sum() + (tV1 * tV1 * torch_mod.tensor(wt)).sum()).backward()
    _cmp(es.grad, ts.grad)


def test_pinv_lstsq_rank(torch_mod):
    a = np.random.randn(5, 3)
    e, t = _both(torch_mod, a)
    _cmp(LA.pinv(e), torch_mod.linalg.pinv(t))
    _cmp(ember.pinverse(e.mT), np.linalg.pinv(a.T))
    low = a[:, :1] @ np.random.randn(1, 4)  # rank 1
    el, tl = _both(torch_mod, low)
    _cmp(LA.pinv(el), torch_mod.linalg.pinv(tl))
    _cmp(LA.matrix_rank(el), torch_mod.linalg.matrix_rank(tl))
    _cmp(LA.matrix_rank(e), torch_mod.linalg.matrix_rank(t))
    _cmp(LA.matrix_rank(e, atol=1.0, rtol=0.0), torch_mod.linalg.matrix_rank(t, atol=1.0, rtol=0.0))
    b = np.random.randn(5, 2)
    eb, tb = _both(torch_mod, b)
    for driver in (None, "gelsd", "gelss", "gels"):
        _cmp(LA.lstsq(e, eb, driver=driver), torch_mod.linalg.lstsq(t, tb, driver=driver))
    _cmp(LA.lstsq(e, eb).solution, np.linalg.lstsq(a, b, rcond=None)[0])
    assert gradcheck(LA.pinv, (_x64(4, 3),))
    assert gradcheck(LA.pinv, (_x64(2, 4),))
    assert gradcheck(lambda m, r: LA.lstsq(m, r).solution, (_x64(5, 3), _x64(5, 2)))


def test_matrix_power_multi_dot_cond(torch_mod):
    a = np.random.randn(2, 3, 3)
    e, t = _both(torch_mod, a)
    for n in (0, 1, 2, 5, -1, -3):
        _cmp(LA.matrix_power(e, n), torch_mod.linalg.matrix_power(t, n))
        _cmp(e.matrix_power(n), np.linalg.matrix_power(a, n))
    _cmp(ember.matrix_power(ember.tensor([[1, 1], [0, 1]]), 3),
         torch_mod.matrix_power(torch_mod.tensor([[1, 1], [0, 1]]), 3))
    assert gradcheck(lambda m: LA.matrix_power(m, 3), (_x64(3, 3),))
    assert gradcheck(lambda m: LA.matrix_power(m, -2), (_x64(3, 3),))
    ms = [np.random.randn(3), np.random.randn(3, 4), np.random.randn(4, 2), np.random.randn(2)]
    _cmp(LA.multi_dot([ember.tensor(m) for m in ms]),
         torch_mod.linalg.multi_dot([torch_mod.tensor(m) for m in ms]))
    _cmp(LA.multi_dot([ember.tensor(m) for m in ms[1:3]]), np.linalg.multi_dot(ms[1:3]))
    for p in (None, "fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf):
        _cmp(LA.cond(e, p), torch_mod.linalg.cond(t, p))
    assert gradcheck(LA.cond, (_x64(3, 3),))


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf])
def test_matrix_norm(torch_mod, ord):
    a = np.random.randn(2, 3, 4)
    e, t = _both(torch_mod, a)
    _cmp(LA.matrix_norm(e, ord), torch_mod.linalg.matrix_norm(t, ord))
    _cmp(LA.matrix_norm(e, ord, (0, 2), keepdim=True), torch_mod.linalg.matrix_norm(t, ord, (0, 2), keepdim=True))
    _cmp(LA.norm(e[0], ord), torch_mod.linalg.norm(t[0], ord))
    _cmp(LA.norm(e[0], ord), np.linalg.norm(a[0], ord))
    assert gradcheck(lambda m: LA.matrix_norm(m, ord), (_x64(3, 4),))


def test_linalg_norm_vector(torch_mod):
    a = np.random.randn(3, 4)
    e, t = _both(torch_mod, a)
    _cmp(LA.norm(e), torch_mod.linalg.norm(t))
    for ord in (None, 1, 3, math.inf, 0):
        _cmp(LA.norm(e, ord, 1), torch_mod.linalg.norm(t, ord, 1))
        _cmp(LA.vector_norm(e, 2 if ord is None else ord, (0, 1), True),
             torch_mod.linalg.vector_norm(t, 2 if ord is None else ord, (0, 1), True))
    _cmp(LA.norm(e[0], 3), torch_mod.linalg.norm(t[0], 3))
    _cmp(LA.vecdot(e, e), torch_mod.linalg.vecdot(t, t))
    _cmp(LA.outer(e[0], e[1]), np.outer(a[0], a[1]))
    _cmp(LA.diagonal(e), torch_mod.linalg.diagonal(t))


def test_matrix_exp(torch_mod):
    a = np.random.randn(2, 4, 4) * 2
    e, t = _both(torch_mod, a)
    _cmp(LA.matrix_exp(e), torch_mod.linalg.matrix_exp(t))
    _cmp(ember.matrix_exp(e[0].float()), torch_mod.matrix_exp(t[0].float()), rtol=1e-4, atol=1e-4)
    d = np.diag([1.0, -2.0, 0.5])
    _cmp(LA.matrix_exp(ember.tensor(d)), np.diag(np.exp([1.0, -2.0, 0.5])))
    assert gradcheck(LA.matrix_exp, (_x64(2, 3, 3),))
    assert gradgradcheck(LA.matrix_exp, (_x64(2, 2),))


def test_inv_ex_cholesky_ex(torch_mod):
    bad = np.array([[[1., 2], [2, 4]], [[2, 1], [1, 3]]])
    r = LA.inv_ex(ember.tensor(bad))
    tr = torch_mod.linalg.inv_ex(torch_mod.tensor(bad))
    _cmp(r.info, tr.info)
    _cmp(r.inverse[1], tr.inverse[1])
    ok = _spd(2, 3, 3)
    _cmp(LA.inv_ex(ember.tensor(ok)), torch_mod.linalg.inv_ex(torch_mod.tensor(ok)))
    with pytest.raises(LA.LinAlgError):
        LA.inv_ex(ember.tensor(bad), check_errors=True)
    notpd = np.array([[[1., 2], [2, 1]], [[2, 1], [1, 3]]])
    c = LA.cholesky_ex(ember.tensor(notpd), upper=True)
    tc = torch_mod.linalg.cholesky_ex(torch_mod.tensor(notpd), upper=True)
    _cmp(c.info, tc.info)
    _cmp(c.L[1], tc.L[1])
    _cmp(LA.cholesky_ex(ember.tensor(ok)), torch_mod.linalg.cholesky_ex(torch_mod.tensor(ok)))


def test_old_svd_and_out(torch_mod):
    a = np.random.randn(4, 3)
    e, t = _both(torch_mod, a)
    U, S, V = ember.svd(e, some=False)
    tU, tS, tV = torch_mod.svd(t, some=False)
    assert U.shape == tU.shape and V.shape == tV.shape
    _cmp(S, tS)
    _cmp(ember.svd(e, compute_uv=False), torch_mod.svd(t, compute_uv=False))
    assert gradcheck(lambda m: ember.svd(m, compute_uv=False).S, (_x64(3, 2),))
    assert gradcheck(lambda m: (lambda u, s, v: (u[:, :2] * u[:, :2], v * v))(*ember.svd(m, some=False)),
                     (_x64(3, 2),))
    o = ember.empty(0, dtype=ember.float64)
    r = LA.inv(e[:3], out=o)
    assert r is o
    _cmp(o, np.linalg.inv(a[:3]))
    q, r_ = ember.empty(0, dtype=ember.float64), ember.empty(0, dtype=ember.float64)
    res = LA.qr(e, out=(q, r_))
    assert res.Q is q and res.R is r_
    _cmp(q @ r_, a)


def test_eig_cholesky_solve_vander(torch_mod):
    a = np.random.randn(2, 4, 4)
    e, t = _both(torch_mod, a)
    w, V = LA.eig(e)
    assert w.dtype == ember.complex128 and V.dtype == ember.complex128
    tw = torch_mod.linalg.eigvals(t)
    key = lambda z: np.lexsort((np.round(z.imag, 8), np.round(z.real, 8)))  # noqa: E731
    for b in range(2):
        ew_b = LA.eigvals(e)[b].numpy()
        tw_b = tw[b].numpy()
        assert_close(ew_b[key(ew_b)], tw_b[key(tw_b)])
    assert_close((ember.tensor(a).to(ember.complex128) @ V).numpy(), (V * w.unsqueeze(-2)).numpy())
    assert LA.eigvals(ember.randn(3, 3)).dtype == ember.complex64
    x = ember.tensor(a[0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="linalg_eig"):
        LA.eig(x).eigenvalues.real.sum().backward()
    s = _spd(2, 3, 3)
    b = np.random.randn(2, 3, 2)
    L = np.linalg.cholesky(s)
    (eL, tL), (eb, tb) = _both(torch_mod, L), _both(torch_mod, b)
    _cmp(ember.cholesky_solve(eb, eL), torch_mod.cholesky_solve(tb, tL))
    _cmp(ember.cholesky_solve(eb, eL.mT, upper=True), np.linalg.solve(s, b))
    _cmp(ember.cholesky_inverse(eL[0]), torch_mod.cholesky_inverse(tL[0]))
    assert gradcheck(lambda m, r: ember.cholesky_solve(r, m.tril() + 3 * ember.eye(3, dtype=ember.float64)),
                     (_x64(3, 3), _x64(3, 2)))
    v = np.array([[1.0, 2, 3], [0.5, -1, 2]])
    ev, tv = _both(torch_mod, v)
    _cmp(LA.vander(ev), torch_mod.linalg.vander(tv))
    _cmp(LA.vander(ev, N=5), torch_mod.linalg.vander(tv, N=5))
    with pytest.raises(RuntimeError, match="N must be greater than 1"):
        LA.vander(ev, N=1)


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (5, 3), (3, 5)])
def test_lu_family(torch_mod, shape):
    a = np.random.randn(*shape)
    e, t = _both(torch_mod, a)
    _cmp(LA.lu_factor(e), torch_mod.linalg.lu_factor(t))
    _cmp(LA.lu(e), torch_mod.linalg.lu(t))
    LU, piv = LA.lu_factor(e)
    tLU, tpiv = torch_mod.linalg.lu_factor(t)
    _cmp(ember.lu_unpack(LU, piv), torch_mod.lu_unpack(tLU, tpiv))
    P, L, U = LA.lu(e)
    _cmp(P @ L @ U, a)


def test_lu_solve_and_grads(torch_mod):
    a, b = np.random.randn(2, 3, 3), np.random.randn(2, 3, 2)
    (ea, ta), (eb, tb) = _both(torch_mod, a), _both(torch_mod, b)
    LU, piv = LA.lu_factor(ea)
    tLU, tpiv = torch_mod.linalg.lu_factor(ta)
    for left, adj in ((True, False), (True, True), (False, False), (False, True)):
        B, tB = (eb, tb) if left else (eb.mT, tb.mT)
        _cmp(LA.lu_solve(LU, piv, B, left=left, adjoint=adj),
             torch_mod.linalg.lu_solve(tLU, tpiv, tB, left=left, adjoint=adj))
    _cmp(LA.lu_solve(LU, piv, eb), np.linalg.solve(a, b))
    sing = np.array([[1., 2], [2, 4]])
    r = LA.lu_factor_ex(ember.tensor(sing))
    _cmp(r, torch_mod.linalg.lu_factor_ex(torch_mod.tensor(sing)))
    with pytest.raises(LA.LinAlgError):
        LA.lu_factor_ex(ember.tensor(sing), check_errors=True)
    assert gradcheck(lambda m: LA.lu_factor(m).LU, (_x64(2, 3, 3),))
    assert gradcheck(lambda m, r: LA.lu_solve(*LA.lu_factor(m), r), (_x64(3, 3), _x64(3, 2)))
    e = ember.tensor(a[0], requires_grad=True)
    t = torch_mod.tensor(a[0], requires_grad=True)
    w = np.random.randn(3, 3)
    (LA.lu_factor(e).LU * ember.tensor(w)).sum().backward()
    (torch_mod.linalg.lu_factor(t).LU * torch_mod.tensor(w)).sum().backward()
    _cmp(e.grad, t.grad)


def test_tensorinv_tensorsolve(torch_mod):
    a = np.random.randn(4, 6, 8, 3)
    e, t = _both(torch_mod, a)
    _cmp(LA.tensorinv(e, 2), torch_mod.linalg.tensorinv(t, 2))
    _cmp(LA.tensorinv(e, 2), np.linalg.tensorinv(a, 2))
    A = np.random.randn(2, 3, 6)
    B = np.random.randn(2, 3)
    (eA, tA), (eB, tB) = _both(torch_mod, A), _both(torch_mod, B)
    _cmp(LA.tensorsolve(eA, eB), torch_mod.linalg.tensorsolve(tA, tB))
    A2 = np.random.randn(6, 2, 3)
    _cmp(LA.tensorsolve(ember.tensor(A2), eB, dims=(0,)),
         torch_mod.linalg.tensorsolve(torch_mod.tensor(A2), tB, dims=(0,)))
    with pytest.raises(RuntimeError, match="prod"):
        LA.tensorinv(ember.zeros(2, 3), 1)
    assert gradcheck(lambda m: LA.tensorinv(m, 1), (_x64(4, 2, 2),))


@pytest.mark.parametrize("kw", [dict(upper=True), dict(upper=False), dict(upper=True, left=False),
                                dict(upper=False, unitriangular=True)])
def test_solve_triangular_broadcasts_a_matrix_b(kw):
    """B is always a matrix (never a batch of vectors, unlike linalg.solve): A (3,3,3), B (3,3)
    gives X (3,3,3), and the result solves the triangular system."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 3, 3)) + 4 * np.eye(3)
    b = rng.standard_normal((3, 3))
    A, B = ember.tensor(a), ember.tensor(b)
    X = LA.solve_triangular(A, B, **kw)
    assert X.shape == (3, 3, 3)
    t = np.triu(a) if kw["upper"] else np.tril(a)
    if kw.get("unitriangular"):
        t = t - np.diagonal(t, axis1=-2, axis2=-1)[..., None] * np.eye(3) + np.eye(3)
    lhs = X.numpy() @ t if kw.get("left") is False else t @ X.numpy()
    assert np.allclose(lhs, np.broadcast_to(b, (3, 3, 3)))
    A64, B64 = _x64(3, 3, 3), _x64(3, 3)
    with ember.no_grad():
        A64 += 4 * ember.eye(3, dtype=ember.float64)
    assert gradcheck(lambda a_, b_: LA.solve_triangular(a_, b_, **kw), (A64, B64))


def test_solve_triangular_b_must_be_a_matrix():
    with pytest.raises(RuntimeError, match="B must have at least 2 dimensions"):
        LA.solve_triangular(ember.eye(3), ember.ones(3), upper=True)


def test_solve_triangular_matches_torch_batched():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 3, 3)) + 4 * np.eye(3)
    b = rng.standard_normal((3, 2))
    for kw in (dict(upper=True), dict(upper=False, unitriangular=True)):
        ours = LA.solve_triangular(ember.tensor(a), ember.tensor(b), **kw)
        theirs = torch.linalg.solve_triangular(torch.tensor(a), torch.tensor(b), **kw)
        assert np.allclose(ours.numpy(), theirs.numpy())
