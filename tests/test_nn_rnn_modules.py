"""RNN/LSTM/GRU layers and cells vs real PyTorch; packed sequences; gradchecks; errors."""
import math

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.autograd import gradcheck, gradgradcheck
from ember.nn.utils import rnn as eutils
from ember.ops.rnn import RNNSeq
from ember.testing import assert_close


def _to_e(t):
    return ember.tensor(t.detach().numpy())


def _pair(torch, name, *args, **kw):
    tm = getattr(torch.nn, name)(*args, **kw).double()
    em = getattr(nn, name)(*args, **kw).double()
    assert list(em.state_dict()) == list(tm.state_dict())
    for (k, a), b in zip(em.state_dict().items(), tm.state_dict().values()):
        assert tuple(a.shape) == tuple(b.shape), k
    em.load_state_dict({k: _to_e(v) for k, v in tm.state_dict().items()})
    return em, tm


def _flat(out):
    if isinstance(out, tuple):
        res = []
        for o in out:
            res.extend(_flat(o))
        return res
    return [out]


def _compare(torch, em, tm, eargs, targs, eins, tins):
    eo = _flat(em(*eargs))
    to = _flat(tm(*targs))
    rng = np.random.default_rng(7)
    eloss = tloss = 0
    for e, t in zip(eo, to):
        assert tuple(e.shape) == tuple(t.shape)
        assert_close(e.detach(), _to_e(t), atol=1e-10, rtol=1e-8)
        g = rng.standard_normal(tuple(t.shape))
        eloss = eloss + (e * ember.tensor(g)).sum()
        tloss = tloss + (t * torch.tensor(g)).sum()
    eloss.backward()
    tloss.backward()
    for e, t in zip(eins, tins):
        assert_close(e.grad, _to_e(t.grad), atol=1e-10, rtol=1e-8)
    tp = dict(tm.named_parameters())
    for name, p in em.named_parameters():
        assert_close(p.grad, _to_e(tp[name].grad), atol=1e-10, rtol=1e-8)


def _t(torch, arr):
    return ember.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)


LAYER_CASES = [
    ("RNN", dict()),
    ("RNN", dict(nonlinearity="relu", num_layers=2, bias=False)),
    ("RNN", dict(bidirectional=True, batch_first=True)),
    ("LSTM", dict()),
    ("LSTM", dict(num_layers=2, bidirectional=True)),
    ("LSTM", dict(batch_first=True, bias=False)),
    ("LSTM", dict(proj_size=2, num_layers=2, bidirectional=True)),
    ("GRU", dict()),
    ("GRU", dict(num_layers=2, bidirectional=True, batch_first=True)),
    ("GRU", dict(bias=False)),
]


@pytest.mark.parametrize("name,kw", LAYER_CASES)
@pytest.mark.parametrize("with_hx", [False, True])
def test_layers_match_torch(torch_mod, name, kw, with_hx):
    em, tm = _pair(torch_mod, name, 3, 4, **kw)
    rng = np.random.default_rng(0)
    T, B = 5, 2
    shape = (B, T, 3) if kw.get("batch_first") else (T, B, 3)
    ex, tx = _t(torch_mod, rng.standard_normal(shape))
    eins, tins = [ex], [tx]
    eargs, targs = [ex], [tx]
    if with_hx:
        L = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
        hsz = kw.get("proj_size") or 4
        eh, th = _t(torch_mod, rng.standard_normal((L, B, hsz)))
        eins.append(eh)
        tins.append(th)
        if name == "LSTM":
            ec, tc = _t(torch_mod, rng.standard_normal((L, B, 4)))
            eins.append(ec)
            tins.append(tc)
            eargs.append((eh, ec))
            targs.append((th, tc))
        else:
            eargs.append(eh)
            targs.append(th)
    _compare(torch_mod, em, tm, eargs, targs, eins, tins)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_unbatched_input(torch_mod, name):
    em, tm = _pair(torch_mod, name, 3, 4, bidirectional=True)
    ex, tx = _t(torch_mod, np.random.default_rng(1).standard_normal((5, 3)))
    _compare(torch_mod, em, tm, [ex], [tx], [ex], [tx])


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_sequences(torch_mod, name, enforce_sorted):
    from torch.nn.utils import rnn as tutils
    em, tm = _pair(torch_mod, name, 3, 4, num_layers=2, bidirectional=True)
    lens = [5, 3, 2] if enforce_sorted else [3, 5, 2]
    rng = np.random.default_rng(2)
    ex, tx = _t(torch_mod, rng.standard_normal((5, 3, 3)))
    eh, th = _t(torch_mod, rng.standard_normal((4, 3, 4)))
    ep = eutils.pack_padded_sequence(ex, lens, enforce_sorted=enforce_sorted)
    tp = tutils.pack_padded_sequence(tx, lens, enforce_sorted=enforce_sorted)
    np.testing.assert_array_equal(ep.batch_sizes.numpy(), tp.batch_sizes.numpy())
    assert_close(ep.data.detach(), _to_e(tp.data))
    ehx = (eh, eh * 0.5) if name == "LSTM" else eh
    thx = (th, th * 0.5) if name == "LSTM" else th
    eo, ehn = em(ep, ehx)
    to, thn = tm(tp, thx)
    epad, elen = eutils.pad_packed_sequence(eo, batch_first=True)
    tpad, tlen = tutils.pad_packed_sequence(to, batch_first=True)
    np.testing.assert_array_equal(elen.numpy(), tlen.numpy())
    outs = [(epad, tpad)] + list(zip(_flat(ehn), _flat(thn)))
    eloss = tloss = 0
    for e, t in outs:
        assert_close(e.detach(), _to_e(t), atol=1e-10, rtol=1e-8)
        eloss = eloss + (e * e).sum()
        tloss = tloss + (t * t).sum()
    eloss.backward()
    tloss.backward()
    assert_close(ex.grad, _to_e(tx.grad), atol=1e-10, rtol=1e-8)
    assert_close(eh.grad, _to_e(th.grad), atol=1e-10, rtol=1e-8)


def test_pack_pad_utilities(torch_mod):
    from torch.nn.utils import rnn as tutils
    rng = np.random.default_rng(3)
    seqs = [rng.standard_normal((n, 2)) for n in (2, 4, 1)]
    es = [ember.tensor(s) for s in seqs]
    ts = [torch_mod.tensor(s) for s in seqs]
    for kw in (dict(), dict(batch_first=True, padding_value=-1.0),
               dict(batch_first=True, padding_side="left")):
        assert_close(eutils.pad_sequence(es, **kw), _to_e(tutils.pad_sequence(ts, **kw)))
    ep = eutils.pack_sequence(es, enforce_sorted=False)
    tp = tutils.pack_sequence(ts, enforce_sorted=False)
    assert_close(ep.data, _to_e(tp.data))
    np.testing.assert_array_equal(ep.sorted_indices.numpy(), tp.sorted_indices.numpy())
    np.testing.assert_array_equal(ep.unsorted_indices.numpy(), tp.unsorted_indices.numpy())
    padded, lens = eutils.pad_packed_sequence(ep, total_length=6)
    tpadded, tlens = tutils.pad_packed_sequence(tp, total_length=6)
    assert_close(padded, _to_e(tpadded))
    assert lens.dtype == ember.int64 and lens.tolist() == tlens.tolist()
    for a, b in zip(eutils.unpack_sequence(ep), seqs):
        assert_close(a, ember.tensor(b))
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        eutils.pack_sequence(es)
    with pytest.raises(RuntimeError, match="has to be greater than 0"):
        eutils.pack_padded_sequence(ember.zeros(3, 2, 2), [3, 0], enforce_sorted=False)
    with pytest.raises(RuntimeError, match=r"Expected `len\(lengths\)` to be equal to "
                                           r"batch_size, but got 1 \(batch_size=2\)"):
        eutils.pack_padded_sequence(ember.zeros(3, 2, 2), [3])


@pytest.mark.parametrize("name,kw", [("RNNCell", dict()), ("RNNCell", dict(nonlinearity="relu")),
                                     ("LSTMCell", dict()), ("GRUCell", dict()),
                                     ("GRUCell", dict(bias=False))])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(torch_mod, name, kw, batched):
    em, tm = _pair(torch_mod, name, 3, 4, **kw)
    rng = np.random.default_rng(4)
    ex, tx = _t(torch_mod, rng.standard_normal((2, 3) if batched else (3,)))
    eh, th = _t(torch_mod, rng.standard_normal((2, 4) if batched else (4,)))
    if name == "LSTMCell":
        ec, tc = _t(torch_mod, rng.standard_normal((2, 4) if batched else (4,)))
        _compare(torch_mod, em, tm, [ex, (eh, ec)], [tx, (th, tc)], [ex, eh, ec], [tx, th, tc])
    else:
        _compare(torch_mod, em, tm, [ex, eh], [tx, th], [ex, eh], [tx, th])
    assert repr(em) == repr(tm)


@pytest.mark.parametrize("mode,gates", [("LSTM", 4), ("GRU", 3), ("RNN_TANH", 1),
                                        ("RNN_RELU", 1)])
@pytest.mark.parametrize("reverse", [False, True])
def test_fused_recurrence_gradcheck(mode, gates, reverse):
    rng = np.random.default_rng(0)
    H = 2

    def t(*shape):
        return ember.tensor(rng.standard_normal(shape) + (0.5 if mode == "RNN_RELU" else 0),
                            requires_grad=True)
    xw, h0, w = t(3, 2, gates * H), t(2, H), t(gates * H, H)
    c0 = t(2, H) if mode == "LSTM" else None
    b = t(gates * H) if mode == "GRU" else None
    ins = [a for a in (xw, h0, c0, w, b) if a is not None]

    def f(*args):
        it = iter(args)
        a = [next(it) if x is not None else None for x in (xw, h0, c0, w, b)]
        return RNNSeq.apply(*a, mode=mode, batch_sizes=(2, 2, 1), reverse=reverse)
    assert gradcheck(f, tuple(ins))
    if mode != "RNN_RELU":
        assert gradgradcheck(f, tuple(ins))


def test_layer_double_backward_through_lstm():
    lstm = nn.LSTM(2, 3).double()
    x = ember.randn(4, 2, 2, dtype=ember.float64, requires_grad=True)
    assert gradgradcheck(lambda a: lstm(a)[0], (x,))


def test_default_init_and_repr(torch_mod):
    m = nn.LSTM(3, 16, num_layers=2, bidirectional=True, proj_size=4)
    assert repr(m) == repr(torch_mod.nn.LSTM(3, 16, num_layers=2, bidirectional=True,
                                             proj_size=4))
    bound = 1 / math.sqrt(16)
    for name, p in m.named_parameters():
        assert float(p.abs().max()) <= bound, name
    assert float(m.weight_ih_l0.std()) > bound / 3
    assert repr(nn.GRU(3, 4, batch_first=True, dropout=0.5, num_layers=2)) == \
        repr(torch_mod.nn.GRU(3, 4, batch_first=True, dropout=0.5, num_layers=2))


def test_dropout_between_layers_only_in_training():
    m = nn.GRU(3, 4, num_layers=2, dropout=0.5).double()
    x = ember.randn(5, 2, 3, dtype=ember.float64)
    m.eval()
    a, b = m(x)[0], m(x)[0]
    assert_close(a, b)
    m.train()
    ember.manual_seed(0)
    c = m(x)[0]
    ember.manual_seed(1)
    d = m(x)[0]
    assert float((c - d).abs().max()) > 0


@pytest.mark.parametrize("call,exc,match", [
    (lambda: nn.LSTM(3, 4)(ember.randn(5, 2, 2)), RuntimeError,
     "input.size\\(-1\\) must be equal to input_size. Expected 3, got 2"),
    (lambda: nn.LSTM(3, 4)(ember.randn(5, 2, 3), (ember.randn(1, 3, 4), ember.randn(1, 2, 4))),
     RuntimeError, r"Expected hidden\[0\] size \(1, 2, 4\), got \[1, 3, 4\]"),
    (lambda: nn.GRU(3, 4)(ember.randn(5, 2, 3), ember.randn(1, 3, 4)), RuntimeError,
     r"Expected hidden size \(1, 2, 4\), got \[1, 3, 4\]"),
    (lambda: nn.GRU(3, 4)(ember.randn(2, 5, 2, 3)), ValueError,
     "GRU: Expected input to be 2D or 3D, got 4D instead"),
    (lambda: nn.RNN(3, 4, nonlinearity="foo"), ValueError, "Unknown nonlinearity 'foo'"),
    (lambda: nn.LSTM(3, 4)(ember.randn(5, 2, 3, dtype=ember.float64)), ValueError,
     r"RNN input dtype \(torch.float64\) does not match weight dtype \(torch.float32\)"),
    (lambda: nn.LSTM(3, 4, dropout=2), ValueError, "dropout should be a number in range"),
    (lambda: nn.LSTM(3, 4, proj_size=4), ValueError, "proj_size has to be smaller"),
    (lambda: nn.RNNCell(3, 4)(ember.randn(2, 5)), RuntimeError,
     "input has inconsistent input_size: got 5 expected 3"),
    (lambda: nn.RNNCell(3, 4)(ember.randn(2, 3), ember.randn(3, 4)), RuntimeError,
     "Input batch size 2 doesn't match hidden0 batch size 3"),
])
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_lstm_learns_sine_continuation():
    ember.manual_seed(0)
    t = np.linspace(0, 8 * np.pi, 400)
    wave = np.sin(t).astype(np.float32)
    idx = np.arange(0, 340, 5)
    x = np.stack([wave[i:i + 30] for i in idx], 1)[..., None]  # (30, B, 1)
    y = np.array([wave[i + 30] for i in idx], dtype=np.float32)[:, None]
    lstm, head = nn.LSTM(1, 16), nn.Linear(16, 1)
    opt = ember.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=0.02)
    for _ in range(80):
        out, _ = lstm(ember.tensor(x))
        loss = nn.functional.mse_loss(head(out[-1]), ember.tensor(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.01, loss.item()


def test_very_long_sequence_backward():
    """5,000 steps through the fused op; 600 GRUCell steps (~10k graph nodes) iteratively."""
    lstm = nn.LSTM(1, 4)
    x = ember.randn(5000, 1, 1, requires_grad=True)
    out, _ = lstm(x)
    out[-1].sum().backward()
    assert tuple(x.grad.shape) == (5000, 1, 1)
    cell = nn.GRUCell(1, 2)
    h = ember.zeros(1, 2)
    xs = ember.randn(600, 1, 1, requires_grad=True)
    for t in range(600):
        h = cell(xs[t], h)
    h.sum().backward()
    assert bool(ember.isfinite(xs.grad).all())
