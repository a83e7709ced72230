"""Fused recurrences: one op runs a whole RNN/LSTM/GRU layer direction over time.

``RNNSeq`` takes the input projection for all steps at once (``xw``: (T, B, G*H), computed by the
caller with one matmul), the initial state and ``w_hh``, and returns ``Y`` of shape (T + 2, B, H):
rows ``[:T]`` are the per-step outputs (zero where a packed sequence has ended), row ``T`` the
final hidden state and row ``T + 1`` the final cell state (LSTM; zeros otherwise).

``batch_sizes`` (packed sequences, sorted by decreasing length) says how many leading rows are
active at each step; inactive rows keep their state, so both directions need no masks.

Forward and first derivative (BPTT) run on arrays, one GEMM per step, with ``w_hh``'s gradient
as a single GEMM at the end. When a differentiable gradient is asked for (``create_graph=True``),
backward instead re-runs ``reference`` (the same recurrence written with Ember tensor ops) and
differentiates it, so higher derivatives are exact.
"""
from ..autograd.grad_mode import enable_grad
from ._dispatch import on_arrays
from ..autograd.node import Op
from .joining import cat, stack
from ..autograd import grad as agrad
from .._tensor import _wrap
from . import _jit_rnn

__all__ = []

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _sigmoid(xp, x):
    return 0.5 + 0.5 * xp.tanh(0.5 * x)


class RNNSeq(Op):
    """One layer direction of RNN (tanh/relu), LSTM or GRU over all time steps."""
    save = (0, 1, 2, 3, 4)

    def name(self):
        return {"LSTM": "LstmBackward", "GRU": "GruBackward"}.get(self.mode, "RnnBackward") + "0"

    def forward(ctx, xw, h0, c0, w_hh, b_hh, mode, batch_sizes=None, reverse=False):
        xp = ctx.xp
        ctx.mode, ctx.batch_sizes, ctx.reverse = mode, batch_sizes, reverse
        if mode == "LSTM":
            Y, ctx.cache = _lstm_forward(xp, xw, h0, c0, w_hh, batch_sizes, reverse)
            return Y
        T, B, _ = xw.shape
        H = w_hh.shape[1]
        whT = xp.ascontiguousarray(w_hh.T)
        Y = xp.zeros((T + 2, B, H), dtype=xw.dtype)
        hprev = xp.zeros((T, B, H), dtype=xw.dtype)
        acts = xp.zeros(xw.shape, dtype=xw.dtype)
        h = h0.copy()
        lstm, gru = mode == "LSTM", mode == "GRU"
        if lstm:
            c = c0.copy()
            cprev = xp.zeros((T, B, H), dtype=xw.dtype)
            tcs = xp.zeros((T, B, H), dtype=xw.dtype)
        if gru:
            ghn = xp.zeros((T, B, H), dtype=xw.dtype)
        order = range(T - 1, -1, -1) if reverse else range(T)
        for t in order:
            bs = B if batch_sizes is None else batch_sizes[t]
            hp = h[:bs]
            hprev[t, :bs] = hp
            if lstm:
                gates = xw[t, :bs] + hp @ whT
                a = _sigmoid(xp, gates)
                a[:, 2 * H:3 * H] = xp.tanh(gates[:, 2 * H:3 * H])
                cp = c[:bs]
                cprev[t, :bs] = cp
                cn = a[:, H:2 * H] * cp + a[:, :H] * a[:, 2 * H:3 * H]
                tc = xp.tanh(cn)
                tcs[t, :bs] = tc
                hn = a[:, 3 * H:] * tc
                c[:bs] = cn
            elif gru:
                gi = xw[t, :bs]
                gh = hp @ whT
                if b_hh is not None:
                    gh += b_hh
                a = _sigmoid(xp, gi + gh)  # r, z (n overwritten below)
                ghn[t, :bs] = gh[:, 2 * H:]
                n = xp.tanh(gi[:, 2 * H:] + a[:, :H] * gh[:, 2 * H:])
                a[:, 2 * H:] = n
                hn = n + a[:, H:2 * H] * (hp - n)
            else:
                pre = xw[t, :bs] + hp @ whT
                a = xp.tanh(pre) if mode == "RNN_TANH" else xp.maximum(pre, 0)
                hn = a
            acts[t, :bs] = a
            h[:bs] = hn
            Y[t, :bs] = hn
        Y[T] = h
        if lstm:
            Y[T + 1] = c
            ctx.cache = (hprev, acts, cprev, tcs)
        elif gru:
            ctx.cache = (hprev, acts, ghn)
        else:
            ctx.cache = (hprev, acts)
        return Y

    def backward(ctx, g):
        xw, h0, c0, w_hh, b_hh = ctx.saved_tensors
        if not on_arrays():  # create_graph: differentiate the tensor-op recurrence instead
            return _differentiable_backward(ctx, g, xw, h0, c0, w_hh, b_hh)
        bptt = _lstm_bptt if ctx.mode == "LSTM" else _bptt
        grads = bptt(ctx.xp, ctx, g._data, w_hh._data)
        return tuple(None if a is None or not need else _wrap(a)
                     for a, need in zip(grads, ctx.needs_input_grad))

    def _release(self):
        super()._release()
        self.cache = None  # per-step activations go with the saved tensors


def _lstm_forward(xp, xw, h0, c0, w_hh, batch_sizes, reverse):
    """LSTM over time on arrays, writing into preallocated buffers.

    Unpacked input takes ``_lstm_forward_dense`` (no per-step state copies); packed
    sequences keep this general loop, where finished rows carry their state forward."""
    if batch_sizes is None:
        return _lstm_forward_dense(xp, xw, h0, c0, w_hh, reverse)
    T, B, G = xw.shape
    H = G // 4
    dt = xw.dtype
    whT = xp.ascontiguousarray(w_hh.T)
    scale, shift = _gate_affine(xp, H, dt)
    Y = xp.zeros((T + 2, B, H), dtype=dt)
    hprev = xp.zeros((T, B, H), dtype=dt)
    cprev = xp.zeros((T, B, H), dtype=dt)
    tcs = xp.zeros((T, B, H), dtype=dt)
    acts = xp.zeros(xw.shape, dtype=dt)
    h, c = h0.copy(), c0.copy()
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        bs = batch_sizes[t]
        hp, cp = h[:bs], c[:bs]
        hprev[t, :bs] = hp
        cprev[t, :bs] = cp
        a = acts[t, :bs]
        xp.matmul(hp, whT, out=a)
        a += xw[t, :bs]
        a *= scale
        xp.tanh(a, out=a)
        a *= scale
        a += shift
        cn = a[:, H:2 * H] * cp
        cn += a[:, :H] * a[:, 2 * H:3 * H]
        tc = tcs[t, :bs]
        xp.tanh(cn, out=tc)
        xp.multiply(a[:, 3 * H:], tc, out=Y[t, :bs])
        h[:bs] = Y[t, :bs]
        c[:bs] = cn
    Y[T] = h
    Y[T + 1] = c
    return Y, (hprev, acts, cprev, tcs)


def _gate_affine(xp, H, dt):
    """sigmoid(x) = 0.5 * tanh(x / 2) + 0.5 for i, f, o and plain tanh for g: one tanh over
    all four gates between a per-column scale and an affine map."""
    scale = xp.full(4 * H, 0.5, dtype=dt)
    scale[2 * H:3 * H] = 1.0
    shift = xp.full(4 * H, 0.5, dtype=dt)
    shift[2 * H:3 * H] = 0.0
    return scale, shift


def _lstm_forward_dense(xp, xw, h0, c0, w_hh, reverse):
    """LSTM over time when every row is active at every step: each step reads h and c where
    the previous one wrote them (rows of the output and of a cell-state history), so no state
    is copied per step; the pre-tanh scale is folded into the weights and inputs once."""
    T, B, G = xw.shape
    H = G // 4
    dt = xw.dtype
    scale, shift = _gate_affine(xp, H, dt)
    whT = xp.ascontiguousarray(w_hh.T) * scale
    xws = xw * scale
    Y = xp.empty((T + 2, B, H), dtype=dt)
    hist = xp.empty((T + 1, B, H), dtype=dt)      # cell states: hist[s] enters step s
    hs = xp.empty((T + 1, B, H), dtype=dt)        # hidden states: hs[s] enters step s
    tcs = xp.empty((T, B, H), dtype=dt)
    acts = xp.empty(xw.shape, dtype=dt)
    ig = xp.empty((B, H), dtype=dt)
    hist[0] = c0
    hs[0] = h0
    order = range(T - 1, -1, -1) if reverse else range(T)
    matmul, tanh, multiply = xp.matmul, xp.tanh, xp.multiply
    jit = _jit_rnn.kernels(xp)
    half = dt.type(0.5)
    for s, t in enumerate(order):
        a = acts[t]
        matmul(hs[s], whT, out=a)
        a += xws[t]
        tanh(a, out=a)
        cn = hist[s + 1]
        if jit is not None:   # the sigmoid affine and the cell update in one compiled loop
            jit.gates_fwd(a, hist[s], cn, half)
        else:
            a *= scale
            a += shift
            multiply(a[:, H:2 * H], hist[s], out=cn)
            multiply(a[:, :H], a[:, 2 * H:3 * H], out=ig)
            cn += ig
        tc = tcs[t]
        tanh(cn, out=tc)
        if jit is not None:
            jit.hidden(a, tc, hs[s + 1])
        else:
            multiply(a[:, 3 * H:], tc, out=hs[s + 1])
    # step s ran time t = order[s]: put the states in time order for the outputs and BPTT
    if reverse:
        Y[:T] = hs[:0:-1]
        hprev, cprev = hs[T - 1::-1], hist[T - 1::-1]
    else:
        Y[:T] = hs[1:]
        hprev, cprev = hs[:T], hist[:T]
    Y[T] = hs[T]
    Y[T + 1] = hist[T]
    return Y, (hprev, acts, cprev, tcs)


def _lstm_bptt(xp, ctx, dY, w_hh):
    """LSTM backpropagation through time: local derivatives for all steps at once, then
    ~7 array calls per step; ``w_hh``'s gradient is one GEMM at the end."""
    batch_sizes, reverse = ctx.batch_sizes, ctx.reverse
    hprev, acts, cprev, tcs = ctx.cache
    T, B, H = dY.shape[0] - 2, dY.shape[1], dY.shape[2]
    jit = _jit_rnn.kernels(xp)
    if jit is not None:
        return _lstm_bptt_jit(xp, jit, ctx, dY, w_hh)
    i, f, g, o = (acts[..., k * H:(k + 1) * H] for k in range(4))
    # multipliers turning (dc, dc, dc, dh) into pre-activation gate gradients, all steps at
    # once: (1 - s) s over the whole contiguous array (the sigmoid gates' derivative), the
    # tanh gate's 1 - g^2 written over its slice, then each gate's factor in place
    mult = xp.subtract(1, acts)
    mult *= acts
    m4 = mult.reshape(T, B, 4, H)
    dg_g = m4[:, :, 2]
    xp.multiply(g, g, out=dg_g)
    xp.subtract(1, dg_g, out=dg_g)
    for k, factor in enumerate((g, cprev, i, tcs)):  # dc * g, dc * c_prev, dc * i, dh * tanh(c)
        m4[:, :, k] *= factor
    m3 = mult[..., :3 * H].reshape(T, B, 3, H)
    o_dtc = xp.multiply(tcs, tcs)
    xp.subtract(1, o_dtc, out=o_dtc)
    o_dtc *= o
    dh = dY[T].copy()
    dc = dY[T + 1].copy()
    order = range(T) if reverse else range(T - 1, -1, -1)
    multiply, matmul = xp.multiply, xp.matmul
    if batch_sizes is None:     # every row active: preallocated step buffers
        dxw = xp.empty(acts.shape, dtype=dY.dtype)
        dha = xp.empty((B, H), dtype=dY.dtype)
        dcn = xp.empty((B, H), dtype=dY.dtype)
        for t in order:
            xp.add(dh, dY[t], out=dha)
            multiply(o_dtc[t], dha, out=dcn)
            dcn += dc
            dg = dxw[t]
            multiply(m3[t], dcn[:, None, :], out=dg[:, :3 * H].reshape(B, 3, H))
            multiply(mult[t, :, 3 * H:], dha, out=dg[:, 3 * H:])
            matmul(dg, w_hh, out=dh)
            multiply(dcn, f[t], out=dc)
    else:
        dxw = xp.zeros(acts.shape, dtype=dY.dtype)
        for t in order:
            bs = batch_sizes[t]
            dha = dh[:bs] + dY[t, :bs]
            dcn = o_dtc[t, :bs] * dha
            dcn += dc[:bs]
            dg = dxw[t, :bs]
            multiply(m3[t, :bs], dcn[:, None, :], out=dg[:, :3 * H].reshape(bs, 3, H))
            multiply(mult[t, :bs, 3 * H:], dha, out=dg[:, 3 * H:])
            matmul(dg, w_hh, out=dh[:bs])
            multiply(dcn, f[t, :bs], out=dc[:bs])
    dw = dxw.reshape(-1, 4 * H).T @ hprev.reshape(-1, H)
    return dxw, dh, dc, dw, None


def _lstm_bptt_jit(xp, jit, ctx, dY, w_hh):
    """``_lstm_bptt`` with each step's elementwise work in one compiled kernel (``_jit_rnn``):
    no all-steps multiplier arrays, one kernel call and one GEMM per step."""
    batch_sizes, reverse = ctx.batch_sizes, ctx.reverse
    hprev, acts, cprev, tcs = ctx.cache
    T, B, H = dY.shape[0] - 2, dY.shape[1], dY.shape[2]
    one = dY.dtype.type(1)
    dh = dY[T].copy()
    dc = dY[T + 1].copy()
    step, matmul = jit.step_bwd, xp.matmul
    order = range(T) if reverse else range(T - 1, -1, -1)
    if batch_sizes is None:
        dxw = xp.empty(acts.shape, dtype=dY.dtype)
        for t in order:
            step(acts[t], tcs[t], cprev[t], dY[t], dh, dc, dxw[t], one)
            matmul(dxw[t], w_hh, out=dh)
    else:
        dxw = xp.zeros(acts.shape, dtype=dY.dtype)
        for t in order:
            bs = batch_sizes[t]
            dg = dxw[t, :bs]
            step(acts[t, :bs], tcs[t, :bs], cprev[t, :bs], dY[t, :bs], dh[:bs], dc[:bs], dg,
                 one)
            matmul(dg, w_hh, out=dh[:bs])
    dw = dxw.reshape(-1, 4 * H).T @ hprev.reshape(-1, H)
    return dxw, dh, dc, dw, None


def _bptt(xp, ctx, dY, w_hh):
    """Backpropagation through time on arrays: (dxw, dh0, dc0, dw_hh, db_hh)."""
    mode, batch_sizes, reverse = ctx.mode, ctx.batch_sizes, ctx.reverse
    T, B, H = dY.shape[0] - 2, dY.shape[1], dY.shape[2]
    lstm, gru = mode == "LSTM", mode == "GRU"
    hprev, acts = ctx.cache[0], ctx.cache[1]
    dxw = xp.zeros(acts.shape, dtype=dY.dtype)
    dh = dY[T].copy()
    if lstm:
        cprev, tcs = ctx.cache[2], ctx.cache[3]
        dc = dY[T + 1].copy()
    if gru:
        ghn = ctx.cache[2]
        dgh_all = xp.zeros(acts.shape, dtype=dY.dtype)
    order = range(T) if reverse else range(T - 1, -1, -1)
    for t in order:
        bs = B if batch_sizes is None else batch_sizes[t]
        dha = dh[:bs] + dY[t, :bs]
        a = acts[t, :bs]
        if lstm:
            i, f, gg, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
            tc = tcs[t, :bs]
            dcn = dc[:bs] + dha * o * (1 - tc * tc)
            dg = dxw[t, :bs]
            dg[:, :H] = dcn * gg * i * (1 - i)
            dg[:, H:2 * H] = dcn * cprev[t, :bs] * f * (1 - f)
            dg[:, 2 * H:3 * H] = dcn * i * (1 - gg * gg)
            dg[:, 3 * H:] = dha * tc * o * (1 - o)
            dh[:bs] = dg @ w_hh
            dc[:bs] = dcn * f
        elif gru:
            r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
            hp = hprev[t, :bs]
            dnp = dha * (1 - z) * (1 - n * n)
            dr = dnp * ghn[t, :bs] * r * (1 - r)
            dz = dha * (hp - n) * z * (1 - z)
            dgi = dxw[t, :bs]
            dgi[:, :H], dgi[:, H:2 * H], dgi[:, 2 * H:] = dr, dz, dnp
            dgh = dgh_all[t, :bs]
            dgh[:, :H], dgh[:, H:2 * H], dgh[:, 2 * H:] = dr, dz, dnp * r
            dh[:bs] = dha * z + dgh @ w_hh
        else:
            dpre = dha * (1 - a * a) if mode == "RNN_TANH" else dha * (a > 0)
            dxw[t, :bs] = dpre
            dh[:bs] = dpre @ w_hh
    G = acts.shape[2]
    src = dgh_all if gru else dxw
    dw = src.reshape(-1, G).T @ hprev.reshape(-1, H)
    db = dgh_all.sum((0, 1)) if gru else None
    return dxw, dh, (dc if lstm else None), dw, db


def reference(mode, xw, h0, c0, w_hh, b_hh=None, batch_sizes=None, reverse=False, w_hr=None):
    """The recurrence of one layer direction written with Ember tensor ops (differentiable).

    Returns (outputs (T, B, H_out), h_n, c_n or None). ``w_hr`` projects LSTM hidden states.
    """
    T, B = xw.shape[0], xw.shape[1]
    H = w_hh.shape[1] if w_hr is None else w_hr.shape[1]
    h, c = h0, c0
    whT = w_hh.t()
    outs = [None] * T
    order = range(T - 1, -1, -1) if reverse else range(T)
    for t in order:
        bs = B if batch_sizes is None else batch_sizes[t]
        hp = h[:bs] if bs < B else h
        x = xw[t, :bs] if bs < B else xw[t]
        if mode == "LSTM":
            gates = x + hp.matmul(whT)
            i, f, gg, o = gates.chunk(4, 1)
            cp = c[:bs] if bs < B else c
            cn = f.sigmoid() * cp + i.sigmoid() * gg.tanh()
            hn = o.sigmoid() * cn.tanh()
            if w_hr is not None:
                hn = hn.matmul(w_hr.t())
            c = cat([cn, c[bs:]]) if bs < B else cn
        elif mode == "GRU":
            gh = hp.matmul(whT)
            if b_hh is not None:
                gh = gh + b_hh
            Hh = gh.shape[1] // 3
            r = (x[:, :Hh] + gh[:, :Hh]).sigmoid()
            z = (x[:, Hh:2 * Hh] + gh[:, Hh:2 * Hh]).sigmoid()
            n = (x[:, 2 * Hh:] + r * gh[:, 2 * Hh:]).tanh()
            hn = n + z * (hp - n)
        else:
            pre = x + hp.matmul(whT)
            hn = pre.tanh() if mode == "RNN_TANH" else pre.relu()
        h = cat([hn, h[bs:]]) if bs < B else hn
        outs[t] = cat([hn, hn.new_zeros((B - bs, hn.shape[1]))]) if bs < B else hn
    del H
    return stack(outs), h, c


def _differentiable_backward(ctx, g, xw, h0, c0, w_hh, b_hh):
    inputs = (xw, h0, c0, w_hh, b_hh)
    want = [i for i, (t, need) in enumerate(zip(inputs, ctx.needs_input_grad))
            if need and t is not None]
    with enable_grad():
        out, h, c = reference(ctx.mode, xw, h0, c0, w_hh, b_hh, ctx.batch_sizes, ctx.reverse)
        Y = stack(list(out.unbind(0)) + [h, c if c is not None else h.new_zeros(h.shape)])
        got = agrad([Y], [inputs[i] for i in want], [g], create_graph=True, allow_unused=True)
    res = [None] * 5
    for i, gi in zip(want, got):
        res[i] = gi if gi is not None else inputs[i].new_zeros(inputs[i].shape)
    return tuple(res)
