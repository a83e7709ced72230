"""Fat ops for nn: linear (one matmul + bias), fused cross-entropy, embedding, batch norm.

Each op is one ``Op`` class with its forward (on backend arrays) and backward side by side.
Backwards take a fast array path when no graph is being built, and otherwise use Ember ops
so the gradient is differentiable again (``create_graph=True``).
"""
from .._tensor import _wrap
from .. import _backend as B
from ._dispatch import on_arrays
from ..autograd.node import Op
from ._operands import named
from ..autograd.function import Function
from . import reduce
from .creation import zeros
from .._backend.special import erf
from .unary import UNARY

__all__ = ["LinearOp", "ReluOp", "GeluOp", "CrossEntropyOp", "EmbeddingOp", "BatchNormOp",
           "LayerNormOp", "CTCLossOp"]

_relu_grad = UNARY["relu"][1]  # g * (y > 0)
_SQRT1_2 = 0.7071067811865476
_INV_SQRT_2PI = 0.3989422804014327
_SQRT_2_PI = 0.7978845608028654


def _erf(xp, x):
    """erf for GELU: float64 through ``special.erf``; float32/16 by Abramowitz & Stegun 7.1.26
    (absolute error < 5e-7, below float32 resolution of GELU's output), in place and fast."""
    if x.dtype.itemsize >= 8:
        return erf(xp, x)
    one = x.dtype.type(1)
    a = xp.abs(x)
    t = a * x.dtype.type(0.3275911)
    t += one
    xp.reciprocal(t, out=t)
    p = t * x.dtype.type(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        p += x.dtype.type(c)
        p *= t
    xp.square(a, out=a)
    xp.negative(a, out=a)
    xp.exp(a, out=a)
    p *= a
    xp.subtract(one, p, out=p)
    return xp.copysign(p, x, out=p)


class GeluOp(Op):
    """x * Phi(x) (exact, with erf) or its tanh approximation; the backward reuses Phi."""
    _name = "GeluBackward0"
    save = (0,)

    def forward(ctx, x, approximate):
        xp = ctx.xp
        ctx.approximate = approximate
        if approximate == "tanh":
            t = xp.tanh((x + 0.044715 * x * x * x) * x.dtype.type(_SQRT_2_PI))
            ctx.t = t
            return (0.5 * x * (1 + t)).astype(x.dtype, copy=False)
        cdf = _erf(xp, x * x.dtype.type(_SQRT1_2))
        cdf += 1
        cdf *= 0.5
        ctx.cdf = cdf
        return (x * cdf).astype(x.dtype, copy=False)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if on_arrays():
            xp, xa, ga = ctx.xp, x._data, g._data
            if ctx.approximate == "tanh":
                t = ctx.t
                d = 0.5 * (1 + t) + 0.5 * xa * (1 - t * t) * _SQRT_2_PI * (
                    1 + 3 * 0.044715 * xa * xa)
            else:
                d = xa * xp.exp(-0.5 * xa * xa) * _INV_SQRT_2PI
                d += ctx.cdf
            return _wrap((ga * d).astype(ga.dtype, copy=False))
        if ctx.approximate == "tanh":
            t = ((x + 0.044715 * x * x * x) * _SQRT_2_PI).tanh()
            d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_PI * (1 + 3 * 0.044715 * x * x)
        else:
            cdf = 0.5 * (1 + (x * _SQRT1_2).erf())
            d = cdf + x * (-0.5 * x * x).exp() * _INV_SQRT_2PI
        return named(g * d, "GeluBackwardBackward0")


class ReluOp(Op):
    """max(x, 0); the gradient passes where the output is positive (0 at x = 0)."""
    _name = "ReluBackward0"
    save = ("out",)

    def forward(ctx, x):
        return ctx.xp.maximum(x, x.dtype.type(0))

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        if on_arrays():  # the relu row's formula (ops/unary.py) on arrays, or on tensors
            return _wrap(_relu_grad(g._data, y._data))
        return named(_relu_grad(g, y), "ThresholdBackwardBackward0")


class LinearOp(Op):
    """y = x @ W^T + b for x of shape (*, in), W (out, in), b (out,) or None."""
    _name = "AddmmBackward0"
    save = (0, 1)

    def forward(ctx, x, w, b):
        if x.shape[-1] == 1 and x.ndim >= 1:
            # one input feature: an outer product, which BLAS runs ~3x slower as a GEMM
            y = x * w.reshape(-1)
        elif x.ndim > 2:                    # one GEMM over all leading dims
            y = ctx.xp.matmul(x.reshape(-1, x.shape[-1]), w.T)
            y = y.reshape(x.shape[:-1] + (w.shape[0],))
        else:
            y = ctx.xp.matmul(x, w.T)
        if b is not None:
            y += b
        return y

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad
        gx = gw = gb = None
        if on_arrays():   # plain backward: straight to BLAS
            ga = g._data
            xp = ctx.xp
            g2 = ga.reshape(-1, ga.shape[-1]) if ga.ndim > 2 else ga
            if nx:
                gx = xp.matmul(g2, w._data)
                gx = _wrap(gx.reshape(ga.shape[:-1] + (gx.shape[-1],)) if ga.ndim > 2 else gx)
            if nw or nb:
                g2 = ga.reshape(-1, ga.shape[-1])
                if nw:
                    gw = _wrap(xp.matmul(g2.T, x._data.reshape(-1, x._data.shape[-1])))
                if nb:
                    gb = _wrap(g2.sum(0))
            return gx, gw, gb
        if nx:
            gx = g.matmul(w)
        if nw or nb:
            g2 = g.reshape(-1, g.shape[-1])
            if nw:
                gw = g2.mT.matmul(x.reshape(-1, x.shape[-1]))
            if nb:
                gb = g2.sum(0)
        return gx, gw, gb


class CrossEntropyOp(Op):
    """Fused log_softmax + negative log-likelihood over (M, C) logits and (M,) class indices.

    ``weight`` (C,) or None; targets equal to ``ignore_index`` contribute nothing; reduction is
    'none' | 'mean' (divided by the summed weights of the kept targets) | 'sum'.
    """
    _name = "NllLossBackward0"
    save = (0,)

    def forward(ctx, x, t, w, ignore_index, reduction):
        xp = ctx.xp
        z = x - x.max(axis=1, keepdims=True)
        e = xp.exp(z)
        z -= xp.log(e.sum(axis=1, keepdims=True))          # z is now log_softmax(x)
        rows = xp.arange(x.shape[0])
        valid = t != ignore_index
        tt = xp.where(valid, t, 0)
        if w is None:
            wt = valid.astype(x.dtype)
        else:
            wt = w[tt] * valid
        loss = -z[rows, tt] * wt
        ctx.lsm, ctx.tt, ctx.wt, ctx.reduction = z, tt, wt, reduction
        if reduction == "none":
            return loss
        total = loss.sum()
        if reduction == "sum":
            return total
        denom = wt.sum()
        ctx.denom = denom
        return (total / denom).astype(x.dtype)

    def backward(ctx, g):
        tt, wt, reduction = ctx.tt, ctx.wt, ctx.reduction
        if on_arrays():
            xp = ctx.xp
            p = xp.exp(ctx.lsm)
            p[xp.arange(p.shape[0]), tt] -= 1
            ga = g._data
            if reduction == "none":
                coef = (wt * ga)[:, None]
            elif reduction == "sum":
                coef = (wt * ga)[:, None]
            else:
                coef = (wt * (ga / ctx.denom))[:, None]
            p *= coef
            return _wrap(p), None, None
        (x,) = ctx.saved_tensors
        xp = ctx.xp
        onehot = xp.zeros(x.shape, dtype=x._data.dtype)
        onehot[xp.arange(x.shape[0]), tt] = 1
        p = reduce.softmax(x, 1) - _wrap(onehot)
        w = _wrap(wt[:, None] if reduction != "mean" else (wt / ctx.denom)[:, None])
        gg = g.unsqueeze(1) if reduction == "none" else g
        return p * w * gg, None, None


def _scatter_rows(xp, idx, rows, v):
    """out[i] = sum of rows[j] with idx[j] == i, for i < v: a sparse (v x n) product through
    SciPy when present, else a sort and segmented sum."""
    n, d = rows.shape
    if n == 0:
        return xp.zeros((v, d), dtype=rows.dtype)
    try:
        if xp.__name__ != "numpy":
            raise ImportError
        import scipy.sparse as sps  # lazy: optional scipy, tried at first use
    except ImportError:
        out = xp.zeros((v, d), dtype=rows.dtype)
        order = xp.argsort(idx, kind="stable")
        sidx = idx[order]
        starts = xp.flatnonzero(xp.concatenate((xp.ones(1, bool), sidx[1:] != sidx[:-1])))
        out[sidx[starts]] = xp.add.reduceat(rows[order], starts, axis=0)
        return out
    m = sps.csr_matrix((xp.ones(n, dtype=rows.dtype), (idx, xp.arange(n))), shape=(v, n))
    return xp.asarray(m @ rows, dtype=rows.dtype)


class EmbeddingOp(Op):
    """Rows of ``weight`` (V, D) picked by integer ``indices``; the gradient is scattered back
    into those rows (summed for repeats), with the ``padding_idx`` row left at zero."""
    _name = "EmbeddingBackward0"

    def forward(ctx, weight, idx, padding_idx):
        ctx.idx, ctx.padding_idx, ctx.vshape = idx, padding_idx, weight.shape
        return ctx.xp.take(weight, idx, axis=0)

    def backward(ctx, g):
        xp = ctx.xp
        idx = ctx.idx.reshape(-1)
        v, d = ctx.vshape
        if on_arrays():
            g2 = g._data.reshape(-1, d)
            out = _scatter_rows(xp, idx, g2, v)
            if ctx.padding_idx is not None:
                out[ctx.padding_idx] = 0
            return _wrap(out), None
        g2 = g.reshape(-1, d)
        if ctx.padding_idx is not None:
            g2 = g2 * _wrap((idx != ctx.padding_idx)[:, None].astype(g._data.dtype))
        return zeros(v, d, dtype=g.dtype, device=g.device).index_add(0, _wrap(idx), g2), None


def _channel_sums(xp, a3):
    """Per-channel sums of (N, C, M) ``a3``: a BLAS matrix-vector product per sample, then a
    sum over the batch (much faster than ``sum(axis=(0, 2))`` over a strided axis)."""
    return (a3 @ xp.ones(a3.shape[2], dtype=a3.dtype)).sum(0)


def _channel_dots(xp, a3, b3):
    """Per-channel sums of ``a3 * b3`` without the product temporary (batched dot products)."""
    return xp.matmul(a3[:, :, None, :], b3[:, :, :, None]).reshape(a3.shape[:2]).sum(0)


class BatchNormOp(Op):
    """Batch norm over all dims but 1 of ``x`` using batch statistics (training mode):
    y = (x - mean) / sqrt(var + eps) * weight + bias. Returns y; the batch mean and biased
    variance are put in the list ``stats`` (if given) for the running-stat update.

    The array kernels work on (N, C, M) views: per-channel sums as BLAS products, the
    centred input normalised in place (it is the saved ``xhat``) and one temporary for y."""
    _name = "NativeBatchNormBackward0"
    save = (0, 1)

    def forward(ctx, x, w, b, eps, stats=None):
        xp = ctx.xp
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        n, c = x.shape[0], x.shape[1]
        x3 = x.reshape(n, c, -1)
        m = x3.shape[2] * n
        mean = _channel_sums(xp, x3) / m
        xhat = x3 - mean[:, None]
        var = _channel_dots(xp, xhat, xhat) / m
        invstd = 1.0 / xp.sqrt(var + eps)
        xhat *= invstd.astype(xhat.dtype, copy=False)[:, None]
        xhat = xhat.reshape(x.shape)
        ctx.xhat, ctx.axes, ctx.shape, ctx.eps = xhat, axes, shape, eps
        ctx.invstd = invstd.reshape(shape)
        if stats is not None:
            stats[:] = [mean, var]
        y = xhat * w.reshape(shape) if w is not None else xhat.copy()
        if b is not None:
            y += b.reshape(shape)
        return y.astype(x.dtype, copy=False)

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad
        axes, shape = ctx.axes, ctx.shape
        if on_arrays():
            xp = ctx.xp
            ga = g._data
            n, c = ga.shape[0], ga.shape[1]
            g3 = ga.reshape(n, c, -1)
            xhat3 = ctx.xhat.reshape(n, c, -1)
            gb = _channel_sums(xp, g3)
            gw = _channel_dots(xp, g3, xhat3)
            gx = None
            if nx:
                m = g3.shape[2] * n
                scale = ctx.invstd.reshape(-1)
                if w is not None:
                    scale = scale * w._data
                # gx = scale * (g - gb / m - xhat * gw / m), as two fused passes
                k2 = (scale * gw / m).astype(ga.dtype, copy=False)[:, None]
                k3 = (scale * gb / m).astype(ga.dtype, copy=False)[:, None]
                corr = xhat3 * k2
                corr += k3
                gx = g3 * scale.astype(ga.dtype, copy=False)[:, None]
                gx -= corr
                gx = _wrap(gx.reshape(ga.shape))
            return gx, (_wrap(gw) if nw else None), (_wrap(gb) if nb else None)
        # differentiable path: recompute with Ember ops
        mean = x.mean(dim=axes, keepdim=True)
        xc = x - mean
        var = (xc * xc).mean(dim=axes, keepdim=True)
        invstd = (var + ctx.eps).rsqrt()
        xhat = xc * invstd
        gb = g.sum(dim=axes)
        gw = (g * xhat).sum(dim=axes)
        n = g.numel() // g.shape[1]
        scale = invstd if w is None else invstd * w.reshape(shape)
        gx = (g - (gb.reshape(shape) + xhat * gw.reshape(shape)) / n) * scale
        return gx if nx else None, gw if nw else None, gb if nb else None


class LayerNormOp(Op):
    """Normalise over the last ``k`` dims: y = (x - mean) / sqrt(var + eps) * w + b, with
    ``w``/``b`` of the normalised shape (or None)."""
    _name = "NativeLayerNormBackward0"
    save = (0, 1)

    def forward(ctx, x, w, b, k, eps):
        xp = ctx.xp
        n = 1
        for s in x.shape[x.ndim - k:]:
            n *= s
        x2 = x.reshape(-1, n)
        mean = x2 @ xp.full(n, 1.0 / n, dtype=x.dtype)          # row means through BLAS
        xhat = x2 - mean[:, None]
        var = xp.einsum("ij,ij->i", xhat, xhat) / n
        invstd = (1.0 / xp.sqrt(var + eps)).astype(x.dtype, copy=False)
        xhat *= invstd[:, None]
        ctx.xhat, ctx.invstd, ctx.eps, ctx.n = xhat, invstd, eps, n
        ctx.axes = tuple(range(x.ndim - k, x.ndim))
        if w is not None:
            y = xhat * w.reshape(-1)
        else:
            y = xhat.copy()
        if b is not None:
            y += b.reshape(-1)
        return y.reshape(x.shape)

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad
        axes = ctx.axes
        lead = tuple(range(g.dim() - len(axes)))
        if on_arrays():
            xp, n = ctx.xp, ctx.n
            xhat, invstd = ctx.xhat, ctx.invstd
            g2 = g._data.reshape(-1, n)
            wshape = x.shape[x.dim() - len(axes):]
            gw = gb = gx = None
            if nw:
                gw = _wrap(xp.einsum("ij,ij->j", g2, xhat).reshape(wshape))
            if nb:
                gb = _wrap((xp.ones(g2.shape[0], dtype=g2.dtype) @ g2).reshape(wshape))
            if nx:
                gh = g2 * w._data.reshape(-1) if w is not None else g2.copy()
                a = gh @ xp.full(n, 1.0 / n, dtype=gh.dtype)
                c = xp.einsum("ij,ij->i", gh, xhat) / n
                gh -= a[:, None]
                gh -= xhat * c[:, None]
                gh *= invstd[:, None]
                gx = _wrap(gh.reshape(x.shape))
            return gx, gw, gb
        mean = x.mean(dim=axes, keepdim=True)
        xc = x - mean
        invstd = ((xc * xc).mean(dim=axes, keepdim=True) + ctx.eps).rsqrt()
        xhat = xc * invstd
        gw = (g * xhat).sum(dim=lead) if nw and lead else (g * xhat if nw else None)
        gb = (g.sum(dim=lead) if lead else g) if nb else None
        gx = None
        if nx:
            gh = g * w if w is not None else g
            gx = invstd * (gh - gh.mean(dim=axes, keepdim=True)
                           - xhat * (gh * xhat).mean(dim=axes, keepdim=True))
        return gx, gw, gb


def _logsumexp3(xp, a, b, c):
    m = xp.maximum(xp.maximum(a, b), c)
    safe = xp.where(xp.isfinite(m), m, 0)
    with B.errstate(xp, divide="ignore", invalid="ignore"):
        out = xp.log(xp.exp(a - safe) + xp.exp(b - safe) + xp.exp(c - safe)) + safe
    return xp.where(xp.isneginf(m), -xp.inf, out)


class CTCLossOp(Op):
    """Connectionist temporal classification: per-sample negative log-likelihood of the
    (N, S) padded ``targets`` under (T, N, C) ``log_probs``, summed over all alignments with
    the forward (alpha) recursion; the backward runs the beta recursion. Returns (N,) losses.
    The gradient is PyTorch's (with respect to log-probabilities that come from a log_softmax)."""
    _name = "CtcLossBackward0"
    save = (0,)

    def forward(ctx, lp, targets, input_lengths, target_lengths, blank, zero_infinity):
        xp = ctx.xp
        t_max, n, c = lp.shape
        il, tl = input_lengths, target_lengths
        s_max = targets.shape[1] if targets.ndim == 2 else 0
        ext_len = 2 * s_max + 1
        ext = xp.full((n, ext_len), blank, dtype=xp.int64)
        if s_max:
            ext[:, 1::2] = targets
        ln = 2 * tl + 1                                       # extended length per sample
        rows = xp.arange(n)[:, None]
        skip = xp.zeros((n, ext_len), dtype=bool)             # s-2 -> s allowed
        skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
        neg = xp.full((n, ext_len), -xp.inf, dtype=lp.dtype)
        emit = lambda t: lp[t][rows, ext]                     # noqa: E731  (n, ext_len)
        alpha = xp.full((t_max, n, ext_len), -xp.inf, dtype=lp.dtype)
        if t_max:
            alpha[0, :, 0] = lp[0, :, blank]
            if ext_len > 1:
                alpha[0, :, 1] = xp.where(tl > 0, lp[0][xp.arange(n), ext[:, 1]], -xp.inf)
        for t in range(1, t_max):
            a = alpha[t - 1]
            a1 = neg.copy()
            a1[:, 1:] = a[:, :-1]
            a2 = neg.copy()
            a2[:, 2:] = xp.where(skip[:, 2:], a[:, :-2], -xp.inf)
            alpha[t] = _logsumexp3(xp, a, a1, a2) + emit(t)
        last_t = xp.maximum(il - 1, 0)
        idx_n = xp.arange(n)
        end1 = alpha[last_t, idx_n, ln - 1]
        end2 = xp.where(ln > 1, alpha[last_t, idx_n, xp.maximum(ln - 2, 0)], -xp.inf)
        nll = -xp.logaddexp(end1, end2)
        nll = xp.where(il > 0, nll, xp.where(tl == 0, 0.0, xp.inf)).astype(lp.dtype)
        ctx.args = (lp, ext, ln, skip, il, alpha, nll, blank, zero_infinity)
        if zero_infinity:
            nll = xp.where(xp.isinf(nll), 0, nll).astype(lp.dtype)
        return nll

    def backward(ctx, g):
        lp, ext, ln, skip, il, alpha, nll, blank, zero_infinity = ctx.args
        xp = ctx.xp
        t_max, n, c = lp.shape
        ext_len = ext.shape[1]
        rows = xp.arange(n)[:, None]
        s_idx = xp.arange(ext_len)[None, :]
        beta = xp.full((t_max, n, ext_len), -xp.inf, dtype=lp.dtype)
        skip_next = xp.zeros((n, ext_len), dtype=bool)        # s+2 -> s allowed
        skip_next[:, :-2] = skip[:, 2:]
        end_mask = (s_idx == (ln - 1)[:, None]) | (s_idx == (ln - 2)[:, None])
        b_next = xp.full((n, ext_len), -xp.inf, dtype=lp.dtype)
        for t in range(t_max - 1, -1, -1):
            e = lp[t][rows, ext]
            b1 = xp.full_like(b_next, -xp.inf)
            b1[:, :-1] = b_next[:, 1:]
            b2 = xp.full_like(b_next, -xp.inf)
            b2[:, :-2] = xp.where(skip_next[:, :-2], b_next[:, 2:], -xp.inf)
            rec = _logsumexp3(xp, b_next, b1, b2) + e
            init = xp.where(end_mask, e, -xp.inf)
            cur = xp.where((t == il - 1)[:, None], init, xp.where((t < il - 1)[:, None], rec,
                                                                   -xp.inf))
            beta[t] = cur
            b_next = cur
        lcab = alpha + beta                                    # (T, N, ext_len)
        m = lcab.max(axis=2, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        onehot = (ext[:, :, None] == xp.arange(c)[None, None, :]).astype(lp.dtype)
        summed = xp.einsum("tns,nsc->tnc", xp.exp(lcab - m), onehot)
        with B.errstate(xp, divide="ignore", invalid="ignore", over="ignore"):
            lsum = xp.log(summed) + m
            grad = xp.exp(lp) - xp.exp(lsum + nll[None, :, None] - lp)
        valid_t = xp.arange(t_max)[:, None] < il[None, :]
        grad = xp.where(valid_t[:, :, None], grad, 0)
        if zero_infinity:
            grad = xp.where(xp.isinf(nll)[None, :, None], 0, grad)
        grad = xp.nan_to_num(grad, nan=0.0, posinf=0.0, neginf=0.0).astype(lp.dtype)
        if not on_arrays():  # create_graph: first order only, as in PyTorch
            (lp_t,) = ctx.saved_tensors
            return (_CTCGrad.apply(_wrap(grad), g.reshape(1, -1, 1), lp_t), None, None, None)
        return (_wrap(grad) * g.reshape(1, -1, 1), None, None, None)


def _ctc_grad_cls():

    class CTCGrad(Function):
        """grad * g, whose own derivative is not implemented (as PyTorch's ctc_loss)."""
        @staticmethod
        def forward(ctx, grad, g, log_probs):
            return grad * g

        @staticmethod
        def backward(ctx, gg):
            raise RuntimeError("the derivative for '_ctc_loss_backward' is not implemented.")
    return CTCGrad


class _LazyCTCGrad:
    _cls = None

    def apply(self, *args):
        if _LazyCTCGrad._cls is None:
            _LazyCTCGrad._cls = _ctc_grad_cls()
        return _LazyCTCGrad._cls.apply(*args)


_CTCGrad = _LazyCTCGrad()
