"""Issue 15's recurrent kernels against the paths they replace, finite differences in float64
and PyTorch: the copy-free LSTM forward for unpacked input and the one-node LSTMCell step."""
import numpy as np
import pytest

import ember
from ember import nn
from ember.autograd import gradcheck, gradgradcheck
from ember.ops import rnn, rnn_cell
from ember.testing import assert_close


@pytest.mark.parametrize("reverse", [False, True])
def test_dense_lstm_forward_matches_general_loop(reverse):
    rng = np.random.default_rng(0)
    T, B, H = 6, 3, 4
    xw = rng.standard_normal((T, B, 4 * H))
    h0, c0 = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    w = rng.standard_normal((4 * H, H)) * 0.5
    Y, cache = rnn._lstm_forward(np, xw, h0, c0, w, None, reverse)
    Yg, cacheg = rnn._lstm_forward(np, xw, h0, c0, w, [B] * T, reverse)  # the general loop
    np.testing.assert_allclose(Y, Yg, rtol=1e-13, atol=1e-13)
    for a, b in zip(cache, cacheg):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("reverse", [False, True])
def test_dense_lstm_bptt_matches_general_loop(reverse):
    rng = np.random.default_rng(3)
    T, B, H = 5, 3, 4
    xw = rng.standard_normal((T, B, 4 * H))
    h0, c0 = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    w = rng.standard_normal((4 * H, H)) * 0.5
    dY = rng.standard_normal((T + 2, B, H))

    class Ctx:
        pass
    grads = []
    for sizes in (None, [B] * T):
        ctx = Ctx()
        ctx.batch_sizes, ctx.reverse = sizes, reverse
        ctx.cache = rnn._lstm_forward(np, xw, h0, c0, w, sizes, reverse)[1]
        grads.append(rnn._lstm_bptt(np, ctx, dY, w))
    for a, b in zip(*grads):
        if a is None:
            assert b is None
        else:
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("sizes", [None, [3, 3, 2, 2, 1]])
def test_lstm_bptt_matches_per_step_formulas(reverse, sizes):
    """The whole-array gate multipliers of ``_lstm_bptt`` against ``_bptt``'s per-step
    formulas, for unpacked input and for packed rows that end early."""
    rng = np.random.default_rng(4)
    T, B, H = 5, 3, 4
    xw = rng.standard_normal((T, B, 4 * H))
    h0, c0 = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    w = rng.standard_normal((4 * H, H)) * 0.5
    dY = rng.standard_normal((T + 2, B, H))

    class Ctx:
        pass
    ctx = Ctx()
    ctx.mode, ctx.batch_sizes, ctx.reverse = "LSTM", sizes, reverse
    ctx.cache = rnn._lstm_forward(np, xw, h0, c0, w, sizes, reverse)[1]
    fast = rnn._lstm_bptt(np, ctx, dY, w)
    slow = rnn._bptt(np, ctx, dY, w)
    for a, b in zip(fast[:4], slow[:4]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_lstm_layer_gradcheck(bidirectional):
    ember.manual_seed(0)
    lstm = nn.LSTM(2, 3, bidirectional=bidirectional).double()
    x = ember.randn(4, 2, 2, dtype=ember.float64, requires_grad=True)
    h0 = ember.randn(2 if bidirectional else 1, 2, 3, dtype=ember.float64, requires_grad=True)
    c0 = ember.randn(2 if bidirectional else 1, 2, 3, dtype=ember.float64, requires_grad=True)

    def f(x, h0, c0):
        out, (h, c) = lstm(x, (h0, c0))
        return out, h, c * c
    assert gradcheck(f, (x, h0, c0))


def _cell_inputs(rng, bias=True):
    B, I, H = 3, 2, 4
    def t(*shape):
        return ember.tensor(rng.standard_normal(shape) * 0.7, requires_grad=True)
    ins = [t(B, I), t(B, H), t(B, H), t(4 * H, I), t(4 * H, H)]
    return ins + ([t(4 * H), t(4 * H)] if bias else [None, None])


@pytest.mark.parametrize("bias", [True, False])
def test_lstm_cell_op_matches_reference_and_gradcheck(bias):
    rng = np.random.default_rng(1)
    ins = _cell_inputs(rng, bias)
    y = rnn_cell.LSTMCellOp.apply(*ins)
    hn, cn = rnn_cell.reference_cell(*ins)
    assert_close(y[0], hn, rtol=1e-13, atol=1e-13)
    assert_close(y[1], cn, rtol=1e-13, atol=1e-13)
    diff = [t for t in ins if t is not None]

    def f(*args):
        it = iter(args)
        return rnn_cell.LSTMCellOp.apply(*[next(it) if t is not None else None for t in ins])
    assert gradcheck(f, diff)
    assert gradgradcheck(f, diff)


def test_lstm_cell_module_parity_with_torch(torch_mod):
    torch_mod.manual_seed(0)
    tcell = torch_mod.nn.LSTMCell(3, 5)
    cell = nn.LSTMCell(3, 5)
    cell.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                          tcell.state_dict().items()})
    xa = np.random.default_rng(2).standard_normal((7, 2, 3)).astype(np.float32)
    x, tx = ember.tensor(xa, requires_grad=True), torch_mod.tensor(xa, requires_grad=True)
    h = c = th = tc = None
    for t in range(7):
        h, c = cell(x[t]) if h is None else cell(x[t], (h, c))
        th, tc = tcell(tx[t]) if th is None else tcell(tx[t], (th, tc))
    (h.sum() + (c * c).sum()).backward()
    (th.sum() + (tc * tc).sum()).backward()
    assert_close(h, th, rtol=1e-5, atol=1e-6)
    assert_close(c, tc, rtol=1e-5, atol=1e-6)
    assert_close(x.grad, tx.grad, rtol=1e-4, atol=1e-6)
    for (name, p), tp in zip(cell.named_parameters(), tcell.parameters()):
        assert_close(p.grad, tp.grad, rtol=1e-4, atol=1e-5, msg=name)
    h1, c1 = cell(ember.tensor(xa[0, 0]))  # unbatched input
    th1, tc1 = tcell(torch_mod.tensor(xa[0, 0]))
    assert h1.shape == (5,) and c1.shape == (5,)
    assert_close(h1, th1, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("use", ["h", "c", "both"])
def test_lstm_cell_two_outputs_of_one_node(bias, use):
    """h' and c' come from one node (no per-step unbind views); an output that gets no
    gradient counts as zeros, as for the reference step."""
    rng = np.random.default_rng(3)
    ins = _cell_inputs(rng, bias)
    hn, cn = rnn_cell.LSTMCellOp.apply(*ins)
    assert hn.grad_fn is cn.grad_fn and hn.grad_fn.name() == "LstmCellBackward0"
    assert (hn._output_nr, cn._output_nr) == (0, 1) and hn._base is None and cn._base is None
    rh, rc = rnn_cell.reference_cell(*ins)
    diff = [t for t in ins if t is not None]

    def loss(h, c):
        return {"h": (h * h).sum(), "c": (c * 3).sum(), "both": (h * c).sum()}[use]
    got = ember.autograd.grad(loss(hn, cn), diff)
    want = ember.autograd.grad(loss(rh, rc), diff)
    for g, w in zip(got, want):
        assert_close(g, w, rtol=1e-12, atol=1e-12)


def test_lstm_cell_op_is_traced_and_loop_records_one_node_per_step():
    from ember.autograd.tracing import trace
    cell = nn.LSTMCell(3, 4)
    x = ember.randn(5, 2, 3)
    with trace() as tr:
        h, c = cell(x[0])
        for t in range(1, 5):
            h, c = cell(x[t], (h, c))
    names = [r.name for r in tr]
    assert names.count("LSTMCellOp") == 5
    assert names == ["Slice", "LSTMCellOp"] * 5  # x[t], then the step: no output views
    node, steps = h.grad_fn, 0
    while node is not None and node.name() == "LstmCellBackward0":
        steps += 1
        node = node.next_functions[1][0]  # h's edge: the previous step's node
    assert steps == 5
