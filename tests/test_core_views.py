"""Parity with PyTorch for attributes, views (shared storage, strides, offsets) and indexing."""
import numpy as np
import pytest

import ember
from core_parity import T, rnd, compare, cases

A = rnd(3, 4)
C = rnd(2, 3, 4)
IDX = np.array([2, 0, 2], np.int64)


def _x(m):
    return m.arange(24.0).reshape(2, 3, 4)


ATTRS = {
    "shape": lambda m: (_x(m).shape, _x(m).size(), _x(m).size(1), _x(m).size(-1),
                        _x(m).shape.numel(), repr(_x(m).shape)),
    "size-out-of-range": lambda m: _x(m).size(3),
    "dims": lambda m: (_x(m).dim(), _x(m).ndim, _x(m).numel(), _x(m).nelement(),
                       m.tensor(1.0).dim(), m.tensor(1.0).numel(), _x(m).ndimension()),
    "stride": lambda m: (_x(m).stride(), _x(m).stride(0), _x(m).stride(-1),
                         _x(m).transpose(0, 2).stride(), _x(m)[:, 1].stride(),
                         _x(m)[..., ::2].stride(), m.tensor(1.0).stride(),
                         _x(m).expand(2, 2, 3, 4).stride()),
    "storage_offset": lambda m: (_x(m).storage_offset(), _x(m)[1].storage_offset(),
                                 _x(m)[1, 2].storage_offset(), _x(m)[:, 1:, 2:].storage_offset(),
                                 _x(m).t().storage_offset() if False else 0,
                                 _x(m).narrow(2, 1, 2).storage_offset(),
                                 _x(m).select(1, 2).storage_offset()),
    "is_contiguous": lambda m: (_x(m).is_contiguous(), _x(m).transpose(0, 1).is_contiguous(),
                                _x(m)[:, :, :2].is_contiguous(), _x(m)[1].is_contiguous(),
                                _x(m).transpose(0, 1).contiguous().is_contiguous(),
                                m.ones(3, 1).expand(3, 4).is_contiguous()),
    "contiguous-self": lambda m: (lambda t: t.contiguous() is t)(_x(m)),
    "T": lambda m: (m.ones(2, 3).T.shape, m.arange(6.0).reshape(2, 3).T),
    "mT": lambda m: _x(m).mT,
    "len": lambda m: len(_x(m)),
    "len-0d": lambda m: len(m.tensor(1.0)),
    "iter": lambda m: list(m.arange(6).reshape(2, 3)),
    "iter-0d": lambda m: list(m.tensor(1.0)),
    "element_size": lambda m: (m.ones(2, dtype=m.float64).element_size(), m.ones(2).itemsize,
                               m.ones(2, 3).nbytes),
    "is_floating_point": lambda m: (m.ones(1).is_floating_point(), m.ones(1, dtype=m.int64)
                                    .is_floating_point(), m.is_floating_point(m.ones(1)),
                                    m.ones(1).is_complex(), m.is_tensor(m.ones(1)),
                                    m.is_tensor([1])),
    "is_leaf": lambda m: (m.ones(1).is_leaf, m.ones(1, requires_grad=True).is_leaf,
                          (m.ones(1, requires_grad=True) * 2).is_leaf),
}


@pytest.mark.parametrize("fn", **cases(ATTRS))
def test_attributes(fn, torch_mod):
    compare(fn, torch_mod)


def test_hash_and_data_ptr():
    a = ember.ones(3)
    b = ember.ones(3)
    assert hash(a) != hash(b) and {a: 1, b: 2}[a] == 1
    x = ember.arange(12.0).reshape(3, 4)
    assert x.view(4, 3).data_ptr() == x.data_ptr()
    assert x[1].data_ptr() == x.data_ptr() + 4 * x.element_size()
    assert x.clone().data_ptr() != x.data_ptr()
    assert x.t().data_ptr() == x.data_ptr()
    assert x.detach().data_ptr() == x.data_ptr()


def _view_case(make):
    """Make a view, write through it, write through the base; report everything torch would."""
    def fn(m):
        base = m.arange(24.0).reshape(2, 3, 4)
        v = make(base)
        vs = v if isinstance(v, (tuple, list)) else (v,)
        info = [(tuple(t.shape), t.stride(), t.storage_offset(), t.is_contiguous()) for t in vs]
        vs[0].mul_(-1)
        base.add_(100)
        return info, base, list(vs)
    return fn


VIEWS = {
    "view": lambda b: b.view(6, 4),
    "view-infer": lambda b: b.view(-1, 2),
    "view-size": lambda b: b.view(b.size()),
    "view-tuple": lambda b: b.view((4, 6)),
    "view_as": lambda b: b.view_as(b.new_zeros(4, 6)),
    "reshape": lambda b: b.reshape(3, 8),
    "reshape-noncontig": lambda b: b.transpose(0, 1).reshape(-1),
    "flatten": lambda b: b.flatten(),
    "flatten-range": lambda b: b.flatten(1),
    "flatten-start-end": lambda b: b.flatten(0, 1),
    "unflatten": lambda b: b.unflatten(2, (2, 2)),
    "transpose": lambda b: b.transpose(0, 2),
    "swapaxes": lambda b: b.swapaxes(1, 2),
    "t": lambda b: b[0].t(),
    "permute": lambda b: b.permute(2, 0, 1),
    "permute-tuple": lambda b: b.permute((1, 2, 0)),
    "movedim": lambda b: b.movedim(0, -1),
    "movedim-multi": lambda b: b.movedim((0, 1), (2, 0)),
    "expand": lambda b: b[:, :1].expand(2, 5, 4),
    "expand-new-dim": lambda b: b[0, 0].expand(2, 4),
    "expand_as": lambda b: b[:1].expand_as(b),
    "squeeze": lambda b: b[:, :1].squeeze(),
    "squeeze-dim": lambda b: b[:, :1].squeeze(1),
    "squeeze-dim-noop": lambda b: b.squeeze(0),
    "unsqueeze": lambda b: b.unsqueeze(1),
    "unsqueeze-neg": lambda b: b.unsqueeze(-1),
    "narrow": lambda b: b.narrow(1, 1, 2),
    "narrow-neg": lambda b: b.narrow(-1, -2, 2),
    "select": lambda b: b.select(2, 1),
    "select-neg": lambda b: b.select(0, -1),
    "unbind": lambda b: b.unbind(1),
    "split": lambda b: b.split(2, dim=2),
    "split-sizes": lambda b: b.split([1, 2], dim=1),
    "chunk": lambda b: b.chunk(3, dim=2),
    "chunk-uneven": lambda b: b.chunk(3, dim=1),
    "tensor_split": lambda b: b.tensor_split(3, dim=2),
    "tensor_split-idx": lambda b: b.tensor_split([1, 3], dim=2),
    "unfold": lambda b: b.unfold(2, 2, 2),
    "unfold-step": lambda b: b.unfold(1, 2, 2),
    "diagonal": lambda b: b[0].diagonal(),
    "diagonal-offset": lambda b: b[0].diagonal(1),
    "diagonal-neg-offset": lambda b: b.diagonal(-1, 1, 2),
    "diagonal-dims": lambda b: b.diagonal(0, 0, 2),
    "as_strided": lambda b: b.as_strided((3, 3), (4, 1), 1),
    "slice": lambda b: b[1:, ::2, 1:3],
    "slice-int": lambda b: b[1, :, 2],
    "slice-none": lambda b: b[1][None],
    "slice-none-mid": lambda b: b[:, None],
    "unsqueeze-noncontig": lambda b: b.transpose(0, 2).unsqueeze(1),
    "slice-ellipsis": lambda b: b[..., 1],
    "slice-ellipsis-mid": lambda b: b[0, ..., 1:],
    "slice-out-of-range": lambda b: b[:, 5:].shape,
    "slice-negative": lambda b: b[-1, -2:],
    "ravel": lambda b: b.ravel(),
    "detach": lambda b: b.detach(),
    "adjoint": lambda b: b.adjoint(),
}


@pytest.mark.parametrize("make", **cases(VIEWS))
def test_views(make, torch_mod):
    compare(_view_case(make), torch_mod)


VIEW_ERRORS = {
    "view-impossible": lambda m: m.arange(6.0).reshape(2, 3).t().view(6),
    "view-bad-numel": lambda m: m.arange(6.0).view(4),
    "view-two-infer": lambda m: m.arange(6.0).view(-1, -1),
    "reshape-bad": lambda m: m.arange(6.0).reshape(5, -1),
    "negative-step": lambda m: m.arange(6)[::-1],
    "zero-step": lambda m: m.arange(6)[::0],
    "expand-bad": lambda m: m.ones(2, 3).expand(3, 3),
    "expand-fewer-dims": lambda m: m.ones(2, 3).expand(3),
    "transpose-out-of-range": lambda m: m.ones(2, 3).transpose(0, 2),
    "permute-bad": lambda m: m.ones(2, 3).permute(0, 0),
    "permute-wrong-len": lambda m: m.ones(2, 3).permute(0),
    "select-out-of-range": lambda m: m.ones(2, 3).select(1, 3),
    "narrow-bad": lambda m: m.ones(2, 3).narrow(1, 2, 2),
    "squeeze-out-of-range": lambda m: m.ones(2, 3).squeeze(2),
    "unsqueeze-out-of-range": lambda m: m.ones(2, 3).unsqueeze(3),
    "index-out-of-range": lambda m: m.ones(2, 3)[2],
    "index-too-many": lambda m: m.ones(2, 3)[0, 0, 0],
    "index-0d": lambda m: m.tensor(1.0)[0],
    "index-float": lambda m: m.ones(2, 3)[1.0],
    "chunk-zero": lambda m: m.ones(2, 3).chunk(0),
    "split-bad-sizes": lambda m: m.ones(2, 3).split([1, 1], 1),
    "unflatten-bad": lambda m: m.ones(2, 6).unflatten(1, (4, 2)),
    "flatten-bad": lambda m: m.ones(2, 6).flatten(1, 0),
    "diagonal-same-dims": lambda m: m.ones(2, 6).diagonal(0, 1, 1),
    "dim-out-of-range-msg": lambda m: m.ones(2, 3).sum(5),
}


@pytest.mark.parametrize("fn", **cases(VIEW_ERRORS))
def test_view_errors(fn, torch_mod):
    compare(fn, torch_mod)


@pytest.mark.parametrize("fn", [VIEW_ERRORS["negative-step"], VIEW_ERRORS["view-impossible"],
                                VIEW_ERRORS["dim-out-of-range-msg"], VIEW_ERRORS["index-out-of-range"],
                                VIEW_ERRORS["view-bad-numel"], VIEW_ERRORS["expand-bad"]])
def test_error_messages(fn, torch_mod):
    compare(fn, torch_mod, match_msg=True)


def _getitem(key):
    def fn(m):
        x = m.arange(60.0).reshape(3, 4, 5)
        k = key(m) if callable(key) else key
        return x[k]
    return fn


GET = {
    "int": 1,
    "neg-int": -1,
    "tuple": (1, 2),
    "slice": slice(1, None),
    "int-tensor": lambda m: m.tensor([2, 0]),
    "int-tensor-2d": lambda m: m.tensor([[2, 0], [1, 1]]),
    "int-tensor-neg": lambda m: m.tensor([-1, 0]),
    "list": [0, 2],
    "list-of-lists": [[0, 1], [2, 2]],
    "two-tensors": lambda m: (m.tensor([0, 2]), m.tensor([1, 3])),
    "tensor-slice-tensor": lambda m: (m.tensor([0, 2]), slice(None), m.tensor([1, 3])),
    "slice-tensor": lambda m: (slice(None), m.tensor([3, 1])),
    "bcast-tensors": lambda m: (m.tensor([[0], [2]]), m.tensor([1, 3])),
    "bool-mask": lambda m: m.arange(60.0).reshape(3, 4, 5) > 30,
    "bool-mask-dim0": lambda m: m.tensor([True, False, True]),
    "bool-mask-2d": lambda m: m.ones(3, 4, dtype=m.bool).tril(),
    "bool-mask-slice": lambda m: (slice(None), m.tensor([True, False, True, False])),
    "ellipsis-tensor": lambda m: (Ellipsis, m.tensor([0, 4])),
    "none-tensor": lambda m: (None, m.tensor([0, 1])),
    "int-tensor-0d": lambda m: m.tensor(1),
    "bool-true": True,
    "bool-false": False,
    "uint8-mask": lambda m: m.tensor([1, 0, 1], dtype=m.uint8),
    "float-tensor": lambda m: m.tensor([1.0]),
    "out-of-range-tensor": lambda m: m.tensor([3]),
    "mask-wrong-shape": lambda m: m.tensor([True, False]),
    "int32-tensor": lambda m: m.tensor([1, 2], dtype=m.int32),
    "empty-list": [],
    "empty-tensor": lambda m: m.tensor([], dtype=m.int64),
}


@pytest.mark.parametrize("fn", **cases({k: _getitem(v) for k, v in GET.items()}))
def test_getitem(fn, torch_mod):
    compare(fn, torch_mod)


def _setitem(key, value):
    def fn(m):
        x = m.arange(60.0).reshape(3, 4, 5)
        k = key(m) if callable(key) else key
        v = value(m) if callable(value) else value
        x[k] = v
        return x
    return fn


SET = {
    "int-scalar": (1, -1.0),
    "slice-bcast-row": (slice(None), lambda m: m.arange(5.0)),
    "slice-tensor": ((0, slice(1, 3)), lambda m: m.ones(2, 5)),
    "int-tensor": (lambda m: m.tensor([0, 2]), 7.0),
    "int-tensor-bcast": (lambda m: m.tensor([0, 2]), lambda m: m.arange(5.0)),
    "mask": (lambda m: m.arange(60.0).reshape(3, 4, 5) > 30, 0.0),
    "mask-tensor-values": (lambda m: m.arange(60.0).reshape(3, 4, 5) > 50,
                           lambda m: m.arange(9.0)),
    "mask-dim0": (lambda m: m.tensor([True, False, True]), lambda m: m.zeros(4, 5)),
    "ellipsis": (Ellipsis, 3.0),
    "int-value-cast": ((0, 0), lambda m: m.tensor(5)),
    "f64-value": ((0, 0), lambda m: m.tensor([1.5, 2.5, 3.5, 4.5, 5.5], dtype=m.float64)),
    "bad-shape": ((0, 0), lambda m: m.ones(3)),
    "two-tensors": (lambda m: (m.tensor([0, 1]), m.tensor([1, 2])), lambda m: m.tensor([-1.0, -2.0])),
    "none": ((None, 0), 9.0),
    "list": ([0, 2], 1.0),
    "noncontig-target": ((slice(None), slice(None), 1), lambda m: m.ones(3, 4)),
}


@pytest.mark.parametrize("fn", **cases({k: _setitem(*v) for k, v in SET.items()}))
def test_setitem(fn, torch_mod):
    compare(fn, torch_mod)


def test_setitem_on_view_changes_base(torch_mod):
    def fn(m):
        x = m.zeros(3, 4)
        v = x.t()
        v[1] = 5.0
        d = x.diagonal()
        d[:] = m.tensor([1.0, 2.0, 3.0])
        x[2][3] = 8
        return x, v
    compare(fn, torch_mod)


I3 = np.array([[0, 1, 2, 0], [2, 2, 1, 0], [1, 0, 0, 2]], np.int64)
MASK = (A > 0)
SRC = rnd(12)
IDXTAB = {
    "index_select": lambda m: m.index_select(T(m, A), 1, T(m, IDX)),
    "index_select-dim0": lambda m: T(m, A).index_select(0, T(m, IDX)),
    "index_select-int32-error": lambda m: T(m, A).index_select(0, T(m, IDX.astype(np.int32))),
    "index_select-float-error": lambda m: T(m, A).index_select(0, T(m, IDX.astype(np.float32))),
    "gather": lambda m: m.gather(T(m, A), 0, T(m, I3)),
    "gather-dim1": lambda m: T(m, A).gather(1, T(m, I3[:, :2])),
    "gather-small": lambda m: T(m, A).gather(1, T(m, I3[:2, :2])),
    "scatter": lambda m: m.zeros(3, 4).scatter(0, T(m, I3), T(m, A)),
    "scatter-value": lambda m: m.zeros(3, 4).scatter(1, T(m, I3[:, :2]), 5.0),
    "scatter-reduce-add": lambda m: m.ones(3, 4).scatter(0, T(m, I3), T(m, A), reduce="add"),
    "scatter-reduce-mul": lambda m: m.ones(3, 4).scatter(0, T(m, I3), T(m, A), reduce="multiply"),
    "scatter_add": lambda m: m.zeros(3, 4).scatter_add(0, T(m, I3), T(m, A)),
    "scatter_add_": lambda m: m.zeros(3, 4).scatter_add_(1, T(m, I3), T(m, A)),
    "scatter_reduce-sum": lambda m: m.ones(3, 4).scatter_reduce(0, T(m, I3), T(m, A), "sum"),
    "scatter_reduce-amax": lambda m: m.zeros(3, 4).scatter_reduce(0, T(m, I3), T(m, A), "amax"),
    "scatter_reduce-amin-noself": lambda m: m.zeros(3, 4).scatter_reduce(
        0, T(m, I3), T(m, A), "amin", include_self=False),
    "scatter_reduce-mean": lambda m: m.ones(3, 4).scatter_reduce(0, T(m, I3), T(m, A), "mean"),
    "scatter_reduce-mean-noself": lambda m: m.ones(3, 4).scatter_reduce(
        0, T(m, I3), T(m, A), "mean", include_self=False),
    "scatter_reduce-prod": lambda m: m.ones(3, 4).scatter_reduce(1, T(m, I3), T(m, A), "prod"),
    "index_add": lambda m: m.zeros(3, 4).index_add(1, T(m, np.array([0, 3, 0], np.int64)), T(m, A[:, :3])),
    "index_add-alpha": lambda m: m.zeros(3, 4).index_add(0, T(m, IDX), T(m, A), alpha=2),
    "index_add_": lambda m: m.zeros(3, 4).index_add_(0, T(m, IDX), T(m, A)),
    "index_copy": lambda m: m.zeros(3, 4).index_copy(1, T(m, np.array([3, 0], np.int64)), T(m, A[:, :2])),
    "index_fill": lambda m: T(m, A).index_fill(1, T(m, np.array([0, 2], np.int64)), -1.0),
    "index_fill_": lambda m: T(m, A).index_fill_(0, T(m, np.array([1], np.int64)), 0),
    "masked_fill": lambda m: T(m, A).masked_fill(T(m, MASK), 0.0),
    "masked_fill-bcast": lambda m: T(m, A).masked_fill(T(m, MASK[0]), -1.0),
    "masked_fill-tensor": lambda m: T(m, A).masked_fill(T(m, MASK), m.tensor(2.0)),
    "masked_fill-int": lambda m: m.arange(12).reshape(3, 4).masked_fill(T(m, MASK), 2.7),
    "masked_fill-nonbool": lambda m: T(m, A).masked_fill(T(m, MASK.astype(np.int64)), 0.0),
    "masked_fill_": lambda m: T(m, A).masked_fill_(T(m, MASK), 1.0),
    "masked_select": lambda m: m.masked_select(T(m, A), T(m, MASK)),
    "masked_select-bcast": lambda m: T(m, A).masked_select(T(m, MASK[0])),
    "masked_scatter": lambda m: m.zeros(3, 4).masked_scatter(T(m, MASK), T(m, SRC)),
    "take": lambda m: m.take(T(m, A), T(m, np.array([[0, 11], [5, -1]], np.int64))),
    "take_along_dim": lambda m: m.take_along_dim(T(m, A), T(m, I3[:, :2]), dim=1),
    "take_along_dim-none": lambda m: m.take_along_dim(T(m, A), T(m, np.array([0, 5], np.int64))),
    "take_along_dim-argmax": lambda m: T(m, A).take_along_dim(T(m, A).argmax(1, keepdim=True), 1),
    "nonzero": lambda m: m.nonzero(T(m, MASK)),
    "nonzero-tuple": lambda m: T(m, MASK).nonzero(as_tuple=True),
    "nonzero-1d": lambda m: m.tensor([0, 3, 0, 1]).nonzero(),
    "nonzero-0d": lambda m: m.tensor(3).nonzero(),
    "nonzero-empty": lambda m: m.zeros(2, 0).nonzero(),
    "argwhere": lambda m: m.argwhere(T(m, A) > 1),
    "where-1arg": lambda m: m.where(T(m, MASK)),
    "index_put": lambda m: T(m, A).index_put((T(m, IDX[:2]), T(m, np.array([1, 3], np.int64))),
                                             m.tensor(9.0)),
    "index_put-accumulate": lambda m: m.zeros(4).index_put_((m.tensor([0, 0, 2]),),
                                                            m.tensor([1.0, 2.0, 3.0]),
                                                            accumulate=True),
    "gather-bad-dtype": lambda m: T(m, A).gather(0, T(m, I3.astype(np.int32))),
    "gather-out-of-range": lambda m: T(m, A).gather(0, T(m, I3 + 3)),
    "gather-dims-mismatch": lambda m: T(m, A).gather(0, T(m, IDX)),
}


@pytest.mark.parametrize("fn", **cases(IDXTAB))
def test_index_ops(fn, torch_mod):
    compare(fn, torch_mod, rtol=1e-5, atol=1e-6)


SHAPE_API = {
 "squeeze-tuple": lambda m: m.ones(1, 2, 1, 3).squeeze((0, 2)),
 "squeeze-neg": lambda m: m.ones(1, 2, 1).squeeze(-1),
 "squeeze-0d": lambda m: m.tensor(1.0).squeeze(),
 "squeeze-0d-dim": lambda m: m.tensor(1.0).squeeze(0),
 "unsqueeze-0d": lambda m: m.tensor(1.0).unsqueeze(0),
 "unsqueeze-0d-neg": lambda m: m.tensor(1.0).unsqueeze(-1),
 "flatten-0d": lambda m: m.tensor(1.0).flatten(),
 "view-0d": lambda m: m.tensor(1.0).view(1, 1),
 "view-empty": lambda m: m.zeros(0, 3).view(3, 0),
 "view-empty-infer": lambda m: m.zeros(0, 3).view(-1, 3),
 "view-empty-infer-bad": lambda m: m.zeros(0, 3).view(-1),
 "reshape-empty-infer": lambda m: m.zeros(0, 3).reshape(0, -1),
 "reshape-tuple": lambda m: _x(m).reshape((4, 6)),
 "reshape-list": lambda m: _x(m).reshape([6, 4]),
 "view-neg-1-only": lambda m: _x(m).view(-1),
 "t-1d": lambda m: m.arange(3).t(),
 "t-3d": lambda m: _x(m).t(),
 "T-1d": lambda m: m.arange(3).T,
 "mT-1d": lambda m: m.arange(3).mT,
 "transpose-same": lambda m: _x(m).transpose(1, 1),
 "permute-neg": lambda m: _x(m).permute(-1, 0, 1),
 "movedim-neg": lambda m: _x(m).movedim(-1, 0),
 "moveaxis": lambda m: m.moveaxis(_x(m), 0, 2),
 "swapdims": lambda m: m.swapdims(_x(m), 0, 2),
 "expand-neg1": lambda m: m.ones(3, 1).expand(-1, 4),
 "expand-neg1-new": lambda m: m.ones(3, 1).expand(-1, -1, 4),
 "expand-0": lambda m: m.ones(3, 1).expand(3, 0),
 "expand_as": lambda m: m.ones(3, 1).expand_as(m.zeros(2, 3, 5)),
 "broadcast_to": lambda m: m.broadcast_to(m.ones(3, 1), (3, 3)),
 "split-int": lambda m: _x(m).split(2, -1),
 "split-list-dim": lambda m: m.split(_x(m), [1, 2], dim=1),
 "split-big": lambda m: _x(m).split(10),
 "split-0d-error": lambda m: m.tensor(1.0).split(1),
 "chunk-more": lambda m: _x(m).chunk(10, 2),
 "chunk-6": lambda m: m.arange(6).chunk(4),
 "chunk-empty": lambda m: m.zeros(0).chunk(2),
 "tensor_split-int": lambda m: m.arange(7).tensor_split(3),
 "tensor_split-tensor": lambda m: m.arange(7).tensor_split(m.tensor([1, 5])),
 "hsplit": lambda m: m.hsplit(_x(m), 3),
 "vsplit": lambda m: m.vsplit(m.ones(4, 2), [1]),
 "dsplit": lambda m: m.dsplit(_x(m), 2),
 "hsplit-1d": lambda m: m.hsplit(m.arange(6), 2),
 "unbind-neg": lambda m: _x(m).unbind(-1),
 "unbind-0d": lambda m: m.tensor(1.0).unbind(),
 "narrow-tensor-start": lambda m: _x(m).narrow(2, m.tensor(1), 2),
 "select-0d": lambda m: m.tensor(1.0).select(0, 0),
 "unfold-0d": lambda m: m.tensor(1.0).unfold(0, 1, 1),
 "unfold-size-too-big": lambda m: m.arange(3.0).unfold(0, 4, 1),
 "diagonal-1d": lambda m: m.arange(3.0).diagonal(),
 "diagonal-offset-big": lambda m: m.ones(2, 3).diagonal(5),
 "as_strided-offset": lambda m: m.arange(10.0).as_strided((2, 2), (3, 1), 2),
 "as_strided-view": lambda m: m.arange(10.0)[2:].as_strided((2,), (2,)),
 "ravel-noncontig": lambda m: _x(m).transpose(0, 2).ravel(),
 "flatten-noncontig-shares": lambda m: (lambda t: t.flatten()._base is not None)(_x(m)[:, :, :2]),
 "unflatten-neg": lambda m: _x(m).unflatten(-1, (2, -1)),
 "view_as-bad": lambda m: _x(m).view_as(m.ones(5)),
 "reshape_as": lambda m: _x(m).reshape_as(m.ones(6, 4)),
 "atleast_1d-list": lambda m: m.atleast_1d([m.tensor(1.0), m.ones(2)]),
 "flip-empty-dims": lambda m: _x(m).flip([]),
 "roll-no-dim-2d": lambda m: _x(m).roll(5),
 "roll-neg": lambda m: _x(m).roll(-7, -1),
 "roll-mismatch": lambda m: _x(m).roll((1, 2), (0,)),
 "repeat-0d": lambda m: m.tensor(2.0).repeat(3),
 "repeat-empty": lambda m: m.zeros(0).repeat(3),
 "tile-0d": lambda m: m.tile(m.tensor(2.0), (2, 2)),
 "tril-neg-big": lambda m: m.ones(3, 3).tril(-5),
 "triu-rect": lambda m: m.ones(2, 4).triu(1),
 "stack-empty-list": lambda m: m.stack([]),
 "cat-mixed-dims": lambda m: m.cat([m.ones(2, 3), m.ones(3)]),
 "cat-out-dtype": lambda m: m.cat([m.ones(2), m.ones(2)], out=m.empty(4, dtype=m.int64)),
 "hstack-0d": lambda m: m.hstack([m.tensor(1.0), m.tensor(2.0)]),
 "vstack-0d": lambda m: m.vstack([m.tensor(1.0), m.tensor(2.0)]),
 "dstack-1d": lambda m: m.dstack([m.ones(3), m.ones(3)]),
 "column_stack-0d": lambda m: m.column_stack([m.tensor(1.0), m.tensor(2.0)]),
 "contiguous-expand": lambda m: m.ones(3, 1).expand(3, 4).contiguous().stride(),
}


def _with_layout(fn):
    def g(m):
        r = fn(m)

        def info(t):
            return (t, t.stride(), t.storage_offset()) if isinstance(t, m.Tensor) else t
        return [info(t) for t in r] if isinstance(r, (tuple, list)) else info(r)
    return g


@pytest.mark.parametrize("name", list(SHAPE_API))
def test_shape_api(name, torch_mod):
    """Shape ops on edge inputs (0-d, empty, -1 sizes, tuples): values, strides, offsets, errors."""
    compare(_with_layout(SHAPE_API[name]), torch_mod)


COMPLEX_VIEWS = {
    "view_as_real": lambda m: m.view_as_real(m.tensor([1 + 2j, 3 - 4j])),
    "view_as_real-noncontig": lambda m: m.view_as_real(m.tensor([[1 + 2j, 3 - 4j], [5j, 6]]).t()),
    "view_as_real-write": lambda m: (lambda z: (m.view_as_real(z).mul_(2), z)[1])(
        m.tensor([1 + 2j, 3 - 4j])),
    "view_as_complex": lambda m: m.view_as_complex(m.arange(8.0).reshape(2, 2, 2)),
    "view_as_complex-f64": lambda m: m.view_as_complex(m.arange(4.0, dtype=m.float64).reshape(2, 2)),
    "view_as_complex-write": lambda m: (lambda x: (m.view_as_complex(x).mul_(1j), x)[1])(
        m.arange(4.0).reshape(2, 2)),
    "view_as_complex-bad-size": lambda m: m.view_as_complex(m.ones(3)),
    "view_as_complex-bad-stride": lambda m: m.view_as_complex(m.ones(2, 2).t()),
    "view_as_complex-int": lambda m: m.view_as_complex(m.ones(2, 2, dtype=m.int64)),
    "view_as_real-real": lambda m: m.view_as_real(m.ones(2)),
    "resolve": lambda m: (m.ones(2).resolve_conj(), m.ones(2).resolve_neg(), m.ones(2).is_conj(),
                          m.is_same_size(m.ones(2), m.ones(2)), m.ones(2).is_same_size(m.ones(3))),
}


@pytest.mark.parametrize("name", list(COMPLEX_VIEWS))
def test_complex_views(name, torch_mod):
    compare(_with_layout(COMPLEX_VIEWS[name]), torch_mod)


def test_complex_views_gradcheck():
    from ember.autograd import gradcheck
    x = ember.randn(3, 2, dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda t: ember.view_as_real(ember.view_as_complex(t) * (1 + 2j)), (x,))


def test_as_strided_on_permuted_storage(torch_mod):
    """A clone of a transpose keeps its layout; as_strided indexes its storage in memory order."""
    def fn(m):
        x = m.arange(6.0).reshape(2, 3).t().clone()
        return x.stride(), x.as_strided((2, 2), (1, 3)), x.as_strided((3,), (2,), 1)
    compare(fn, torch_mod)
    from ember.autograd import gradcheck
    x = ember.randn(3, 2, dtype=ember.float64).t().clone().requires_grad_()
    assert gradcheck(lambda t: t.as_strided((2, 2), (1, 3), 1) * 2, (x,))
