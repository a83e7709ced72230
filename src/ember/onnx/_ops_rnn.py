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
from ..ops.rnn_cell import LSTMCellOp
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


def _weights(g, rec, lin, mode, H):
    """(W, R, B) initializer names and the ONNX X input for ``RNNSeq`` ``rec``: from the
    LinearOp that projects the layer's input when there is one with constant weights, else
    X is the projection itself and W a (permuted) identity."""
    w_hh = g.const_value(rec, 3)
    b_hh = g.const_value(rec, 4) if rec.inputs[4] is not None else None
    if w_hh is None or (rec.inputs[4] is not None and b_hh is None):
        raise OnnxExporterError(f"{mode} export needs constant weights (export_params=True)")
    dt = w_hh.dtype
    w_ih = b_in = None
    if lin is not None:
        w_ih = g.const_value(lin, 1)
        b_in = g.const_value(lin, 2) if lin.inputs[2] is not None else None
        if lin.inputs[2] is not None and b_in is None:
            w_ih = None
    if w_ih is None:  # the projection is computed in the graph: feed it through an identity
        x = g.input(rec, 0)
        w_ih, b_in = np.eye(w_hh.shape[0], dtype=dt), None
    else:
        x = g.input(lin, 0)
    W = _gates(w_ih, mode, H)[None]
    R = _gates(w_hh, mode, H)[None]
    wb = np.zeros(W.shape[1], dt) if b_in is None else _gates(b_in, mode, H)
    rb = np.zeros(W.shape[1], dt) if b_hh is None else _gates(b_hh, mode, H)
    return x, g.const(W, "rnn_W"), g.const(R, "rnn_R"), g.const(
        np.concatenate([wb, rb])[None], "rnn_B")


def _rnn_node(g, mode, ins, reverse, H, dt):
    """The ONNX RNN/LSTM/GRU node; returns (Y, Y_h, Y_c) (Y_c zeros but for LSTM)."""
    while ins and ins[-1] == "":
        ins = ins[:-1]
    attrs = dict(hidden_size=int(H), direction="reverse" if reverse else "forward")
    if mode == "LSTM":
        return g.node("LSTM", ins, n_out=3, **attrs)
    if mode == "GRU":
        y, yh = g.node("GRU", ins, n_out=2, linear_before_reset=1, **attrs)
    else:
        y, yh = g.node("RNN", ins, n_out=2, activations=["Tanh" if mode == "RNN_TANH"
                                                         else "Relu"], **attrs)
    yc = g.node("ConstantOfShape", [g.shape_of(yh)],
                value=g.onnx.numpy_helper.from_array(np.zeros(1, dt)))
    return y, yh, yc


@converter(RNNSeq)
def _rnn_seq(g, rec):
    mode = rec.params["mode"]
    if rec.params.get("batch_sizes") is not None:
        raise UnsupportedOperatorError("Exporting packed sequences (RNNSeq with batch_sizes) to "
                                       "ONNX is not supported by ember.onnx")
    hit = rec.sources[0]
    lin = hit[0] if hit is not None and hit[0].op is LinearOp else None
    H = rec.inputs[3].shape[1]
    x, W, R, B = _weights(g, rec, lin, mode, H)
    ins = [x, W, R, B, "", _state(g, rec, 1)] + ([_state(g, rec, 2)] if mode == "LSTM" else [])
    y, yh, yc = _rnn_node(g, mode, ins, rec.params.get("reverse", False), H,
                          rec.inputs[3]._data.dtype)
    y = g.node("Squeeze", [y, g.ints([1], "axes")])
    return g.node("Concat", [y, yh, yc], axis=0)


@converter(LSTMCellOp)
def _lstm_cell(g, rec):
    """``nn.LSTMCell``'s fused step (one node, two outputs h' and c') as a one-step ONNX LSTM
    whose Y_h and Y_c, squeezed to (B, H), are the two outputs."""
    w_ih, w_hh = g.const_value(rec, 3), g.const_value(rec, 4)
    bs = [g.const_value(rec, j) if rec.inputs[j] is not None else None for j in (5, 6)]
    if w_ih is None or w_hh is None or any(b is None and rec.inputs[j] is not None
                                           for b, j in zip(bs, (5, 6))):
        raise OnnxExporterError("LSTMCell export needs constant weights (export_params=True)")
    H, dt = w_hh.shape[1], w_hh.dtype
    b = [np.zeros(4 * H, dt) if v is None else _gates(v, "LSTM", H) for v in bs]
    ins = [g.node("Unsqueeze", [g.input(rec, 0), g.ints([0], "axes")]),
           g.const(_gates(w_ih, "LSTM", H)[None], "lstm_W"),
           g.const(_gates(w_hh, "LSTM", H)[None], "lstm_R"),
           g.const(np.concatenate(b)[None], "lstm_B"), "", _state(g, rec, 1), _state(g, rec, 2)]
    _, yh, yc = _rnn_node(g, "LSTM", ins, False, H, dt)
    return [g.node("Squeeze", [v, g.ints([0], "axes")]) for v in (yh, yc)]
