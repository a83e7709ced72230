"""Attention and Transformer layers vs real PyTorch (same weights, float64, eval mode)."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck
from ember.testing import assert_close

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _to_e(t):
    return ember.tensor(t.detach().numpy())


def _pair(torch, ctor, *args, **kw):
    tm = getattr(torch.nn, ctor)(*args, **kw).double().eval()
    em = getattr(nn, ctor)(*args, **kw).double().eval()
    assert list(em.state_dict()) == list(tm.state_dict())
    em.load_state_dict({k: _to_e(v) for k, v in tm.state_dict().items()})
    return em, tm


def _inputs(torch, shapes, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes]
    return ([ember.tensor(a, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


def _check_backward(torch, eouts, touts, eins, tins, em, tm):
    rng = np.random.default_rng(5)
    eloss, tloss = 0, 0
    for e, t in zip(eouts, touts):
        if t is None:
            continue
        g = rng.standard_normal(tuple(t.shape))
        eloss = eloss + (e * ember.tensor(g)).sum()
        tloss = tloss + (t * torch.tensor(g)).sum()
    eloss.backward()
    tloss.backward()
    for e, t in zip(eins, tins):
        if t.grad is not None:
            assert_close(e.grad, _to_e(t.grad), atol=1e-9, rtol=1e-7)
    tp = dict(tm.named_parameters())
    for name, p in em.named_parameters():
        if tp[name].grad is None:
            assert p.grad is None or float(p.grad.abs().max()) == 0
        else:
            assert_close(p.grad, _to_e(tp[name].grad), atol=1e-9, rtol=1e-7)


@pytest.mark.parametrize("mask", [None, "causal", "bool", "float", "bool3d"])
@pytest.mark.parametrize("sdpa_kw", [{}, dict(scale=0.3)])
def test_sdpa_matches_torch(torch_mod, mask, sdpa_kw):
    (eq, ek, ev), (tq, tk, tv) = _inputs(torch_mod, [(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)])
    rng = np.random.default_rng(1)
    ekw, tkw = dict(sdpa_kw), dict(sdpa_kw)
    if mask == "causal":
        ekw["is_causal"] = tkw["is_causal"] = True
    elif mask == "bool":
        m = rng.random((4, 5)) > 0.3
        m[:, 0] = True
        ekw["attn_mask"], tkw["attn_mask"] = ember.tensor(m), torch_mod.tensor(m)
    elif mask == "bool3d":
        m = rng.random((3, 4, 5)) > 0.3
        m[..., 0] = True
        ekw["attn_mask"], tkw["attn_mask"] = ember.tensor(m), torch_mod.tensor(m)
    elif mask == "float":
        m = rng.standard_normal((4, 5))
        ekw["attn_mask"], tkw["attn_mask"] = ember.tensor(m), torch_mod.tensor(m)
    e = F.scaled_dot_product_attention(eq, ek, ev, **ekw)
    t = torch_mod.nn.functional.scaled_dot_product_attention(tq, tk, tv, **tkw)
    assert_close(e.detach(), _to_e(t))
    g = rng.standard_normal(tuple(t.shape))
    e.backward(ember.tensor(g))
    t.backward(torch_mod.tensor(g))
    for a, b in zip((eq, ek, ev), (tq, tk, tv)):
        assert_close(a.grad, _to_e(b.grad), atol=1e-10, rtol=1e-8)


def test_sdpa_gradcheck_and_dropout():
    rng = np.random.default_rng(0)
    q, k, v = (ember.tensor(rng.standard_normal(s), requires_grad=True)
               for s in [(1, 3, 2), (1, 4, 2), (1, 4, 3)])
    assert gradcheck(lambda a, b, c: F.scaled_dot_product_attention(a, b, c, is_causal=True),
                     (q, k, v))
    ember.manual_seed(0)
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    assert tuple(out.shape) == (1, 3, 3)
    with pytest.raises(RuntimeError):
        F.scaled_dot_product_attention(q, k, v, attn_mask=ember.ones(3, 4, dtype=ember.bool),
                                       is_causal=True)


MHA_CASES = [
    (dict(), dict()),
    (dict(batch_first=True), dict()),
    (dict(), dict(need_weights=False)),
    (dict(), dict(average_attn_weights=False)),
    (dict(bias=False), dict(attn_mask="bool")),
    (dict(), dict(attn_mask="float", key_padding_mask="bool")),
    (dict(), dict(attn_mask="causal", is_causal=True)),
    (dict(kdim=5, vdim=3), dict(key_padding_mask="float")),
    (dict(add_bias_kv=True), dict(attn_mask="bool", key_padding_mask="bool")),
    (dict(add_zero_attn=True), dict(attn_mask="float")),
    (dict(add_bias_kv=True, add_zero_attn=True, kdim=5, vdim=3), dict()),
]


@pytest.mark.parametrize("ctor_kw,call_kw", MHA_CASES)
def test_multihead_attention_matches_torch(torch_mod, ctor_kw, call_kw):
    em, tm = _pair(torch_mod, "MultiheadAttention", 8, 2, **ctor_kw)
    L, S, N = 4, 5, 3
    kd, vd = ctor_kw.get("kdim", 8), ctor_kw.get("vdim", 8)
    bf = ctor_kw.get("batch_first", False)
    shp = (lambda a, b, c: (b, a, c)) if bf else (lambda a, b, c: (a, b, c))
    eins, tins = _inputs(torch_mod, [shp(L, N, 8), shp(S, N, kd), shp(S, N, vd)])
    rng = np.random.default_rng(2)
    ekw, tkw = {}, {}
    for key in ("need_weights", "average_attn_weights", "is_causal"):
        if key in call_kw:
            ekw[key] = tkw[key] = call_kw[key]
    am = call_kw.get("attn_mask")
    if am == "bool":
        m = rng.random((L, S)) > 0.7
        m[:, 0] = False
    elif am == "float":
        m = rng.standard_normal((L, S))
    elif am == "causal":
        S = L
        eins, tins = _inputs(torch_mod, [(L, N, 8), (L, N, 8), (L, N, 8)])
        m = np.triu(np.ones((L, L), dtype=bool), 1)
    if am is not None:
        ekw["attn_mask"], tkw["attn_mask"] = ember.tensor(m), torch_mod.tensor(m)
    kpm = call_kw.get("key_padding_mask")
    if kpm == "bool":
        p = np.zeros((N, S), dtype=bool)
        p[0, -2:] = True
        ekw["key_padding_mask"], tkw["key_padding_mask"] = ember.tensor(p), torch_mod.tensor(p)
    elif kpm == "float":
        p = rng.standard_normal((N, S))
        ekw["key_padding_mask"], tkw["key_padding_mask"] = ember.tensor(p), torch_mod.tensor(p)
    eo, ew = em(*eins, **ekw)
    to, tw = tm(*tins, **tkw)
    assert_close(eo.detach(), _to_e(to), atol=1e-10, rtol=1e-8)
    if tw is None:
        assert ew is None
    else:
        assert_close(ew.detach(), _to_e(tw), atol=1e-10, rtol=1e-8)
    _check_backward(torch_mod, [eo, ew], [to, tw], eins, tins, em, tm)


def test_mha_self_attention_unbatched(torch_mod):
    em, tm = _pair(torch_mod, "MultiheadAttention", 6, 3)
    (ex,), (tx,) = _inputs(torch_mod, [(4, 6)])
    eo, ew = em(ex, ex, ex)
    to, tw = tm(tx, tx, tx)
    assert tuple(eo.shape) == (4, 6) and tuple(ew.shape) == (4, 4)
    assert_close(eo.detach(), _to_e(to), atol=1e-10, rtol=1e-8)
    _check_backward(torch_mod, [eo, ew], [to, tw], [ex], [tx], em, tm)


def test_mha_errors():
    with pytest.raises(AssertionError, match="divisible"):
        nn.MultiheadAttention(8, 3)
    m = nn.MultiheadAttention(8, 2)
    x = ember.randn(4, 2, 8)
    with pytest.raises(AssertionError, match="expecting embedding dimension of 8, but got 6"):
        m(ember.randn(4, 2, 6), ember.randn(4, 2, 6), ember.randn(4, 2, 6))
    with pytest.raises(RuntimeError, match=r"The shape of the 2D attn_mask is .*\[3, 4\].*"
                                           r"should be \(4, 4\)"):
        m(x, x, x, attn_mask=ember.ones(3, 4))
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        m(x, x, x, is_causal=True)
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")


def test_mha_default_init():
    m = nn.MultiheadAttention(16, 4, add_bias_kv=True)
    bound = (6 / (16 + 48)) ** 0.5
    assert float(m.in_proj_weight.abs().max()) <= bound
    assert float(m.in_proj_bias.abs().max()) == 0 and float(m.out_proj.bias.abs().max()) == 0
    assert tuple(m.bias_k.shape) == (1, 1, 16)


@pytest.mark.parametrize("kw", [dict(), dict(norm_first=True, activation="gelu"),
                                dict(batch_first=True, activation=F.gelu)])
def test_encoder_matches_torch(torch_mod, kw):
    tl = torch_mod.nn.TransformerEncoderLayer(8, 2, 16, **{**kw, "activation": "gelu"}
                                              if callable(kw.get("activation")) else kw)
    tm = torch_mod.nn.TransformerEncoder(tl, 2, norm=torch_mod.nn.LayerNorm(8),
                                         enable_nested_tensor=False).double().eval()
    em = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, **kw), 2,
                               norm=nn.LayerNorm(8)).double().eval()
    assert list(em.state_dict()) == list(tm.state_dict())
    em.load_state_dict({k: _to_e(v) for k, v in tm.state_dict().items()})
    (ex,), (tx,) = _inputs(torch_mod, [(3, 4, 8)])
    mask = np.triu(np.full((4, 4) if kw.get("batch_first") else (3, 3), -np.inf), 1)
    kpm = np.zeros((3, 4) if kw.get("batch_first") else (4, 3), dtype=bool)
    kpm[0, -1] = True
    eo = em(ex, mask=ember.tensor(mask), src_key_padding_mask=ember.tensor(kpm))
    to = tm(tx, mask=torch_mod.tensor(mask), src_key_padding_mask=torch_mod.tensor(kpm))
    assert_close(eo.detach(), _to_e(to), atol=1e-9, rtol=1e-7)
    _check_backward(torch_mod, [eo], [to], [ex], [tx], em, tm)


@pytest.mark.parametrize("kw", [dict(), dict(norm_first=True, batch_first=True)])
def test_full_transformer_matches_torch(torch_mod, kw):
    em, tm = _pair(torch_mod, "Transformer", 8, 2, 2, 1, 16, **kw)
    S, T, N = 5, 4, 2
    bf = kw.get("batch_first")
    (es, et), (ts, tt) = _inputs(torch_mod, [(N, S, 8) if bf else (S, N, 8),
                                             (N, T, 8) if bf else (T, N, 8)])
    mask = nn.Transformer.generate_square_subsequent_mask(T, dtype=ember.float64)
    tmask = torch_mod.nn.Transformer.generate_square_subsequent_mask(T, dtype=torch_mod.float64)
    assert_close(mask, _to_e(tmask))
    eo = em(es, et, tgt_mask=mask)
    to = tm(ts, tt, tgt_mask=tmask)
    assert_close(eo.detach(), _to_e(to), atol=1e-9, rtol=1e-7)
    _check_backward(torch_mod, [eo], [to], [es, et], [ts, tt], em, tm)


def test_small_transformer_learns_to_copy():
    """A 1-layer encoder learns to output its input token (dropout on, train mode)."""
    ember.manual_seed(0)
    V, D = 8, 16
    emb = nn.Embedding(V, D)
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(D, 2, 32, dropout=0.1,
                                                           batch_first=True), 1)
    head = nn.Linear(D, V)
    params = list(emb.parameters()) + list(enc.parameters()) + list(head.parameters())
    opt = ember.optim.Adam(params, lr=3e-3)
    rng = np.random.default_rng(0)
    for _ in range(120):
        x = ember.tensor(rng.integers(0, V, (16, 6)))
        logits = head(enc(emb(x)))
        loss = F.cross_entropy(logits.reshape(-1, V), x.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    enc.eval()
    x = ember.tensor(rng.integers(0, V, (32, 6)))
    with ember.no_grad():
        acc = (head(enc(emb(x))).argmax(-1) == x).float().mean().item()
    assert acc > 0.9, acc
