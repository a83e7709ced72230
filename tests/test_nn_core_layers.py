"""Layers vs real torch: torch's weights copied in through load_state_dict (same keys), then
outputs, input grads and every parameter grad compared; buffers (running stats) too."""
import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.testing import assert_close
from nn_core_util import rnd, pair, compare_modules, copy_weights


def _both(torch, name, *args, **kw):
    return getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)


LAYERS = [
    ("Linear", (3, 4), {}, [(5, 3)]),
    ("Linear", (3, 4), {"bias": False}, [(2, 5, 3)]),
    ("Bilinear", (3, 2, 4), {}, [(5, 3), (5, 2)]),
    ("LayerNorm", (4,), {}, [(2, 3, 4)]),
    ("LayerNorm", ((3, 4),), {"elementwise_affine": False}, [(2, 3, 4)]),
    ("LayerNorm", (4,), {"bias": False, "eps": 1e-3}, [(2, 4)]),
    ("GroupNorm", (2, 4), {}, [(3, 4, 5)]),
    ("GroupNorm", (4, 4), {"affine": False}, [(3, 4, 2, 2)]),
    ("BatchNorm1d", (3,), {}, [(6, 3)]),
    ("BatchNorm1d", (3,), {"momentum": None}, [(6, 3, 4)]),
    ("BatchNorm1d", (3,), {"affine": False, "track_running_stats": False}, [(6, 3)]),
    ("BatchNorm2d", (3,), {"momentum": 0.5}, [(2, 3, 4, 4)]),
    ("BatchNorm3d", (2,), {}, [(2, 2, 3, 2, 2)]),
    ("InstanceNorm1d", (3,), {}, [(2, 3, 6)]),
    ("InstanceNorm1d", (3,), {"affine": True, "track_running_stats": True}, [(2, 3, 6)]),
    ("InstanceNorm2d", (3,), {"affine": True}, [(2, 3, 4, 4)]),
    ("PReLU", (), {}, [(4, 3)]),
    ("PReLU", (3,), {"init": 0.1}, [(4, 3, 2)]),
    ("Flatten", (), {}, [(2, 3, 4)]),
    ("Flatten", (0, 1), {}, [(2, 3, 4)]),
    ("Unflatten", (1, (2, 3)), {}, [(4, 6)]),
    ("Identity", (5,), {"x": 1}, [(2, 3)]),
    ("RMSNorm", (4,), {"eps": 1e-6}, [(2, 4)]),
    ("LocalResponseNorm", (3,), {}, [(2, 5, 3)]),
]


@pytest.mark.parametrize("name,args,kw,shapes", LAYERS, ids=[f"{l[0]}{i}" for i, l in enumerate(LAYERS)])
def test_layer_matches_torch(torch_mod, name, args, kw, shapes):
    em, tm = _both(torch_mod, name, *args, **kw)
    assert repr(em) == repr(tm)
    assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    for _ in range(2):   # twice: running stats update twice
        compare_modules(em, tm, *[rnd(*s) for s in shapes], rtol=1e-5, atol=1e-5)
        for p in list(em.parameters()):
            p.grad = None
        for p in list(tm.parameters()):
            p.grad = None


@pytest.mark.parametrize("name,kw", [("BatchNorm1d", {}), ("BatchNorm1d", {"momentum": None}),
                                     ("BatchNorm2d", {"track_running_stats": False}),
                                     ("InstanceNorm1d", {"track_running_stats": True})])
def test_norm_eval_mode_and_running_stats(torch_mod, name, kw):
    em, tm = _both(torch_mod, name, 3, **kw)
    shape = (5, 3, 4, 2) if "2d" in name else (5, 3, 4)
    for _ in range(3):
        x = rnd(*shape)
        em(ember.tensor(x))
        tm(torch_mod.tensor(x))
    for (k, b), (k2, b2) in zip(em.state_dict().items(), tm.state_dict().items()):
        assert k == k2
        assert_close(b, b2, rtol=1e-5, atol=1e-6, msg=k)
    em.eval()
    tm.eval()
    x, tx = pair(torch_mod, rnd(*shape))
    from nn_core_util import compare_forward_backward
    compare_forward_backward(em(x), tm(tx), [x] + list(em.parameters()), [tx] + list(tm.parameters()),
                             atol=1e-5)


def test_batchnorm_num_batches_tracked_and_old_checkpoint(torch_mod):
    em = nn.BatchNorm1d(3)
    for _ in range(4):
        em(ember.randn(4, 3))
    assert em.num_batches_tracked.item() == 4 and em.num_batches_tracked.dtype is ember.int64
    sd = em.state_dict()
    del sd["num_batches_tracked"]
    sd._metadata[""] = {"version": 1}       # a checkpoint from before the counter existed
    fresh = nn.BatchNorm1d(3)
    fresh.load_state_dict(sd)
    assert fresh.num_batches_tracked.item() == 0
    from collections import OrderedDict
    sd2 = OrderedDict(sd)
    sd2._metadata = {"": {"version": 2}}
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "num_batches_tracked"'):
        nn.BatchNorm1d(3).load_state_dict(sd2)


def test_batchnorm_errors(torch_mod):
    for name, shape in [("BatchNorm1d", (2, 3, 4, 5)), ("BatchNorm2d", (2, 3)), ("InstanceNorm1d", (2, 3, 4, 5))]:
        em, tm = _both(torch_mod, name, 3)
        with pytest.raises(ValueError) as ee:
            em(ember.ones(*shape))
        with pytest.raises(ValueError) as te:
            tm(torch_mod.ones(*shape))
        assert str(ee.value) == str(te.value)
    with pytest.raises(ValueError, match="num_channels must be divisible by num_groups"):
        nn.GroupNorm(3, 4)


def test_embedding_module(torch_mod):
    for kw in [{}, {"padding_idx": 1}, {"padding_idx": -1, "max_norm": 1.0}, {"scale_grad_by_freq": True}]:
        em, tm = _both(torch_mod, "Embedding", 6, 3, **kw)
        assert repr(em) == repr(tm)
        copy_weights(em, tm)
        idx = np.array([[0, 1, 5], [1, 1, 3]])
        eo, to = em(ember.tensor(idx)), tm(torch_mod.tensor(idx))
        from nn_core_util import compare_forward_backward
        compare_forward_backward(eo, to, [em.weight], [tm.weight])
    sp = nn.Embedding(4, 2, sparse=True)
    assert repr(sp) == "Embedding(4, 2, sparse=True)"
    sp(ember.tensor([1, 1])).sum().backward()
    assert_close(sp.weight.grad[1], ember.full((2,), 2.0))
    e = nn.Embedding(4, 2, padding_idx=2)
    assert (e.weight[2] == 0).all()
    w = ember.randn(3, 2)
    f = nn.Embedding.from_pretrained(w)
    assert not f.weight.requires_grad and f(ember.tensor([1])).shape == (1, 2)
    assert nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
    with pytest.raises(AssertionError):
        nn.Embedding(3, 2, padding_idx=5)


def test_dropout_modules():
    for cls in (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout, nn.FeatureAlphaDropout):
        m = cls(0.5)
        shape = (2, 4, 3, 3, 3)[:{nn.Dropout1d: 3, nn.Dropout2d: 4}.get(cls, 5)]
        x = ember.randn(*shape)
        m.eval()
        assert m(x) is x
        m.train()
        y = m(x)
        assert y.shape == x.shape and not (y == x).all()
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got -0.1"):
        nn.Dropout(-0.1)


ACTS = [("ReLU", {}), ("ReLU", {"inplace": True}), ("ReLU6", {}), ("LeakyReLU", {"negative_slope": 0.2}),
        ("ELU", {"alpha": 0.5}), ("SELU", {}), ("CELU", {"alpha": 1.5}), ("GELU", {}),
        ("GELU", {"approximate": "tanh"}), ("SiLU", {}), ("Mish", {}), ("Sigmoid", {}), ("Tanh", {}),
        ("Hardtanh", {"min_val": -0.5, "max_val": 2.0}), ("Hardsigmoid", {}), ("Hardswish", {}),
        ("Softplus", {"beta": 2.0, "threshold": 5.0}), ("Softsign", {}), ("Softmax", {"dim": 1}),
        ("LogSoftmax", {"dim": -1}), ("Softmin", {"dim": 0}), ("Threshold", {"threshold": 0.1, "value": 2.0}),
        ("GLU", {}), ("Tanhshrink", {}), ("Softshrink", {"lambd": 0.3}), ("Hardshrink", {}),
        ("LogSigmoid", {}), ("Softmax2d", {}), ("SiLU", {"inplace": True})]


@pytest.mark.parametrize("name,kw", ACTS, ids=[f"{a[0]}{i}" for i, a in enumerate(ACTS)])
def test_activation_modules(torch_mod, name, kw):
    em, tm = _both(torch_mod, name, **kw)
    assert repr(em) == repr(tm)
    x = rnd(2, 4, 3, 2)
    e, t = pair(torch_mod, x)
    from nn_core_util import compare_forward_backward
    compare_forward_backward(em(e * 1.0), tm(t * 1.0), [e], [t])


def test_default_init_distributions():
    ember.manual_seed(0)
    lin = nn.Linear(400, 300)
    bound = 1 / 20.0
    assert float(lin.weight.abs().max()) <= bound and float(lin.weight.abs().max()) > 0.95 * bound
    assert abs(float(lin.weight.std()) - bound / np.sqrt(3)) < 0.002
    assert float(lin.bias.abs().max()) <= bound
    bil = nn.Bilinear(100, 5, 3)
    assert float(bil.weight.abs().max()) <= 0.1 and float(bil.weight.abs().max()) > 0.09
    emb = nn.Embedding(1000, 50)
    assert abs(float(emb.weight.std()) - 1) < 0.02
    assert (nn.LayerNorm(3).weight == 1).all() and (nn.BatchNorm1d(3).bias == 0).all()
    assert (nn.PReLU().weight == 0.25).all()


def test_lazy_linear(torch_mod):
    m = nn.LazyLinear(5)
    assert repr(m) == repr(torch_mod.nn.LazyLinear(5))
    y = m(ember.randn(2, 7))
    assert y.shape == (2, 5) and type(m) is nn.Linear and m.weight.shape == (5, 7)
    assert m.in_features == 7


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag(torch_mod, mode, padding_idx):
    from nn_core_util import compare_forward_backward
    em, tm = _both(torch_mod, "EmbeddingBag", 7, 3, mode=mode, padding_idx=padding_idx)
    assert repr(em) == repr(tm)
    copy_weights(em, tm)
    idx = np.array([1, 2, 4, 5, 4, 3, 2, 6, 0])
    offs = np.array([0, 2, 2, 6])          # includes an empty bag
    compare_forward_backward(em(ember.tensor(idx), ember.tensor(offs)),
                             tm(torch_mod.tensor(idx), torch_mod.tensor(offs)), [em.weight], [tm.weight])
    em.weight.grad = None
    tm.weight.grad = None
    idx2 = np.array([[1, 2, 4], [2, 2, 6]])
    compare_forward_backward(em(ember.tensor(idx2)), tm(torch_mod.tensor(idx2)), [em.weight], [tm.weight])
    if mode == "sum":
        em.weight.grad = None
        tm.weight.grad = None
        w, tw = pair(torch_mod, rnd(9))
        compare_forward_backward(em(ember.tensor(idx), ember.tensor(offs), per_sample_weights=w),
                                 tm(torch_mod.tensor(idx), torch_mod.tensor(offs), per_sample_weights=tw),
                                 [em.weight, w], [tm.weight, tw])


def test_distance_modules(torch_mod):
    from nn_core_util import compare_forward_backward
    for name, kw in [("CosineSimilarity", {"dim": 0}), ("PairwiseDistance", {"p": 1.0, "keepdim": True})]:
        em, tm = _both(torch_mod, name, **kw)
        assert repr(em) == repr(tm)
        a, ta = pair(torch_mod, rnd(4, 3))
        b, tb = pair(torch_mod, rnd(4, 3))
        compare_forward_backward(em(a, b), tm(ta, tb), [a, b], [ta, tb])
    x, tx = pair(torch_mod, rnd(5, 3))
    compare_forward_backward(nn.functional.pdist(x), torch_mod.nn.functional.pdist(tx), [x], [tx])


@pytest.mark.parametrize("name,shape", [("LazyBatchNorm1d", (4, 3)), ("LazyBatchNorm2d", (4, 3, 2, 2)),
                                        ("LazyInstanceNorm1d", (2, 3, 5))])
def test_lazy_norms(torch_mod, name, shape):
    em, tm = _both(torch_mod, name)
    assert repr(em) == repr(tm)
    x = rnd(*shape)
    y = em(ember.tensor(x))
    ty = tm(torch_mod.tensor(x))
    assert repr(em) == repr(tm) and type(em).__name__ == type(tm).__name__
    assert list(em.state_dict()) == list(tm.state_dict())
    assert_close(y, ty.detach(), atol=1e-5, rtol=1e-5)


def test_sync_batchnorm_and_data_parallel(torch_mod):
    m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    s = nn.SyncBatchNorm.convert_sync_batchnorm(m)
    assert type(s[1]) is nn.SyncBatchNorm and repr(s[1]) == repr(torch_mod.nn.SyncBatchNorm(3))
    x = ember.randn(4, 2)
    assert_close(s(x), m(x))
    dp = nn.DataParallel(nn.Linear(2, 2))
    assert list(dp.state_dict()) == ["module.weight", "module.bias"]
    assert repr(dp) == repr(torch_mod.nn.DataParallel(torch_mod.nn.Linear(2, 2)))
    assert_close(dp(x), dp.module(x))


def test_multilabel_margin_and_gumbel(torch_mod):
    from nn_core_util import compare_forward_backward
    t = np.array([[3, 0, -1, 1], [1, 2, 3, -1], [-1, 0, 0, 0]])
    for red in ("none", "mean", "sum"):
        x, tx = pair(torch_mod, rnd(3, 4))
        compare_forward_backward(nn.MultiLabelMarginLoss(reduction=red)(x, ember.tensor(t)),
                                 torch_mod.nn.MultiLabelMarginLoss(reduction=red)(tx, torch_mod.tensor(t)),
                                 [x], [tx])
    logits = ember.randn(200, 5, requires_grad=True)
    soft = nn.functional.gumbel_softmax(logits, tau=0.5)
    assert_close(soft.sum(-1), ember.ones(200))
    hard = nn.functional.gumbel_softmax(logits, hard=True)
    assert ((hard == 0) | (hard == 1)).all() and (hard.sum(-1) == 1).all()
    hard.sum().backward()
    assert logits.grad is not None
