"""Parity with PyTorch for reductions, scans, joining/flipping and matrix products."""
import numpy as np
import pytest

from core_parity import T, rnd, compare, cases

A = rnd(3, 4)
C = rnd(2, 3, 4)
I1 = rnd(3, 4, dtype=np.int64, low=-5, high=6)
BOOL = rnd(3, 4, dtype=bool)
NANS = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, -1.0]], np.float32)

RED = {}
for _n in ["sum", "mean", "prod", "amax", "amin", "logsumexp", "std", "var", "nansum", "nanmean"]:
    for _dim in [0, -1, (0, 2), (1,)]:
        RED[f"{_n}-dim{_dim}"] = (lambda n, d: lambda m: getattr(m, n)(T(m, C), d))(_n, _dim)
        if _n in ("prod",) and isinstance(_dim, tuple):
            del RED[f"{_n}-dim{_dim}"]
    RED[f"{_n}-keepdim"] = (lambda n: lambda m: getattr(T(m, C), n)(1, keepdim=True))(_n)
    if _n != "logsumexp":
        RED[f"{_n}-all"] = (lambda n: lambda m: getattr(m, n)(T(m, C)))(_n)
    RED[f"{_n}-noncontig"] = (lambda n: lambda m: getattr(T(m, C).transpose(0, 2), n)(0))(_n)
RED.update({
    "sum-int": lambda m: T(m, I1).sum(),
    "sum-int-dim": lambda m: T(m, I1).sum(1),
    "sum-bool": lambda m: T(m, BOOL).sum(0),
    "sum-int32": lambda m: T(m, I1.astype(np.int32)).sum(),
    "sum-u8": lambda m: T(m, I1.astype(np.uint8)).sum(),
    "sum-f16": lambda m: T(m, A.astype(np.float16)).sum(),
    "sum-dtype": lambda m: T(m, I1).sum(dtype=m.float64),
    "sum-dtype-f32": lambda m: m.sum(T(m, A), 0, dtype=m.float64),
    "sum-empty": lambda m: m.zeros(0, 3).sum(0),
    "sum-empty-all": lambda m: m.zeros(0).sum(),
    "sum-0d": lambda m: m.tensor(2.5).sum(),
    "sum-0d-dim": lambda m: m.tensor(2.5).sum(0),
    "sum-0d-dim-neg": lambda m: m.tensor(2.5).sum(-1),
    "sum-0d-dim-bad": lambda m: m.tensor(2.5).sum(1),
    "sum-dim-list": lambda m: T(m, C).sum([0, 1]),
    "sum-dim-dup": lambda m: T(m, C).sum((0, 0)),
    "sum-dim-bad": lambda m: T(m, C).sum(3),
    "sum-kw": lambda m: m.sum(input=T(m, C), dim=1, keepdim=True),
    "sum-bcast": lambda m: T(m, A[:1]).expand(5, 4).sum(0),
    "mean-int-error": lambda m: T(m, I1).mean(),
    "mean-int-dtype": lambda m: T(m, I1).mean(dtype=m.float32),
    "mean-empty": lambda m: m.zeros(0).mean(),
    "prod-int": lambda m: T(m, I1).prod(),
    "prod-int-dim": lambda m: T(m, I1).prod(0),
    "prod-bool": lambda m: T(m, BOOL).prod(),
    "var-correction0": lambda m: T(m, C).var(1, correction=0),
    "var-unbiased-false": lambda m: T(m, C).var(unbiased=False),
    "var-unbiased-pos": lambda m: T(m, C).var(1, False),
    "std-correction2": lambda m: m.std(T(m, C), dim=(0, 1), correction=2, keepdim=True),
    "var-single": lambda m: m.tensor([2.0]).var(),
    "var-int-error": lambda m: T(m, I1).var(),
    "var_mean": lambda m: m.var_mean(T(m, C), 1),
    "std_mean": lambda m: m.std_mean(T(m, C), dim=0, correction=0),
    "max-all": lambda m: T(m, A).max(),
    "max-dim": lambda m: T(m, A).max(1),
    "max-dim-keepdim": lambda m: m.max(T(m, A), dim=0, keepdim=True),
    "min-dim": lambda m: T(m, A).min(-1),
    "max-int": lambda m: T(m, I1).max(0),
    "max-ties": lambda m: m.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]).max(1),
    "min-ties": lambda m: m.tensor([[1.0, 0.0, 0.0], [2.0, 2.0, 0.0]]).min(1),
    "max-nan": lambda m: T(m, NANS).max(1),
    "max-nan-all": lambda m: T(m, NANS).max(),
    "amax-nan": lambda m: T(m, NANS).amax(1),
    "max-binary": lambda m: T(m, A).max(T(m, A[::-1].copy())),
    "max-empty": lambda m: m.zeros(0).max(),
    "max-empty-dim": lambda m: m.zeros(0, 3).max(0),
    "max-0d": lambda m: m.tensor(1.5).max(0),
    "max-bool": lambda m: T(m, BOOL).max(),
    "max-names": lambda m: tuple(type(T(m, A).max(0))._fields) if hasattr(type(T(m, A).max(0)), "_fields") else ("values", "indices"),
    "max-unpack": lambda m: (lambda v, i: (v, i))(*T(m, A).max(0)),
    "argmax": lambda m: T(m, A).argmax(),
    "argmax-dim": lambda m: T(m, A).argmax(1),
    "argmax-keepdim": lambda m: T(m, A).argmax(0, keepdim=True),
    "argmin": lambda m: m.argmin(T(m, A), dim=-1),
    "argmax-ties": lambda m: m.tensor([1, 3, 3, 0]).argmax(),
    "argmax-nan": lambda m: T(m, NANS).argmax(),
    "argmax-int": lambda m: T(m, I1).argmax(0),
    "argmax-empty": lambda m: m.zeros(0).argmax(),
    "argmax-keepdim-all": lambda m: T(m, A).argmax(keepdim=True),
    "aminmax": lambda m: m.aminmax(T(m, A)),
    "aminmax-dim": lambda m: m.aminmax(T(m, A), dim=1),
    "logsumexp-big": lambda m: m.logsumexp(m.tensor([1000.0, 1000.0]), 0),
    "logsumexp-int": lambda m: m.logsumexp(T(m, I1), 1),
    "logsumexp-inf": lambda m: m.logsumexp(m.tensor([-float("inf"), -float("inf")]), 0),
    "all": lambda m: T(m, BOOL).all(),
    "all-dim": lambda m: T(m, BOOL).all(1),
    "any": lambda m: T(m, A > 2).any(),
    "any-dim-keepdim": lambda m: m.any(T(m, BOOL), 0, keepdim=True),
    "all-float": lambda m: T(m, A).all(),
    "any-int": lambda m: T(m, I1).any(0),
    "all-u8": lambda m: T(m, I1.astype(np.uint8)).all(),
    "all-empty": lambda m: m.zeros(0).all(),
    "all-tuple": lambda m: T(m, C > 0).all(dim=(0, 2)),
    "count_nonzero": lambda m: m.count_nonzero(T(m, I1)),
    "count_nonzero-dim": lambda m: T(m, I1).count_nonzero(0),
    "count_nonzero-dims": lambda m: T(m, C).count_nonzero((0, 2)),
    "cumsum": lambda m: T(m, A).cumsum(1),
    "cumsum-dim0": lambda m: m.cumsum(T(m, A), dim=0),
    "cumsum-int": lambda m: T(m, I1).cumsum(0),
    "cumsum-bool": lambda m: T(m, BOOL).cumsum(0),
    "cumsum-dtype": lambda m: T(m, I1).cumsum(0, dtype=m.float32),
    "cumsum-0d": lambda m: m.tensor(2.0).cumsum(0),
    "cumprod": lambda m: T(m, A).cumprod(-1),
    "cumprod-int": lambda m: T(m, I1).cumprod(1),
    "cumsum-nodim": lambda m: T(m, A).cumsum(),
    "softmax": lambda m: m.softmax(T(m, A), 1),
    "log_softmax": lambda m: m.log_softmax(T(m, A), dim=0),
    "softmax-dtype": lambda m: m.softmax(T(m, A), -1, dtype=m.float64),
    "sum-out": lambda m: m.sum(T(m, A), 1, out=m.empty(3)),
    "mean-out": lambda m: m.mean(T(m, A), 1, out=m.empty(0)),
})


@pytest.mark.parametrize("fn", **cases(RED))
def test_reductions(fn, torch_mod):
    compare(fn, torch_mod, rtol=1e-5, atol=1e-5)


JOIN = {
    "cat": lambda m: m.cat([T(m, A), T(m, A)]),
    "cat-dim1": lambda m: m.cat((T(m, A), T(m, A[:, :2])), dim=1),
    "cat-neg": lambda m: m.cat([T(m, C), T(m, C)], -1),
    "cat-promote": lambda m: m.cat([T(m, A), T(m, I1)]),
    "cat-promote-f64": lambda m: m.cat([T(m, A), T(m, A.astype(np.float64))]),
    "cat-bool-int": lambda m: m.cat([T(m, BOOL), T(m, I1)]),
    "cat-empty-1d": lambda m: m.cat([T(m, A), m.tensor([])]),
    "cat-empty": lambda m: m.cat([m.zeros(0, 4), T(m, A)]),
    "cat-noncontig": lambda m: m.cat([T(m, A).t(), T(m, A).t()], 1),
    "cat-one": lambda m: m.cat([T(m, A)]),
    "cat-shape-error": lambda m: m.cat([T(m, A), T(m, A[:, :2])]),
    "cat-zero-tensors": lambda m: m.cat([]),
    "cat-0d": lambda m: m.cat([m.tensor(1.0), m.tensor(2.0)]),
    "cat-dim-error": lambda m: m.cat([T(m, A), T(m, A)], 2),
    "concat": lambda m: m.concat([T(m, A), T(m, A)], 1),
    "concatenate": lambda m: m.concatenate([T(m, A), T(m, A)], axis=0),
    "stack": lambda m: m.stack([T(m, A), T(m, A)]),
    "stack-dim": lambda m: m.stack([T(m, A), T(m, A)], dim=2),
    "stack-neg": lambda m: m.stack([T(m, A), T(m, A)], -1),
    "stack-0d": lambda m: m.stack([m.tensor(1.0), m.tensor(2)]),
    "stack-shape-error": lambda m: m.stack([T(m, A), T(m, A[:2])]),
    "hstack": lambda m: m.hstack([T(m, A), T(m, A)]),
    "hstack-1d": lambda m: m.hstack([m.arange(3), m.arange(2)]),
    "vstack": lambda m: m.vstack([T(m, A), T(m, A[:1])]),
    "vstack-1d": lambda m: m.vstack([m.arange(3), m.arange(3)]),
    "dstack": lambda m: m.dstack([T(m, A), T(m, A)]),
    "column_stack": lambda m: m.column_stack([m.arange(3), T(m, A[:, :2])]),
    "repeat": lambda m: T(m, A).repeat(2, 3),
    "repeat-more-dims": lambda m: T(m, A).repeat(2, 1, 2),
    "repeat-tuple": lambda m: m.arange(3).repeat((2,)),
    "repeat-zero": lambda m: T(m, A).repeat(0, 1),
    "repeat-fewer-error": lambda m: T(m, A).repeat(2),
    "tile": lambda m: T(m, A).tile((2,)),
    "tile-more": lambda m: m.tile(m.arange(3), (2, 2)),
    "flip": lambda m: T(m, C).flip(0, 2),
    "flip-list": lambda m: m.flip(T(m, C), [1]),
    "fliplr": lambda m: m.fliplr(T(m, A)),
    "flipud": lambda m: T(m, A).flipud(),
    "flip-contig": lambda m: T(m, A).flip(1).is_contiguous(),
    "roll": lambda m: T(m, A).roll(1),
    "roll-dim": lambda m: T(m, A).roll(-1, 1),
    "roll-dims": lambda m: m.roll(T(m, C), (1, 2), (0, 2)),
    "roll-big": lambda m: T(m, A).roll(7, 0),
    "tril": lambda m: T(m, A).tril(),
    "tril-k": lambda m: m.tril(T(m, A), 1),
    "triu": lambda m: T(m, A).triu(-1),
    "triu-batch": lambda m: T(m, C).triu(1),
    "tril-int": lambda m: T(m, I1).tril(),
    "tril-1d-error": lambda m: m.arange(3).tril(),
    "tril_": lambda m: T(m, A).tril_(),
}


@pytest.mark.parametrize("fn", **cases(JOIN))
def test_joining(fn, torch_mod):
    compare(fn, torch_mod)


M1, M2, M3 = rnd(3, 4), rnd(4, 5), rnd(2, 3, 4)
B2 = rnd(2, 4, 5)
V3, V4 = rnd(3), rnd(4)
R35, R235, R33 = rnd(3, 5), rnd(2, 3, 5), rnd(3, 3)
MAT = {
    "matmul-2d": lambda m: m.matmul(T(m, M1), T(m, M2)),
    "matmul-1d-1d": lambda m: m.matmul(T(m, V4), T(m, V4)),
    "matmul-1d-2d": lambda m: T(m, V3) @ T(m, M1),
    "matmul-2d-1d": lambda m: T(m, M1) @ T(m, V4),
    "matmul-3d-2d": lambda m: T(m, M3) @ T(m, M2),
    "matmul-2d-3d": lambda m: T(m, M1.T.copy()) @ T(m, M3),
    "matmul-bcast": lambda m: T(m, M3[:, None]) @ T(m, B2[None]),
    "matmul-3d-1d": lambda m: T(m, M3) @ T(m, V4),
    "matmul-1d-3d": lambda m: T(m, V4) @ T(m, B2),
    "matmul-int": lambda m: T(m, M1.astype(np.int64)) @ T(m, M2.astype(np.int64)),
    "matmul-noncontig": lambda m: T(m, M2).t() @ T(m, M1).t(),
    "matmul-empty": lambda m: m.zeros(3, 0) @ m.zeros(0, 2),
    "matmul-f64": lambda m: T(m, M1.astype(np.float64)) @ T(m, M2.astype(np.float64)),
    "matmul-mismatch": lambda m: T(m, M1) @ T(m, M1),
    "matmul-dtype-mismatch": lambda m: T(m, M1) @ T(m, M2.astype(np.float64)),
    "matmul-0d": lambda m: m.tensor(1.0) @ m.tensor(2.0),
    "mm": lambda m: m.mm(T(m, M1), T(m, M2)),
    "mm-3d-error": lambda m: m.mm(T(m, M3), T(m, M2)),
    "mm-mismatch": lambda m: m.mm(T(m, M1), T(m, M1)),
    "bmm": lambda m: m.bmm(T(m, M3), T(m, B2)),
    "bmm-2d-error": lambda m: m.bmm(T(m, M1), T(m, M2)),
    "mv": lambda m: m.mv(T(m, M1), T(m, V4)),
    "dot": lambda m: m.dot(T(m, V4), T(m, V4)),
    "dot-int": lambda m: m.dot(m.tensor([1, 2]), m.tensor([3, 4])),
    "dot-2d-error": lambda m: m.dot(T(m, M1), T(m, M1)),
    "dot-size-error": lambda m: m.dot(T(m, V3), T(m, V4)),
    "vdot": lambda m: m.vdot(T(m, V4), T(m, V4)),
    "inner": lambda m: m.inner(T(m, M1), T(m, M1)),
    "outer": lambda m: m.outer(T(m, V3), T(m, V4)),
    "ger": lambda m: m.ger(T(m, V3), T(m, V4)),
    "addmm": lambda m: m.addmm(T(m, V4[:1].repeat(5)), T(m, M1), T(m, M2)),
    "addmm-beta-alpha": lambda m: m.addmm(T(m, R35), T(m, M1), T(m, M2), beta=0.5, alpha=2),
    "addmv": lambda m: m.addmv(T(m, V3), T(m, M1), T(m, V4), alpha=0.5),
    "addbmm": lambda m: m.addbmm(T(m, R35), T(m, M3), T(m, B2)),
    "baddbmm": lambda m: m.baddbmm(T(m, R235), T(m, M3), T(m, B2), beta=2.0),
    "addr": lambda m: m.addr(T(m, M1), T(m, V3), T(m, V4)),
    "einsum-mm": lambda m: m.einsum("ij,jk->ik", T(m, M1), T(m, M2)),
    "einsum-trace": lambda m: m.einsum("ii", T(m, R33)),
    "einsum-batch": lambda m: m.einsum("bij,bjk->bik", T(m, M3), T(m, B2)),
    "einsum-ellipsis": lambda m: m.einsum("...ij,...jk", T(m, M3), T(m, B2)),
    "einsum-list": lambda m: m.einsum("i,j->ij", [T(m, V3), T(m, V4)]),
    "einsum-sum": lambda m: m.einsum("ijk->j", T(m, M3)),
    "einsum-implicit": lambda m: m.einsum("ij,jk", T(m, M1), T(m, M2)),
    "einsum-space": lambda m: m.einsum("i j, j k -> i k", T(m, M1), T(m, M2)),
    "tensordot": lambda m: m.tensordot(T(m, M3), T(m, B2), dims=([0, 2], [0, 1])),
    "tensordot-int": lambda m: m.tensordot(T(m, M1), T(m, M2), dims=1),
    "tensordot-0": lambda m: m.tensordot(T(m, V3), T(m, V4), dims=0),
    "kron": lambda m: m.kron(T(m, M1[:2, :2]), T(m, M1)),
    "kron-1d": lambda m: m.kron(T(m, V3), T(m, V4)),
    "matmul-out": lambda m: m.matmul(T(m, M1), T(m, M2), out=m.empty(3, 5)),
    "mm-method": lambda m: T(m, M1).mm(T(m, M2)),
}


@pytest.mark.parametrize("fn", **cases(MAT))
def test_matmul(fn, torch_mod):
    compare(fn, torch_mod, rtol=1e-5, atol=1e-5)


MATRIX_DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "bfloat16", "float32",
                 "float64", "complex64"]
MATRIX_DATA = [[1.0, 2.0, 3.0, 0.0], [4.0, 0.5, 1.5, 2.0], [-1.0, 2.5, 0.0, 1.0]]
MATRIX_OPS = {
    "sum": lambda m, x: x.sum(), "sum1": lambda m, x: x.sum(1), "mean": lambda m, x: x.mean(),
    "mean0": lambda m, x: x.mean(0), "prod": lambda m, x: x.prod(), "prod1": lambda m, x: x.prod(1),
    "std": lambda m, x: x.std(), "var1": lambda m, x: x.var(1), "max": lambda m, x: x.max(),
    "max1": lambda m, x: x.max(1), "min0": lambda m, x: x.min(0), "amax1": lambda m, x: x.amax(1),
    "amin": lambda m, x: x.amin(), "argmax": lambda m, x: x.argmax(),
    "argmin1": lambda m, x: x.argmin(1), "cumsum1": lambda m, x: x.cumsum(1),
    "cumprod0": lambda m, x: x.cumprod(0), "all": lambda m, x: x.all(),
    "any1": lambda m, x: x.any(1), "count_nonzero": lambda m, x: m.count_nonzero(x),
    "logsumexp1": lambda m, x: x.logsumexp(1), "nansum": lambda m, x: x.nansum(),
    "nanmean": lambda m, x: x.nanmean(), "aminmax": lambda m, x: m.aminmax(x),
    "softmax1": lambda m, x: x.softmax(1), "log_softmax0": lambda m, x: x.log_softmax(0),
    "var_mean": lambda m, x: m.var_mean(x), "cat": lambda m, x: m.cat([x, x], 1),
    "stack": lambda m, x: m.stack([x, x]), "flip": lambda m, x: x.flip(0),
    "roll": lambda m, x: x.roll(1), "tril": lambda m, x: x.tril(), "repeat": lambda m, x: x.repeat(1, 2),
    "clamp": lambda m, x: x.clamp(0, 2),
    "masked_fill": lambda m, x: x.masked_fill(m.tensor([True, False, True, False]), 1),
    "gather": lambda m, x: x.gather(1, m.tensor([[0], [1], [3]])),
    "scatter_add": lambda m, x: x.scatter_add(1, m.tensor([[0], [1], [3]]), x),
    "index_select": lambda m, x: x.index_select(0, m.tensor([2, 0])),
    "matmul": lambda m, x: x @ x.t(), "dot": lambda m, x: m.dot(x[0], x[1]),
    "outer": lambda m, x: m.outer(x[0], x[1]), "einsum": lambda m, x: m.einsum("ij,kj->ik", x, x),
    "kron": lambda m, x: m.kron(x[:2, :2], x[:2, :2]), "nonzero": lambda m, x: x.nonzero(),
    "getitem": lambda m, x: x[x != 0], "t-sum": lambda m, x: x.t().contiguous().sum(0),
}


@pytest.mark.parametrize("dtype", MATRIX_DTYPES)
def test_reduce_dtype_matrix(dtype, torch_mod):
    """Reductions, joins and products on every dtype: PyTorch's dtype, values or error type."""
    failures = []
    for name, op in MATRIX_OPS.items():
        def fn(m, op=op):
            return op(m, m.tensor(MATRIX_DATA, dtype=m.float64).to(getattr(m, dtype)))
        try:
            compare(fn, torch_mod, rtol=2e-2, atol=2e-2)
        except AssertionError as e:
            failures.append(f"{name}: {e}")
    assert not failures, "\n".join(failures)


HALF_REDUCTIONS = {
    "sum": lambda x: x.sum(), "mean": lambda x: x.mean(), "cumsum": lambda x: x.cumsum(0)[-1],
    "sum-dim": lambda x: x.reshape(100, -1).sum(0), "var": lambda x: x.var(),
    "prod": lambda x: x[:100].add(0.01).prod(), "cumprod": lambda x: x[:50].add(0.91).cumprod(0),
    "logsumexp": lambda x: x.logsumexp(0), "nansum": lambda x: x.nansum(),
}


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name", list(HALF_REDUCTIONS))
def test_half_precision_accumulates_in_float32(dtype, name, torch_mod):
    """Long sums of half-precision values keep float32 accuracy, as in PyTorch."""
    op = HALF_REDUCTIONS[name]
    compare(lambda m: op(m.full((4000,), 0.1, dtype=getattr(m, dtype))), torch_mod)
