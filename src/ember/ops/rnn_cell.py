"""``nn.LSTMCell``'s step as one op: both gate GEMMs, the activations and the state update in
one forward, and the whole local backward in one node (PyTorch's CPU cell records one node
per elementwise op; Ember's composite recorded ~8 per step).

``LSTMCellOp.apply(x, h, c, w_ih, w_hh, b_ih, b_hh)`` returns the two tensors (h', c'), both
outputs of one node (as PyTorch's ``grad_fn`` for a multi-output op), so a step records one
node and its backward receives (dh', dc') directly (zeros for an unused output). The biases
may be None. Plain backward runs on arrays; with ``create_graph=True`` it re-runs the step
with Ember tensor ops and differentiates that, so higher derivatives are exact.
"""
from .._tensor import _wrap
from .multi_output import MultiOp
from ..autograd.grad_mode import enable_grad
from ._dispatch import on_arrays
from ..autograd import grad as agrad

__all__ = []


def _gates(xp, x, h, w_ih, w_hh, b_ih, b_hh):
    gates = xp.matmul(x, w_ih.T)
    gates += xp.matmul(h, w_hh.T)
    if b_ih is not None:
        gates += b_ih
    if b_hh is not None:
        gates += b_hh
    return gates


class LSTMCellOp(MultiOp):
    """h', c' of one LSTM step (gate order i, f, g, o as PyTorch's weights)."""
    _name = "LstmCellBackward0"
    save = (0, 1, 2, 3, 4, 5, 6)

    def forward(ctx, x, h, c, w_ih, w_hh, b_ih, b_hh):
        xp = ctx.xp
        H = h.shape[1]
        a = _gates(xp, x, h, w_ih, w_hh, b_ih, b_hh)
        # sigmoid(x) = 0.5 tanh(x / 2) + 0.5 for i, f, o: one tanh over all gates
        a[:, :2 * H] *= 0.5
        a[:, 3 * H:] *= 0.5
        xp.tanh(a, out=a)
        for lo, hi in ((0, 2 * H), (3 * H, 4 * H)):
            a[:, lo:hi] *= 0.5
            a[:, lo:hi] += 0.5
        cn = xp.multiply(a[:, H:2 * H], c)
        cn += a[:, :H] * a[:, 2 * H:3 * H]
        tc = xp.tanh(cn)
        hn = xp.multiply(a[:, 3 * H:], tc)
        ctx.acts, ctx.tc = a, tc
        return hn, cn

    def backward(ctx, gh, gc):
        x, h, c, w_ih, w_hh, b_ih, b_hh = ctx.saved_tensors
        if not on_arrays():
            return _differentiable_backward(ctx, (gh, gc), x, h, c, w_ih, w_hh, b_ih, b_hh)
        xp = ctx.xp
        a, tc = ctx.acts, ctx.tc
        H = tc.shape[1]
        i, f, gg, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        dh, dc = gh._data, gc._data
        dcn = dh * o * (1 - tc * tc)
        dcn += dc
        dG = xp.empty(a.shape, dtype=a.dtype)
        xp.multiply(dcn * gg, i * (1 - i), out=dG[:, :H])
        xp.multiply(dcn * c._data, f * (1 - f), out=dG[:, H:2 * H])
        xp.multiply(dcn * i, 1 - gg * gg, out=dG[:, 2 * H:3 * H])
        xp.multiply(dh * tc, o * (1 - o), out=dG[:, 3 * H:])
        nx, nh, nc, nwi, nwh, nbi, nbh = ctx.needs_input_grad
        db = dG.sum(0) if nbi or nbh else None
        return (_wrap(dG @ w_ih._data) if nx else None,
                _wrap(dG @ w_hh._data) if nh else None,
                _wrap(dcn * f) if nc else None,
                _wrap(dG.T @ x._data) if nwi else None,
                _wrap(dG.T @ h._data) if nwh else None,
                _wrap(db) if nbi else None,
                _wrap(db.copy()) if nbh else None)

    def _release(self):
        super()._release()
        self.acts = self.tc = None


def reference_cell(x, h, c, w_ih, w_hh, b_ih=None, b_hh=None):
    """The same step written with Ember tensor ops (differentiable): returns (h', c')."""
    gates = x.matmul(w_ih.t()) + h.matmul(w_hh.t())
    if b_ih is not None:
        gates = gates + b_ih
    if b_hh is not None:
        gates = gates + b_hh
    i, f, gg, o = gates.chunk(4, 1)
    cn = f.sigmoid() * c + i.sigmoid() * gg.tanh()
    return o.sigmoid() * cn.tanh(), cn


def _differentiable_backward(ctx, grads, *inputs):
    want = [k for k, (t, need) in enumerate(zip(inputs, ctx.needs_input_grad))
            if need and t is not None]
    with enable_grad():
        hn, cn = reference_cell(*inputs)
        got = agrad([hn, cn], [inputs[k] for k in want], list(grads), create_graph=True,
                    allow_unused=True)
    res = [None] * len(inputs)
    for k, gk in zip(want, got):
        res[k] = gk if gk is not None else inputs[k].new_zeros(inputs[k].shape)
    return tuple(res)
