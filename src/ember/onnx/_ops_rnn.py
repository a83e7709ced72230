"""Converter for ``RNNSeq`` (one layer direction of RNN/LSTM/GRU) as ONNX RNN/LSTM/GRU.

Ember runs the input projection of all steps as one ``LinearOp`` feeding ``RNNSeq``; the
converter reads that op's input and weights instead (the LinearOp node is then unused and
pruned). PyTorch orders the gates i, f, g, o (LSTM) and r, z, n (GRU); ONNX wants i, o, f, c
and z, r, h, with the input and recurrent biases as separate Wb and Rb. GRU's candidate uses
``linear_before_reset=1`` (PyTorch's r * (W_hn h + b_hn)). ``RNNSeq``'s output is (T + 2, B, H):
the step outputs, then the final hidden state, then the final cell state (zeros but for LSTM).
"""
import numpy as np

from ..ops.nn_basic import LinearOp
from ..ops.rnn import RNNSeq
from .errors import OnnxExporterError, UnsupportedOperatorError
from ._registry import converter

__all__ = []

_PERM = {"LSTM": (0, 3, 1, 2), "GRU": (1, 0, 2), "RNN_TANH": (0,), "RNN_RELU": (0,)}


def _gates(a, mode, H):
    return np.concatenate([a[i * H:(i + 1) * H] for i in _PERM[mode]], axis=0)


def _state(g, rec, j):
    """Initial state input ``j`` unsqueezed to (1, B, H), or "" when it is constant zeros."""
    t = rec.inputs[j]
    if t is None:
        return ""
    v = g.const_value(rec, j) if not g.is_live_input(rec, j) else None
    if v is not None and not v.any():
        return ""
    return g.node("Unsqueeze", [g.input(rec, j), g.ints([0], "axes")])


@converter(RNNSeq)
def _rnn_seq(g, rec):
    mode = rec.params["mode"]
    if rec.params.get("batch_sizes") is not None:
        raise UnsupportedOperatorError("Exporting packed sequences (RNNSeq with batch_sizes) to "
                                       "ONNX is not supported by ember.onnx")
    hit = rec.sources[0]
    if hit is None or hit[0].op is not LinearOp:
        raise OnnxExporterError(f"{mode}: the input projection is not a linear op of the "
                                "layer's input")
    lin = hit[0]
    w_ih = g.const_value(lin, 1)
    b_in = g.const_value(lin, 2) if lin.inputs[2] is not None else None
    w_hh = g.const_value(rec, 3)
    if w_ih is None or w_hh is None or (lin.inputs[2] is not None and b_in is None):
        raise OnnxExporterError(f"{mode} export needs constant weights (export_params=True)")
    b_hh = g.const_value(rec, 4) if rec.inputs[4] is not None else None
    if rec.inputs[4] is not None and b_hh is None:
        raise OnnxExporterError(f"{mode} export needs constant weights (export_params=True)")
    H = w_hh.shape[1]
    dt = w_hh.dtype
    W = _gates(w_ih, mode, H)[None]
    Rw = _gates(w_hh, mode, H)[None]
    wb = np.zeros(W.shape[1], dt) if b_in is None else _gates(b_in, mode, H)
    rb = np.zeros(W.shape[1], dt) if b_hh is None else _gates(b_hh, mode, H)
    ins = [g.input(lin, 0), g.const(W, "rnn_W"), g.const(Rw, "rnn_R"),
           g.const(np.concatenate([wb, rb])[None], "rnn_B"), "", _state(g, rec, 1)]
    attrs = dict(hidden_size=int(H), direction="reverse" if rec.params["reverse"] else "forward")
    if mode == "LSTM":
        ins.append(_state(g, rec, 2))
        y, yh, yc = g.node("LSTM", ins, n_out=3, **attrs)
    elif mode == "GRU":
        y, yh = g.node("GRU", ins, n_out=2, linear_before_reset=1, **attrs)
    else:
        y, yh = g.node("RNN", ins, n_out=2, activations=["Tanh" if mode == "RNN_TANH"
                                                         else "Relu"], **attrs)
    while ins and ins[-1] == "":
        ins.pop()
    g.nodes[-1].ClearField("input")
    g.nodes[-1].input.extend(ins)
    if mode != "LSTM":
        yc = g.node("ConstantOfShape", [g.shape_of(yh)],
                    value=g.onnx.numpy_helper.from_array(np.zeros(1, dt)))
    y = g.node("Squeeze", [y, g.ints([1], "axes")])
    return g.node("Concat", [y, yh, yc], axis=0)
