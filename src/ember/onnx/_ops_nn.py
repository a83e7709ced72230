"""Converters for the fused nn ops: linear, convolution and transposed convolution, layer
norm, activations (relu, gelu and the activation table), max/average pooling, embedding."""
import math

import numpy as np

from ..ops import conv as C, nn_basic as NB, pooling as P
from ..ops.nn_activation import ActivationOp
from .errors import OnnxExporterError, UnsupportedOperatorError
from ._registry import converter

__all__ = []


@converter(NB.LinearOp)
def _linear(g, rec):
    x, w = g.input(rec, 0), g.input(rec, 1)
    b = g.input(rec, 2) if rec.inputs[2] is not None else ""
    if rec.inputs[0].dim() == 2:
        return g.node("Gemm", [x, w] + ([b] if b else []), transB=1)
    y = g.node("MatMul", [x, g.node("Transpose", [w], perm=[1, 0])])
    return g.node("Add", [y, b]) if b else y


def _conv_attrs(geom):
    stride, pad, dil, groups = geom
    return dict(strides=list(stride), pads=[p[0] for p in pad] + [p[1] for p in pad],
                dilations=list(dil), group=int(groups))


@converter(C.Conv)
def _conv(g, rec):
    ins = [g.input(rec, 0), g.input(rec, 1)] + ([g.input(rec, 2)] if rec.inputs[2] is not None
                                                else [])
    k = list(rec.inputs[1].shape[2:])
    return g.node("Conv", ins, kernel_shape=k, **_conv_attrs(rec.params["geom"]))


@converter(C.ConvTransposeBias)
def _conv_transpose(g, rec):
    x, w = rec.inputs[0], rec.inputs[1]
    stride, pad, dil, groups = rec.params["geom"]
    k = w.shape[2:]
    out = rec.params["xshape"][2:]
    opad = [o - ((i - 1) * s - (p[0] + p[1]) + d * (kk - 1) + 1)
            for o, i, s, p, d, kk in zip(out, x.shape[2:], stride, pad, dil, k)]
    ins = [g.input(rec, 0), g.input(rec, 1)] + ([g.input(rec, 2)] if rec.inputs[2] is not None
                                                else [])
    return g.node("ConvTranspose", ins, kernel_shape=list(k), output_padding=opad,
                  **_conv_attrs(rec.params["geom"]))


@converter(NB.LayerNormOp)
def _layer_norm(g, rec):
    x = rec.inputs[0]
    k = rec.params["k"]
    w = g.input(rec, 1) if rec.inputs[1] is not None else \
        g.const(np.ones(x.shape[x.dim() - k:], dtype=x._data.dtype), "ln_scale")
    ins = [g.input(rec, 0), w] + ([g.input(rec, 2)] if rec.inputs[2] is not None else [])
    return g.node("LayerNormalization", ins, axis=-k, epsilon=float(rec.params["eps"]))


@converter(NB.ReluOp)
def _relu(g, rec):
    return g.node("Relu", [g.input(rec, 0)])


@converter(NB.GeluOp)
def _gelu(g, rec):
    x, t = g.input(rec, 0), rec.inputs[0]
    approx = rec.params["approximate"]
    if g.opset >= 20:
        return g.node("Gelu", [x], approximate=approx)
    half = g.scalar_like(0.5, t)
    if approx == "tanh":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        cube = g.node("Mul", [g.node("Mul", [x, x]), x])
        inner = g.node("Add", [x, g.node("Mul", [cube, g.scalar_like(0.044715, t)])])
        th = g.node("Tanh", [g.node("Mul", [inner, g.scalar_like(math.sqrt(2 / math.pi), t)])])
    else:  # 0.5 x (1 + erf(x / sqrt 2))
        th = g.node("Erf", [g.node("Mul", [x, g.scalar_like(1 / math.sqrt(2), t)])])
    return g.node("Mul", [g.node("Mul", [x, half]), g.node("Add", [th, g.scalar_like(1, t)])])


_SELU = (1.6732632423543772848170429916717, 1.0507009873554804934193349852946)


def _act(g, x, t, row, p):
    if row == "leaky_relu":
        return g.node("LeakyRelu", [x], alpha=float(p[0]))
    if row == "elu":
        alpha, scale, in_scale = p
        if scale == 1 and in_scale == 1:
            return g.node("Elu", [x], alpha=float(alpha))
        if math.isclose(alpha, _SELU[0]) and math.isclose(scale, _SELU[1]) and in_scale == 1:
            return g.node("Selu", [x], alpha=float(alpha), gamma=float(scale))
        if scale == 1 and math.isclose(in_scale * alpha, 1.0):
            return g.node("Celu", [x], alpha=float(alpha))
    elif row == "silu":
        return g.node("Mul", [x, g.node("Sigmoid", [x])])
    elif row == "softplus":
        beta, _th = p
        if beta == 1:
            return g.node("Softplus", [x])
        sp = g.node("Softplus", [g.node("Mul", [x, g.scalar_like(beta, t)])])
        return g.node("Div", [sp, g.scalar_like(beta, t)])
    elif row == "mish":
        return g.node("Mul", [x, g.node("Tanh", [g.node("Softplus", [x])])])
    elif row == "hardtanh":
        return g.node("Clip", [x, g.scalar_like(p[0], t), g.scalar_like(p[1], t)])
    elif row == "hardsigmoid":
        return g.node("HardSigmoid", [x], alpha=1 / 6, beta=0.5)
    elif row == "hardswish":
        return g.node("HardSwish", [x])
    elif row == "logsigmoid":
        return g.node("Neg", [g.node("Softplus", [g.node("Neg", [x])])])
    elif row == "softsign":
        return g.node("Softsign", [x])
    elif row == "tanhshrink":
        return g.node("Sub", [x, g.node("Tanh", [x])])
    elif row == "softshrink":
        return g.node("Shrink", [x], lambd=float(p[0]), bias=float(p[0]))
    elif row == "hardshrink":
        return g.node("Shrink", [x], lambd=float(p[0]))
    elif row == "threshold":
        th, value = p
        return g.node("Where", [g.node("Greater", [x, g.scalar_like(th, t)]), x,
                                g.scalar_like(value, t)])
    raise UnsupportedOperatorError(f"Exporting the activation '{row}' with parameters {p} to "
                                   "ONNX is not supported by ember.onnx")


@converter(ActivationOp)
def _activation(g, rec):
    return _act(g, g.input(rec, 0), rec.inputs[0], rec.params["row"], tuple(rec.params["p"]))


@converter(P.PlaneGather)
def _max_pool(g, rec):
    geom = g.geoms.get(rec.index)
    if geom is None:
        raise UnsupportedOperatorError("Exporting the operator 'PlaneGather' (adaptive max "
                                       "pooling or max_unpool) to ONNX is not supported by "
                                       "ember.onnx")
    k, s, p, d, ceil = geom
    x, y = rec.inputs[0], rec.outputs[0]
    if x.dim() != len(k) + 2:
        raise UnsupportedOperatorError("max pooling of unbatched input")
    hi = list(p)
    if ceil:  # the right padding that gives PyTorch's ceil-mode output size, floor rounding
        x2, y2 = g.alt(rec).inputs[0], g.alt(rec).outputs[0]
        for xs, ys in ((x, y), (x2, y2)):
            his = [max(0, (o - 1) * ss + dd * (kk - 1) + 1 - L - pp)
                   for o, ss, dd, kk, L, pp in zip(ys.shape[2:], s, d, k, xs.shape[2:], p)]
            if xs is x:
                hi = his
            elif his != hi:
                raise OnnxExporterError("ceil_mode max pooling over a dynamic spatial axis")
    return g.node("MaxPool", [g.input(rec, 0)], kernel_shape=list(k), strides=list(s),
                  pads=list(p) + list(hi), dilations=list(d))


@converter(P.WindowSum)
def _window_sum(g, rec):
    x, r2 = rec.inputs[0], g.alt(rec)
    k, stride, pad, osz, scale = (rec.params[n] for n in ("k", "stride", "pad", "osz", "scale"))
    sp, sp2 = tuple(x.shape[2:]), tuple(r2.inputs[0].shape[2:])
    n = math.prod(k)
    dt = x._data.dtype
    uniform = scale is not None and np.ndim(scale) == 0 and math.isclose(float(scale), 1 / n,
                                                                         rel_tol=1e-6)
    if all(o == 1 for o in osz) and not any(a or b for a, b in pad) and uniform and \
            tuple(k) == sp and tuple(r2.params["k"]) == sp2:
        return g.node("GlobalAveragePool", [g.input(rec, 0)])
    if (k, stride, pad, osz) != tuple(r2.params[n] for n in ("k", "stride", "pad", "osz")):
        raise OnnxExporterError("average pooling whose windows change with a dynamic axis")
    y = g.input(rec, 0)
    if any(a or b for a, b in pad):
        pads = [0, 0] + [a for a, _ in pad] + [0, 0] + [b for _, b in pad]
        y = g.node("Pad", [y, g.ints(pads, "pads"), g.const(np.zeros((), dt), "zero")])
    y = g.node("AveragePool", [y], kernel_shape=list(k), strides=list(stride))
    if not uniform:
        mult = np.asarray(1.0 if scale is None else scale, dtype=np.float64) * n
        y = g.node("Mul", [y, g.const(mult.astype(dt), "pool_scale")])
    return y


@converter(NB.EmbeddingOp)
def _embedding(g, rec):
    return g.node("Gather", [g.input(rec, 0), g.input(rec, 1)], axis=0)


@converter(NB.BatchNormOp)
def _batch_norm_batch_stats(g, rec):
    """Batch norm with the batch's own statistics (training mode, instance norm, or
    ``track_running_stats=False``): biased variance over every dim but 1."""
    x, t = g.input(rec, 0), rec.inputs[0]
    axes = (0,) + tuple(range(2, t.dim()))
    mean = g.reduce("ReduceMean", x, axes, True)
    c = g.node("Sub", [x, mean])
    var = g.reduce("ReduceMean", g.node("Mul", [c, c]), axes, True)
    y = g.node("Div", [c, g.node("Sqrt", [g.node("Add", [var, g.scalar_like(
        float(rec.params["eps"]), t)])])])
    shape = g.ints([1, -1] + [1] * (t.dim() - 2))
    if rec.inputs[1] is not None:
        y = g.node("Mul", [y, g.node("Reshape", [g.input(rec, 1), shape])])
    if rec.inputs[2] is not None:
        y = g.node("Add", [y, g.node("Reshape", [g.input(rec, 2), shape])])
    return y
