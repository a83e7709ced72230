"""Loss functions (functional and modules) vs real torch: values and gradients, all
reductions, weights, ignore_index, label smoothing, K-dim inputs; gradcheck; error types."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck
from ember.testing import assert_close
from nn_core_util import rnd, pair, compare_forward_backward

RED = ["none", "mean", "sum"]


def _probs(*shape):
    return rnd(*shape, low=0.05, high=0.95)


def _cases():
    # name, functional-args builder -> list of arrays (float arrays get grads), kwargs
    yield "mse_loss", lambda: [rnd(3, 4), rnd(3, 4)], {}
    yield "l1_loss", lambda: [rnd(3, 4), rnd(3, 4)], {}
    yield "smooth_l1_loss", lambda: [rnd(3, 4), rnd(3, 4)], {"beta": 0.5}
    yield "smooth_l1_loss", lambda: [rnd(3, 4), rnd(3, 4)], {"beta": 0.0}
    yield "huber_loss", lambda: [rnd(3, 4), rnd(3, 4)], {"delta": 0.7}
    yield "mse_loss", lambda: [rnd(3, 4), rnd(3, 4)], {"weight": _probs(3, 4)}
    yield "l1_loss", lambda: [rnd(3, 4), rnd(3, 4)], {"weight": _probs(3, 4)}
    yield "huber_loss", lambda: [rnd(3, 4), rnd(3, 4)], {"weight": _probs(3, 4)}
    yield "binary_cross_entropy", lambda: [_probs(3, 4), _probs(3, 4)], {}
    yield "binary_cross_entropy", lambda: [_probs(3, 4), _probs(3, 4)], {"weight": _probs(4)}
    yield "binary_cross_entropy_with_logits", lambda: [rnd(3, 4), _probs(3, 4)], {}
    yield "binary_cross_entropy_with_logits", lambda: [rnd(3, 4), _probs(3, 4)], \
        {"pos_weight": _probs(4) * 3, "weight": _probs(3, 4)}
    yield "kl_div", lambda: [np.log(_probs(3, 4)), _probs(3, 4)], {}
    yield "kl_div", lambda: [np.log(_probs(3, 4)), np.log(_probs(3, 4))], {"log_target": True}
    yield "poisson_nll_loss", lambda: [rnd(3, 4), _probs(3, 4) * 4], {}
    yield "poisson_nll_loss", lambda: [_probs(3, 4), _probs(3, 4) * 4], {"log_input": False, "full": True}
    yield "gaussian_nll_loss", lambda: [rnd(3, 4), rnd(3, 4), _probs(3, 4)], {}
    yield "gaussian_nll_loss", lambda: [rnd(3, 4), rnd(3, 4), _probs(3)], {"full": True}
    yield "soft_margin_loss", lambda: [rnd(3, 4), np.sign(rnd(3, 4))], {}
    yield "multilabel_soft_margin_loss", lambda: [rnd(3, 4), (rnd(3, 4) > 0).astype(np.float32)], {}
    yield "hinge_embedding_loss", lambda: [rnd(3, 4), np.sign(rnd(3, 4))], {"margin": 0.5}
    yield "margin_ranking_loss", lambda: [rnd(5), rnd(5), np.sign(rnd(5))], {"margin": 0.2}
    yield "cosine_embedding_loss", lambda: [rnd(5, 3), rnd(5, 3), np.sign(rnd(5))], {"margin": 0.1}
    yield "triplet_margin_loss", lambda: [rnd(5, 3), rnd(5, 3), rnd(5, 3)], {}
    yield "triplet_margin_loss", lambda: [rnd(5, 3), rnd(5, 3), rnd(5, 3)], {"p": 1, "swap": True, "margin": 2.0}
    yield "multi_margin_loss", lambda: [rnd(5, 4), np.array([0, 3, 1, 1, 2])], {}
    yield "multi_margin_loss", lambda: [rnd(5, 4), np.array([0, 3, 1, 1, 2])], \
        {"p": 2, "margin": 0.5, "weight": _probs(4)}


CASES = list(_cases())


def _run(torch, name, arrays, kw, reduction):
    no_target_grad = {"soft_margin_loss", "multilabel_soft_margin_loss", "hinge_embedding_loss",
                      "multi_margin_loss"}
    all_grad = {"gaussian_nll_loss", "triplet_margin_loss"}
    ins = [pair(torch, a, grad=i == 0 or name in all_grad or (i == 1 and name not in no_target_grad))
           for i, a in enumerate(arrays)]
    ekw = {k: ember.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    eo = getattr(F, name)(*[e for e, _ in ins], reduction=reduction, **ekw)
    to = getattr(torch.nn.functional, name)(*[t for _, t in ins], reduction=reduction, **tkw)
    compare_forward_backward(eo, to, [e for e, _ in ins], [t for _, t in ins], rtol=1e-5, atol=1e-5)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("idx", range(len(CASES)), ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_loss_matches_torch(torch_mod, idx, reduction):
    name, build, kw = CASES[idx]
    _run(torch_mod, name, build(), kw, reduction)


def test_kl_div_batchmean(torch_mod):
    _run(torch_mod, "kl_div", [np.log(_probs(3, 4)), _probs(3, 4)], {}, "batchmean")


CE_CASES = [
    ((5, 4), {}),
    ((5, 4), {"weight": True}),
    ((5, 4), {"ignore_index": 1}),
    ((5, 4), {"ignore_index": 1, "weight": True}),
    ((5, 4), {"label_smoothing": 0.2}),
    ((5, 4), {"label_smoothing": 0.2, "weight": True, "ignore_index": 2}),
    ((2, 4, 3, 2), {}),
    ((2, 4, 3), {"weight": True, "ignore_index": 0, "label_smoothing": 0.1}),
    ((4,), {}),
]


@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("shape,kw", CE_CASES, ids=[str(i) for i in range(len(CE_CASES))])
def test_cross_entropy_nll_indices(torch_mod, fn, shape, kw, reduction):
    if fn == "nll_loss" and "label_smoothing" in kw:
        pytest.skip("nll_loss has no label_smoothing")
    c = shape[1] if len(shape) > 1 else shape[0]
    tshape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
    target = np.random.default_rng(3).integers(0, c, size=tshape)
    if "ignore_index" in kw and target.size > 1:
        target.flat[1] = kw["ignore_index"]
    x = rnd(*shape)
    if fn == "nll_loss":
        x = x - np.log(np.exp(x).sum(axis=1 if len(shape) > 1 else 0, keepdims=True))
    e, t = pair(torch_mod, x)
    ekw, tkw = dict(kw), dict(kw)
    if kw.get("weight"):
        w = rnd(c, low=0.1, high=2.0)
        ekw["weight"], tkw["weight"] = ember.tensor(w), torch_mod.tensor(w)
    eo = getattr(F, fn)(e, ember.tensor(target), reduction=reduction, **ekw)
    to = getattr(torch_mod.nn.functional, fn)(t, torch_mod.tensor(target), reduction=reduction, **tkw)
    compare_forward_backward(eo, to, [e], [t])


@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("ls", [0.0, 0.3])
def test_cross_entropy_probabilities(torch_mod, reduction, ls):
    for shape in [(5, 4), (2, 4, 3)]:
        x, tx = pair(torch_mod, rnd(*shape))
        p = np.exp(rnd(*shape))
        p /= p.sum(1, keepdims=True)
        w = rnd(shape[1], low=0.1, high=2)
        eo = F.cross_entropy(x, ember.tensor(p), weight=ember.tensor(w), reduction=reduction,
                             label_smoothing=ls)
        to = torch_mod.nn.functional.cross_entropy(tx, torch_mod.tensor(p), weight=torch_mod.tensor(w),
                                                    reduction=reduction, label_smoothing=ls)
        compare_forward_backward(eo, to, [x], [tx])


def test_cross_entropy_gradcheck_and_double_backward():
    from ember.autograd import gradgradcheck
    x = ember.randn(4, 3, dtype=ember.float64, requires_grad=True)
    t = ember.tensor([0, 2, 1, 2])
    w = ember.tensor([0.5, 1.0, 2.0], dtype=ember.float64)
    for red in RED:
        assert gradcheck(lambda a: F.cross_entropy(a, t, weight=w, reduction=red, ignore_index=1), (x,))
        assert gradgradcheck(lambda a: F.cross_entropy(a, t, reduction=red), (x,))
    assert gradcheck(lambda a: F.cross_entropy(a, t, label_smoothing=0.2), (x,))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
                                  "binary_cross_entropy_with_logits", "soft_margin_loss",
                                  "multilabel_soft_margin_loss"])
def test_loss_gradcheck(name):
    a = ember.tensor(rnd(3, 4).astype(np.float64) + 0.01, requires_grad=True)
    b = ember.tensor(np.random.default_rng(0).uniform(0.1, 0.9, (3, 4)), requires_grad=False)
    assert gradcheck(lambda x: getattr(F, name)(x, b), (a,))


def test_loss_errors(torch_mod):
    cases = [
        lambda m: m.nn.functional.cross_entropy(m.ones(2, 3), m.tensor([0, 3])),
        lambda m: m.nn.functional.cross_entropy(m.ones(2, 3), m.tensor([0, 1, 1])),
        lambda m: m.nn.functional.nll_loss(m.ones(2, 3), m.tensor([0, -2])),
        lambda m: m.nn.functional.binary_cross_entropy(m.ones(2, 3), m.ones(3, 2)),
        lambda m: m.nn.functional.binary_cross_entropy(m.ones(2) * 2, m.ones(2)),
        lambda m: m.nn.functional.mse_loss(m.ones(2), m.ones(2), reduction="bad"),
        lambda m: m.nn.functional.binary_cross_entropy_with_logits(m.ones(2, 3), m.ones(3)),
        lambda m: m.nn.functional.cross_entropy(m.ones(2, 3), m.tensor([0, 1], dtype=m.int32)),
        lambda m: m.nn.functional.cross_entropy(m.ones(2, 3), m.tensor([0.0, 1.0])),
        lambda m: m.nn.functional.nll_loss(m.ones(2, 3), m.tensor([True, False])),
        lambda m: m.nn.functional.mse_loss(m.ones(2, 3), m.ones(2, 3), weight=m.ones(3)),
    ]
    for fn in cases:
        with pytest.raises(Exception) as te:
            fn(torch_mod)
        with pytest.raises(Exception) as ee:
            fn(ember)
        assert type(ee.value) is type(te.value), (ee.value, te.value)
        assert str(ee.value) == str(te.value)


def test_mse_warns_on_broadcast():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(ember.ones(2, 3), ember.ones(3))


MODULE_CASES = [
    ("MSELoss", {}, lambda: [rnd(3, 4), rnd(3, 4)]),
    ("L1Loss", {"reduction": "sum"}, lambda: [rnd(3, 4), rnd(3, 4)]),
    ("SmoothL1Loss", {"beta": 0.3}, lambda: [rnd(3, 4), rnd(3, 4)]),
    ("HuberLoss", {"delta": 2.0}, lambda: [rnd(3, 4), rnd(3, 4)]),
    ("BCELoss", {}, lambda: [_probs(3, 4), _probs(3, 4)]),
    ("BCEWithLogitsLoss", {"pos_weight": np.full(4, 2.0, np.float32)}, lambda: [rnd(3, 4), _probs(3, 4)]),
    ("KLDivLoss", {"reduction": "batchmean"}, lambda: [np.log(_probs(3, 4)), _probs(3, 4)]),
    ("SoftMarginLoss", {}, lambda: [rnd(3, 4), np.sign(rnd(3, 4))]),
    ("PoissonNLLLoss", {}, lambda: [rnd(3, 4), _probs(3, 4)]),
    ("GaussianNLLLoss", {}, lambda: [rnd(3, 4), rnd(3, 4), _probs(3, 4)]),
    ("HingeEmbeddingLoss", {}, lambda: [rnd(3, 4), np.sign(rnd(3, 4))]),
    ("MultiLabelSoftMarginLoss", {}, lambda: [rnd(3, 4), (rnd(3, 4) > 0).astype(np.float32)]),
    ("CosineEmbeddingLoss", {}, lambda: [rnd(5, 3), rnd(5, 3), np.sign(rnd(5))]),
    ("MarginRankingLoss", {"margin": 0.5}, lambda: [rnd(5), rnd(5), np.sign(rnd(5))]),
    ("TripletMarginLoss", {"margin": 0.5}, lambda: [rnd(5, 3), rnd(5, 3), rnd(5, 3)]),
    ("MultiMarginLoss", {"p": 2}, lambda: [rnd(5, 4), np.array([0, 3, 1, 1, 2])]),
]


@pytest.mark.parametrize("name,kw,build", MODULE_CASES, ids=[c[0] for c in MODULE_CASES])
def test_loss_modules(torch_mod, name, kw, build):
    ekw = {k: ember.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    tkw = {k: torch_mod.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    em, tm = getattr(nn, name)(**ekw), getattr(torch_mod.nn, name)(**tkw)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    ins = [pair(torch_mod, a, grad=i == 0) for i, a in enumerate(build())]
    compare_forward_backward(em(*[e for e, _ in ins]), tm(*[t for _, t in ins]),
                             [ins[0][0]], [ins[0][1]], atol=1e-5)


def test_cross_entropy_module(torch_mod):
    w = rnd(4, low=0.1, high=1)
    em = nn.CrossEntropyLoss(weight=ember.tensor(w), ignore_index=2, label_smoothing=0.1)
    tm = torch_mod.nn.CrossEntropyLoss(weight=torch_mod.tensor(w), ignore_index=2, label_smoothing=0.1)
    assert list(em.state_dict()) == list(tm.state_dict()) == ["weight"]
    x, tx = pair(torch_mod, rnd(6, 4))
    tgt = np.array([0, 1, 2, 3, 2, 1])
    compare_forward_backward(em(x, ember.tensor(tgt)), tm(tx, torch_mod.tensor(tgt)), [x], [tx])
    em2, tm2 = nn.NLLLoss(reduction="sum"), torch_mod.nn.NLLLoss(reduction="sum")
    x, tx = pair(torch_mod, rnd(6, 4))
    compare_forward_backward(em2(x, ember.tensor(tgt)), tm2(tx, torch_mod.tensor(tgt)), [x], [tx])
    # legacy flags
    assert nn.MSELoss(size_average=False).reduction == "sum"
    assert nn.MSELoss(reduce=False).reduction == "none"


@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ctc_loss_matches_torch(torch_mod, reduction, zero_infinity, dtype):
    rng = np.random.default_rng(0)
    t_, n, c, s = 12, 4, 6, 5
    x = rng.standard_normal((t_, n, c))
    lp = (x - np.log(np.exp(x).sum(-1, keepdims=True))).astype(dtype)
    tg = rng.integers(1, c, (n, s))
    tg[1, 1] = tg[1, 0]                                   # a repeated label needs a blank
    il = np.array([12, 10, 7, 3])                          # the last one is impossible
    tl = np.array([5, 3, 0, 4])
    for targets in (tg, np.concatenate([tg[i, :tl[i]] for i in range(n)])):
        a, b = pair(torch_mod, lp)
        le = F.ctc_loss(a, ember.tensor(targets), ember.tensor(il), ember.tensor(tl),
                        reduction=reduction, zero_infinity=zero_infinity)
        lt = torch_mod.nn.functional.ctc_loss(b, torch_mod.tensor(targets), torch_mod.tensor(il),
                                              torch_mod.tensor(tl), reduction=reduction,
                                              zero_infinity=zero_infinity)
        assert_close(le.detach(), lt.detach(), rtol=1e-5, atol=1e-5, equal_nan=True)
        if zero_infinity or reduction == "none":
            w = rng.standard_normal(tuple(lt.shape)).astype(dtype)
            (le * ember.tensor(w)).sum().backward() if not np.isinf(le.detach().numpy()).any() else None
            if a.grad is not None:
                (lt * torch_mod.tensor(w)).sum().backward()
                assert_close(a.grad, b.grad, rtol=1e-4, atol=1e-5)
    m = nn.CTCLoss(blank=0, reduction=reduction, zero_infinity=zero_infinity)
    assert repr(m) == repr(torch_mod.nn.CTCLoss())


FUSED = [("mse_loss", {}), ("smooth_l1_loss", {"beta": 0.7}), ("huber_loss", {"delta": 0.6}),
         ("binary_cross_entropy_with_logits", {}),
         ("binary_cross_entropy_with_logits", {"pos_weight": "pw", "weight": "w"}),
         ("mse_loss", {"weight": "w"}), ("huber_loss", {"weight": "w"})]


@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("name,kw", FUSED, ids=[f"{n}{i}" for i, (n, _) in enumerate(FUSED)])
def test_fused_losses_constant_target(torch_mod, name, kw, reduction):
    """The fused path (target without grad): values, input grads and double backward."""
    from ember.autograd import gradgradcheck
    x = rnd(5, 4)
    tgt = _probs(5, 4) if "logits" in name else rnd(5, 4)
    consts = {"pw": _probs(4) * 3, "w": _probs(5, 4)}
    e, t = pair(torch_mod, x)
    ekw = {k: ember.tensor(consts[v]) if isinstance(v, str) else v for k, v in kw.items()}
    tkw = {k: torch_mod.tensor(consts[v]) if isinstance(v, str) else v for k, v in kw.items()}
    eo = getattr(F, name)(e, ember.tensor(tgt), reduction=reduction, **ekw)
    to = getattr(torch_mod.nn.functional, name)(t, torch_mod.tensor(tgt), reduction=reduction, **tkw)
    compare_forward_backward(eo, to, [e], [t], atol=1e-5)
    x64 = ember.tensor(x.astype(np.float64), requires_grad=True)
    t64 = ember.tensor(tgt.astype(np.float64))
    kw64 = {k: v.double() for k, v in ekw.items() if isinstance(v, ember.Tensor)}
    kw64.update({k: v for k, v in ekw.items() if not isinstance(v, ember.Tensor)})
    fn = lambda a: getattr(F, name)(a, t64, reduction=reduction, **kw64)  # noqa: E731
    assert gradcheck(fn, (x64,))
    if "smooth_l1" not in name and "huber" not in name:
        assert gradgradcheck(fn, (x64,))


def test_ctc_double_backward_raises_like_torch():
    x = np.random.default_rng(1).standard_normal((8, 2, 5))
    a = ember.tensor(x - np.log(np.exp(x).sum(-1, keepdims=True)), requires_grad=True)
    loss = F.ctc_loss(a, ember.tensor([[1, 2], [3, 3]]), ember.tensor([8, 8]), ember.tensor([2, 2]))
    (g,) = ember.autograd.grad(loss, a, create_graph=True)
    assert g.requires_grad
    with pytest.raises(RuntimeError, match="derivative for '_ctc_loss_backward' is not implemented"):
        g.sum().backward()
