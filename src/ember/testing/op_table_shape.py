"""Op-table entries of reductions, scans, shape and view ops, indexing and gather/scatter
(rows moved from the old tests/test_autograd_ops_table.py and tests/test_core_grad.py)."""
import numpy as np

from .op_table import row_collector

_ROWS, _family, row = row_collector()


S, M, B = (3,), (2, 3), (2, 3, 4)

# ---- reductions and scans --------------------------------------------------------------------
_family("reduce")
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
_family("shape")
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

# ---- indexing, gather/scatter ----------------------------------------------------------------
_family("indexing")
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

# ---- composites of views, setitem and in-place ops ------------------------------------------
_family("composite")


def _setitem(m, x, v):
    y = x * 1
    y[1] = v[0] * 2
    y[:, 0] = v[1, 0]
    return y


def _inplace_view(m, x, y):
    z = x * 1
    z.t()[1].mul_(y[0, :3])
    z.diagonal().add_(1)
    return z


row("min_all", lambda m, a: a.min(), ((3, 4), "spread"))
row("mean_dims", lambda m, a: a.mean((0, 1)), (3, 4))
row("std_correction0", lambda m, a: a.std(1, correction=0), (3, 4))
row("getitem_list", lambda m, a: a[[0, 2, 0]], (3, 4))
row("getitem_data_mask", lambda m, a: a[a > 0], (3, 4))
row("setitem", _setitem, (3, 4), (3, 4))
row("inplace_mul_add", lambda m, x, y: (x * 1).mul_(y).add_(y), (3, 4), (3, 4))
row("inplace_view_write", _inplace_view, (3, 4), (3, 4))
# the op sees non-contiguous views of its inputs (transposes, stepped slices)
row("noncontig_mul", lambda m, a, b: a.t() * b[:, ::2], (4, 3), (3, 8), nc=False)
row("noncontig_matmul_sum", lambda m, a, b: (a.t() @ b[:, 1::2].t()).sum(0), (4, 3), (3, 8),
    nc=False)
row("noncontig_exp_div", lambda m, a, b: a.t().exp() / b[:, ::2].cosh(), (4, 3), (3, 8),
    nc=False)
row("noncontig_cat_max", lambda m, a, b: m.cat([a.t(), b[:, ::2]]).max(0).values,
    ((4, 3), "spread"), ((3, 8), "spread"), nc=False)


def build():
    """This family file's entries."""
    return list(_ROWS)
