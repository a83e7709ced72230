"""Table-driven gradient checks of every differentiable op in ``ember.ops``.

Each row is (id, fn, input specs, options). ``fn(m, *xs)`` is written once and runs with
``m`` = ember or torch. For every row: ``gradcheck`` and ``gradgradcheck`` in float64 (central
differences), the same on non-contiguous inputs where the inputs are 2-D or more, and gradient
parity with real torch (same inputs, same random output weights).
"""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from ember.testing import assert_close

# ---- input specs: shape, or (shape, domain) --------------------------------------------------
DOMAINS = {
    "any": lambda r, s: r.standard_normal(s),
    "pos": lambda r, s: r.uniform(0.5, 2.0, s),
    "unit": lambda r, s: r.uniform(-0.8, 0.8, s),
    "gt1": lambda r, s: r.uniform(1.3, 3.0, s),
    "nonzero": lambda r, s: r.choice([-1.0, 1.0], s) * r.uniform(0.3, 1.5, s),
    "nonint": lambda r, s: r.integers(-2, 3, s) + r.uniform(0.2, 0.8, s),
    "spread": lambda r, s: r.permutation(np.prod(s, dtype=int)).reshape(s) * 0.37 +
    r.uniform(0, 0.05, s),  # distinct values, far apart (max, sort, ...)
}


def _array(spec, rng):
    shape, dom = spec if isinstance(spec, tuple) and spec and isinstance(spec[-1], str) \
        else (spec, "any")
    return np.asarray(DOMAINS[dom](rng, shape), dtype=np.float64)


ROWS = []


def row(name, fn, *specs, gg=True, nc=True, atol=1e-5, rtol=1e-3):
    ROWS.append(pytest.param(fn, specs, dict(gg=gg, nc=nc, atol=atol, rtol=rtol), id=name))


S, M, B = (3,), (2, 3), (2, 3, 4)

# ---- unary table -----------------------------------------------------------------------------
UNARY_DOMAIN = {
    "sqrt": "pos", "rsqrt": "pos", "log": "pos", "log2": "pos", "log10": "pos", "log1p": "pos",
    "lgamma": "pos", "digamma": "pos", "reciprocal": "nonzero", "asin": "unit", "acos": "unit",
    "atanh": "unit", "erfinv": "unit", "arcsin": "unit", "arccos": "unit", "arctanh": "unit",
    "acosh": "gt1", "arccosh": "gt1", "abs": "nonzero", "absolute": "nonzero", "relu": "nonzero",
    "sign": "nonzero", "sgn": "nonzero", "floor": "nonint", "ceil": "nonint", "trunc": "nonint",
    "fix": "nonint", "frac": "nonint", "tan": "unit", "angle": "nonzero",
}
for _name in ember.ops.unary.UNARY:
    _dom = UNARY_DOMAIN.get(_name, "any")
    row(_name, (lambda n: lambda m, x: getattr(m, n)(x))(_name), (M, _dom))
row("sigmoid_3d", lambda m, x: x.sigmoid(), B)
row("square", lambda m, x: x.square(), M)
row("sinc", lambda m, x: m.sinc(x), (M, "nonzero"))
row("logit", lambda m, x: m.logit(x * 0.3 + 0.5), (M, "unit"))
row("polygamma1", lambda m, x: m.polygamma(1, x), (M, "pos"))
row("nan_to_num", lambda m, x: m.nan_to_num(x), M)

# ---- binary ops, same shape and broadcast ------------------------------------------------------
BINARY = [
    ("add", lambda m, a, b: a + b, "any", "any"),
    ("sub", lambda m, a, b: a - b, "any", "any"),
    ("mul", lambda m, a, b: a * b, "any", "any"),
    ("div", lambda m, a, b: a / b, "any", "nonzero"),
    ("pow", lambda m, a, b: a ** b, "pos", "any"),
    ("atan2", lambda m, a, b: m.atan2(a, b), "any", "nonzero"),
    ("hypot", lambda m, a, b: m.hypot(a, b), "nonzero", "nonzero"),
    ("maximum", lambda m, a, b: m.maximum(a, b), "any", "any"),
    ("minimum", lambda m, a, b: m.minimum(a, b), "any", "any"),
    ("fmax", lambda m, a, b: m.fmax(a, b), "any", "any"),
    ("fmin", lambda m, a, b: m.fmin(a, b), "any", "any"),
    ("remainder", lambda m, a, b: m.remainder(a, b), "any", "pos"),
    ("fmod", lambda m, a, b: m.fmod(a, b), "any", "pos"),
    ("logaddexp", lambda m, a, b: m.logaddexp(a, b), "any", "any"),
    ("logaddexp2", lambda m, a, b: m.logaddexp2(a, b), "any", "any"),
    ("copysign", lambda m, a, b: m.copysign(a, b), "nonzero", "nonzero"),
    ("xlogy", lambda m, a, b: m.xlogy(a, b), "any", "pos"),
    ("float_power", lambda m, a, b: m.float_power(a, b), "pos", "any"),
]
for _name, _fn, _da, _db in BINARY:
    row(_name, _fn, (M, _da), (M, _db))
    row(_name + "_bcast", _fn, ((3, 1), _da), ((1, 4), _db), nc=False)
    row(_name + "_bcast_scalar_tensor", _fn, ((2, 3), _da), ((), _db), nc=False)
row("mul_scalar", lambda m, a: a * 2.5, M)
row("rsub_scalar", lambda m, a: 1.5 - a, M)
row("rdiv_scalar", lambda m, a: 2.0 / a, (M, "nonzero"))
row("pow_scalar", lambda m, a: a ** 3, M)
row("pow_half", lambda m, a: a ** 0.5, (M, "pos"))
row("rpow", lambda m, a: 2.0 ** a, M)

# ---- pointwise ---------------------------------------------------------------------------
COND = np.array([[True, False, True], [False, False, True]])
row("where", lambda m, a, b: m.where(m.tensor(COND), a, b), M, (3,))
row("clamp", lambda m, a: a.clamp(-0.5, 0.5), (M, "nonint"))
row("clamp_min", lambda m, a: a.clamp(min=0.1), (M, "nonint"))
row("clamp_tensor", lambda m, a, lo, hi: m.clamp(a, lo, hi), (M, "nonint"),
    ((3,), "nonint"), ((2, 1), "nonint"), nc=False, gg=False)
row("lerp", lambda m, a, b: m.lerp(a, b, 0.3), M, M)
row("lerp_tensor", lambda m, a, b, w: m.lerp(a, b, w), M, M, (3,))
row("addcmul", lambda m, a, b, c: m.addcmul(a, b, c, value=0.5), M, M, (3,))
row("addcdiv", lambda m, a, b, c: m.addcdiv(a, b, c, value=0.5), M, M, ((3,), "nonzero"))
row("clone", lambda m, a: a.clone() * 1, M)

# ---- reductions and scans --------------------------------------------------------------------
row("sum", lambda m, a: a.sum(), B)
row("sum_dim", lambda m, a: a.sum(1), B)
row("sum_dims_keepdim", lambda m, a: a.sum((0, 2), keepdim=True), B)
row("mean", lambda m, a: a.mean(), B)
row("mean_dim", lambda m, a: a.mean(-1, keepdim=True), B)
row("prod", lambda m, a: a.prod(), (M, "nonzero"))
row("prod_dim", lambda m, a: a.prod(1), (B, "nonzero"))
row("amax", lambda m, a: a.amax(1), (B, "spread"))
row("amin", lambda m, a: a.amin((0, 2)), (B, "spread"))
row("max_all", lambda m, a: a.max(), (M, "spread"))
row("max_dim", lambda m, a: a.max(dim=1)[0], (B, "spread"))
row("min_dim_keepdim", lambda m, a: a.min(dim=0, keepdim=True)[0], (B, "spread"))
row("var", lambda m, a: a.var(), B)
row("var_dim", lambda m, a: a.var(1, correction=0), B)
row("std_dim", lambda m, a: a.std(-1, keepdim=True), B)
row("logsumexp", lambda m, a: m.logsumexp(a, 1), B)
row("cumsum", lambda m, a: a.cumsum(1), B)
row("cumsum_dim0", lambda m, a: a.cumsum(0), M)
row("cumprod", lambda m, a: a.cumprod(1), (B, "nonzero"))
row("logcumsumexp", lambda m, a: m.logcumsumexp(a, 1), B)
row("softmax", lambda m, a: a.softmax(-1), B)
row("softmax_dim0", lambda m, a: a.softmax(0), M)
row("log_softmax", lambda m, a: a.log_softmax(1), B)
row("norm", lambda m, a: a.norm(), M)
row("vector_norm_1", lambda m, a: m.linalg.vector_norm(a, 1, dim=1), (M, "nonzero"))
row("vector_norm_3", lambda m, a: m.linalg.vector_norm(a, 3, dim=-1), (B, "nonzero"))
row("vector_norm_inf", lambda m, a: m.linalg.vector_norm(a, float("inf")), (M, "spread"))
row("sort_values", lambda m, a: m.sort(a, dim=1)[0], (B, "spread"))
row("topk_values", lambda m, a: m.topk(a, 2, dim=-1)[0], (B, "spread"))
row("kthvalue", lambda m, a: m.kthvalue(a, 2, dim=1)[0], (B, "spread"))
row("median_dim", lambda m, a: m.median(a, dim=1)[0], (B, "spread"))
row("cummax", lambda m, a: m.cummax(a, dim=1)[0], (B, "spread"))

# ---- shape ops and views -----------------------------------------------------------------
row("view", lambda m, a: a.view(4, 6), B, nc=False)  # torch refuses too
row("reshape_noncontig", lambda m, a: a.t().reshape(-1), M)
row("flatten", lambda m, a: a.flatten(1), B)
row("unflatten", lambda m, a: a.unflatten(1, (1, 3)), M)
row("permute", lambda m, a: a.permute(2, 0, 1) * 1, B)
row("transpose", lambda m, a: a.transpose(0, 2) * 1, B)
row("t", lambda m, a: a.t() * 1, M)
row("expand", lambda m, a: a.expand(4, 2, 3) * 1, M)
row("expand_middle", lambda m, a: a.unsqueeze(1).expand(2, 5, 3) * 1, M)
row("squeeze", lambda m, a: a.squeeze(1) * 1, (2, 1, 3))
row("unsqueeze", lambda m, a: a.unsqueeze(-1) * 1, M)
row("narrow", lambda m, a: a.narrow(2, 1, 2) * 1, B)
row("select", lambda m, a: a.select(1, 2) * 1, B)
row("unbind", lambda m, a: tuple(p * (k + 1) for k, p in enumerate(a.unbind(1))), B)
row("split", lambda m, a: tuple(p * (k + 1) for k, p in enumerate(a.split(2, dim=2))), B)
row("split_sizes", lambda m, a: a.split([1, 3], dim=2)[1] * 1, B)
row("chunk", lambda m, a: a.chunk(3, 1)[1] * 1, B)
row("diagonal", lambda m, a: a.diagonal(0, 1, 2) * 1, B)
row("diagonal_offset", lambda m, a: a.diagonal(1) * 1, (3, 4))
row("as_strided", lambda m, a: a.as_strided((2, 2), (1, 3), 1) * 1, (3, 4), nc=False)
row("unfold", lambda m, a: a.unfold(1, 2, 1) * 1, (3, 4))
row("movedim", lambda m, a: a.movedim(0, -1) * 1, B)
row("getitem_slice_step", lambda m, a: a[:, ::2, 1:] * 1, B)
row("getitem_int", lambda m, a: a[1, -1] * 1, B)
row("getitem_none_ellipsis", lambda m, a: a[None, ..., 0] * 1, B)
IDX = np.array([2, 0, 2])
MASK = np.array([[True, False, True], [False, True, True]])
row("getitem_index_tensor", lambda m, a: a[m.tensor(IDX)], (3, 4))
row("getitem_two_index", lambda m, a: a[m.tensor(IDX), m.tensor(IDX)], (3, 4))
row("getitem_mask", lambda m, a: a[m.tensor(MASK)], M)
row("flip", lambda m, a: a.flip(0, 2), B)
row("roll", lambda m, a: a.roll(1, 2), B)
row("roll_flat", lambda m, a: a.roll(2), M)
row("tril", lambda m, a: a.tril(), (3, 4))
row("triu_diag", lambda m, a: a.triu(1), (3, 4))
row("repeat", lambda m, a: a.repeat(2, 1, 2), M)
row("repeat_interleave", lambda m, a: a.repeat_interleave(2, dim=1), M)
row("tile", lambda m, a: a.tile((2,)), M)
row("cat", lambda m, a, b: m.cat([a, b], 1), M, (2, 4))
row("cat_dim0", lambda m, a, b: m.cat([a, b, a]), M, (1, 3))
row("stack", lambda m, a, b: m.stack([a, b], 1), M, M)
row("hstack", lambda m, a, b: m.hstack([a, b]), M, M)
row("vstack", lambda m, a, b: m.vstack([a, b]), M, (1, 3))
row("diff", lambda m, a: m.diff(a, dim=1), B)
row("trace", lambda m, a: m.trace(a), (3, 4))
row("diag", lambda m, a: m.diag(a), (4,))
row("diag_embed", lambda m, a: m.diag_embed(a), M)
row("kron", lambda m, a, b: m.kron(a, b), M, (2, 2))
row("cross", lambda m, a, b: m.linalg.cross(a, b), M, M)
row("block_diag", lambda m, a, b: m.block_diag(a, b), M, (2, 2))

# ---- matmul and einsum ------------------------------------------------------------------------
row("matmul_mm", lambda m, a, b: a @ b, (2, 3), (3, 4))
row("matmul_vv", lambda m, a, b: a @ b, (3,), (3,))
row("matmul_mv", lambda m, a, b: a @ b, (2, 3), (3,))
row("matmul_vm", lambda m, a, b: a @ b, (3,), (3, 4))
row("matmul_batched_bcast", lambda m, a, b: a @ b, (2, 2, 3), (3, 2))
row("matmul_bcast_both", lambda m, a, b: a @ b, (2, 1, 2, 3), (3, 3, 2), nc=False)
row("mm", lambda m, a, b: m.mm(a, b), (2, 3), (3, 4))
row("bmm", lambda m, a, b: m.bmm(a, b), (2, 2, 3), (2, 3, 2))
row("mv", lambda m, a, b: m.mv(a, b), (2, 3), (3,))
row("dot", lambda m, a, b: m.dot(a, b), (3,), (3,))
row("outer", lambda m, a, b: m.outer(a, b), (3,), (2,))
row("addmm", lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2.0), (4,), (2, 3), (3, 4))
row("baddbmm", lambda m, c, a, b: m.baddbmm(c, a, b), (2, 2, 2), (2, 2, 3), (2, 3, 2))
row("tensordot", lambda m, a, b: m.tensordot(a, b, dims=([1, 2], [0, 1])), B, (3, 4, 2))
row("einsum_mm", lambda m, a, b: m.einsum("ij,jk->ik", a, b), (2, 3), (3, 4))
row("einsum_batched", lambda m, a, b: m.einsum("bij,bjk->bik", a, b), (2, 2, 3), (2, 3, 2))
row("einsum_trace", lambda m, a: m.einsum("ii->", a), (3, 3))
row("einsum_diag", lambda m, a: m.einsum("ii->i", a), (3, 3))
row("einsum_outer_sum", lambda m, a, b: m.einsum("i,j->", a, b), (3,), (2,))
row("einsum_ellipsis", lambda m, a, b: m.einsum("...ij,...j->...i", a, b), (2, 2, 3), (2, 3))

# ---- indexing, gather/scatter ----------------------------------------------------------------
GIDX = np.array([[0, 2, 1], [1, 1, 0]])
row("gather", lambda m, a: m.gather(a, 1, m.tensor(GIDX)), (2, 4))
row("gather_dim0", lambda m, a: m.gather(a, 0, m.tensor(GIDX)), (3, 3))
row("scatter_src", lambda m, a, s: a.scatter(1, m.tensor(np.array([[0, 2, 1], [3, 1, 0]])), s),
    (2, 4), (2, 3))
row("scatter_add", lambda m, a, s: a.scatter_add(1, m.tensor(GIDX), s), (2, 4), (2, 3))
row("scatter_value", lambda m, a: a.scatter(1, m.tensor(GIDX), 0.5), (2, 4))
row("index_select", lambda m, a: m.index_select(a, 1, m.tensor(IDX)), (2, 4))
row("masked_fill", lambda m, a: a.masked_fill(m.tensor(MASK), 0.0), M)
row("masked_select", lambda m, a: m.masked_select(a, m.tensor(MASK)), M)
row("masked_scatter", lambda m, a, s: a.masked_scatter(m.tensor(MASK), s), M, (6,))
row("take_along_dim", lambda m, a: m.take_along_dim(a, m.tensor(GIDX), 1), (2, 4))
row("take", lambda m, a: m.take(a, m.tensor(IDX)), M)
row("index_add", lambda m, a, s: a.index_add(0, m.tensor(IDX), s), (3, 4), (3, 4))
row("index_copy", lambda m, a, s: a.index_copy(0, m.tensor(np.array([2, 0])), s), (3, 4),
    (2, 4))
row("index_fill", lambda m, a: a.index_fill(1, m.tensor(np.array([0, 2])), -1.0), M)
row("index_put_acc", lambda m, a, v: a.index_put((m.tensor(IDX),), v, accumulate=True),
    (3, 4), (3, 4))
row("scatter_reduce_sum", lambda m, a, s: a.scatter_reduce(1, m.tensor(GIDX), s, "sum"),
    (2, 4), (2, 3))

# ---- linear algebra (gauge-free outputs only) ---------------------------------------------------
def _spd(m, a):
    return a @ a.mT + 3 * m.eye(a.shape[-1], dtype=a.dtype)


row("inv", lambda m, a: m.linalg.inv(_spd(m, a)), (3, 3))
row("det", lambda m, a: m.linalg.det(_spd(m, a)), (3, 3))
row("slogdet", lambda m, a: m.linalg.slogdet(_spd(m, a))[1], (2, 3, 3))
row("solve", lambda m, a, b: m.linalg.solve(_spd(m, a), b), (3, 3), (3, 2))
row("cholesky", lambda m, a: m.linalg.cholesky(_spd(m, a)), (3, 3))
row("qr", lambda m, a: tuple(x * x for x in m.linalg.qr(a)), (4, 3))
row("svdvals", lambda m, a: m.linalg.svdvals(a), (3, 4))
row("svd_u_squared", lambda m, a: m.linalg.svd(a, full_matrices=False)[0] ** 2, (4, 3),
    gg=False)
row("eigvalsh", lambda m, a: m.linalg.eigvalsh(a + a.mT), (3, 3))
row("eigh_vectors_squared", lambda m, a: m.linalg.eigh(a + a.mT)[1] ** 2, (3, 3), gg=False)
row("matrix_exp", lambda m, a: m.linalg.matrix_exp(a * 0.5), (3, 3))
row("pinv", lambda m, a: m.linalg.pinv(a), (3, 2), gg=False)
row("matrix_norm_fro", lambda m, a: m.linalg.matrix_norm(a), (3, 4))
row("cdist", lambda m, a, b: m.cdist(a, b), (3, 2), (4, 2))

# ---- nn ops ----------------------------------------------------------------------------------
TARGET = np.array([2, 0, 1])
TOKENS = np.array([[1, 3], [0, 1]])


def _f(m):
    return m.nn.functional


row("relu", lambda m, a: _f(m).relu(a), (M, "nonzero"))
row("linear", lambda m, x, w, b: _f(m).linear(x, w, b), (2, 3), (4, 3), (4,))
row("cross_entropy", lambda m, x: _f(m).cross_entropy(x, m.tensor(TARGET)), (3, 4))
row("cross_entropy_smooth", lambda m, x: _f(m).cross_entropy(
    x, m.tensor(TARGET), label_smoothing=0.1, reduction="sum"), (3, 4))
row("nll_loss", lambda m, x: _f(m).nll_loss(x.log_softmax(1), m.tensor(TARGET)), (3, 4))
row("embedding", lambda m, w: _f(m).embedding(m.tensor(TOKENS), w), (4, 3))
row("layer_norm", lambda m, x, w, b: _f(m).layer_norm(x, (4,), w, b), (2, 3, 4), (4,), (4,))
row("batch_norm_train", lambda m, x, w, b: _f(m).batch_norm(
    x, None, None, w, b, training=True), (4, 3), (3,), (3,))
row("group_norm", lambda m, x: _f(m).group_norm(x, 2), (2, 4, 3))
row("conv1d", lambda m, x, w, b: _f(m).conv1d(x, w, b, padding=1), (1, 2, 5), (3, 2, 3), (3,),
    nc=False)
row("conv2d", lambda m, x, w: _f(m).conv2d(x, w, stride=2, padding=1), (1, 2, 4, 4),
    (2, 2, 3, 3), nc=False)
row("conv_transpose2d", lambda m, x, w: _f(m).conv_transpose2d(x, w, stride=2), (1, 2, 2, 2),
    (2, 1, 2, 2), nc=False)
row("max_pool2d", lambda m, x: _f(m).max_pool2d(x, 2), ((1, 1, 4, 4), "spread"), nc=False)
row("avg_pool2d", lambda m, x: _f(m).avg_pool2d(x, 2, stride=1), (1, 2, 3, 3), nc=False)
row("adaptive_avg_pool2d", lambda m, x: _f(m).adaptive_avg_pool2d(x, 1), (1, 2, 3, 3),
    nc=False)
row("softplus", lambda m, x: _f(m).softplus(x), M)
row("gelu", lambda m, x: _f(m).gelu(x), M)
row("silu", lambda m, x: _f(m).silu(x), M)
row("elu", lambda m, x: _f(m).elu(x), (M, "nonzero"))
row("leaky_relu", lambda m, x: _f(m).leaky_relu(x, 0.1), (M, "nonzero"))
row("logsigmoid", lambda m, x: _f(m).logsigmoid(x), M)
row("mse_loss", lambda m, x, y: _f(m).mse_loss(x, y), M, M)
row("bce_with_logits", lambda m, x, y: _f(m).binary_cross_entropy_with_logits(x, y.sigmoid()),
    M, M)
row("normalize", lambda m, x: _f(m).normalize(x, dim=1), M)
row("pad", lambda m, x: _f(m).pad(x, (1, 2)), M)
row("interpolate_nearest", lambda m, x: _f(m).interpolate(x, scale_factor=2), (1, 1, 2, 3),
    nc=False)


# ---- the checks ------------------------------------------------------------------------------
def _inputs(specs, seed, transpose=False):
    rng = np.random.default_rng(seed)
    arrays = [_array(s, rng) for s in specs]
    if transpose:  # same values, stored transposed: the op sees non-contiguous inputs
        return [ember.tensor(np.ascontiguousarray(a.T), requires_grad=True) for a in arrays], \
            arrays
    return [ember.tensor(a, requires_grad=True) for a in arrays], arrays


def _seed(request):
    return sum(map(ord, request.node.callspec.id)) % 1000


@pytest.mark.parametrize("fn,specs,opts", ROWS)
def test_gradcheck(fn, specs, opts, request):
    xs, _ = _inputs(specs, _seed(request))
    assert gradcheck(lambda *a: fn(ember, *a), xs, atol=opts["atol"], rtol=opts["rtol"])


@pytest.mark.parametrize("fn,specs,opts", ROWS)
def test_gradgradcheck(fn, specs, opts, request):
    if not opts["gg"]:
        pytest.skip("second derivative not checked for this row (gauge-dependent or kinked)")
    xs, _ = _inputs(specs, _seed(request))
    assert gradgradcheck(lambda *a: fn(ember, *a), xs, atol=opts["atol"], rtol=opts["rtol"])


@pytest.mark.parametrize("fn,specs,opts", [r for r in ROWS if r.values[2]["nc"] and all(
    len(s[0] if isinstance(s[-1], str) else s) >= 2 for s in r.values[1])])
def test_gradcheck_non_contiguous(fn, specs, opts, request):
    xs, _ = _inputs(specs, _seed(request), transpose=True)

    def f(*a):
        views = [t.permute(*reversed(range(t.dim()))) for t in a]
        assert not views[0].is_contiguous()
        return fn(ember, *views)
    assert gradcheck(f, xs, atol=opts["atol"], rtol=opts["rtol"])


def _weighted_sum(mod, out, rng):
    outs = out if isinstance(out, tuple) else (out,)
    total = 0
    for o in outs:
        if o.dtype.is_floating_point:
            total = total + (o * mod.tensor(rng.standard_normal(tuple(o.shape)))).sum()
    return total


@pytest.mark.parametrize("fn,specs,opts", ROWS)
def test_grads_match_torch(fn, specs, opts, request, torch_mod):
    _, arrays = _inputs(specs, _seed(request))
    grads = []
    for mod in (ember, torch_mod):
        xs = [mod.tensor(a, requires_grad=True) for a in arrays]
        out = fn(mod, *xs)
        _weighted_sum(mod, out, np.random.default_rng(1)).backward()
        grads.append([x.grad for x in xs])
    for e, t in zip(*grads):
        if t is None:
            assert e is None or not e.abs().sum().item()
            continue
        t = torch_mod.zeros_like(t).copy_(t)  # materialise torch's ZeroTensor gradients
        if e is None:  # no gradient flowed: torch may give explicit zeros
            assert not t.abs().sum().item()
        else:
            assert_close(e, t, rtol=1e-6, atol=1e-8)
