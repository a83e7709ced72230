"""Recurrent layers: RNN, LSTM, GRU (multi-layer, bidirectional, packed sequences) and cells.

Each layer direction is one fused op (``ops.rnn.RNNSeq``) fed by a single input-projection
matmul over all time steps; LSTM with ``proj_size`` runs the tensor-op reference recurrence.
"""
import math
import numbers

import numpy as np

from ... import _checks
from ...autograd.grad_mode import no_grad
from ...ops.creation import empty, zeros, tensor as _tensor
from ...ops.joining import cat, stack
from ...ops.rnn import RNNSeq, GATES, reference
from ...ops.rnn_cell import LSTMCellOp
from ...ops.nn_basic import LinearOp
from ..module import Module
from ..parameter import Parameter
from .._functional.dropout import dropout as _dropout
from .._functional.conv import _fmt
from ..utils.rnn import PackedSequence

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


def _tuple_shape(shape):
    return "(" + ", ".join(str(s) for s in shape) + ")"


def _uniform_by_hidden_size_(module):
    """Every parameter of ``module`` ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), in
    registration order (PyTorch's recurrent-layer init)."""
    stdv = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0
    with no_grad():
        for w in module.parameters():
            w.uniform_(-stdv, stdv)


class RNNBase(Module):
    """Shared machinery of RNN/LSTM/GRU: parameters ``weight_ih_l{k}[_reverse]``, ...,
    PyTorch's init U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) and the layer loop."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0, device=None,
                 dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        _checks.check_module_int(input_size, "input_size")
        for flag, name in ((bias, "bias"), (batch_first, "batch_first")):
            _checks.check_module_bool(flag, name)
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or \
                isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if isinstance(hidden_size, bool) and GATES[mode] == 1:  # PyTorch's empty((True, ...))
            raise TypeError("empty(): argument 'size' (position 1) must be tuple of ints, but "
                            "found element of type bool at pos 0")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        gate = GATES[mode] * hidden_size
        dirs = 2 if bidirectional else 1
        real_h = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        for layer in range(num_layers):
            for d in range(dirs):
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                in_sz = input_size if layer == 0 else real_h * dirs
                shapes = [("weight_ih" + sfx, (gate, in_sz)), ("weight_hh" + sfx, (gate, real_h))]
                if bias:
                    shapes += [("bias_ih" + sfx, (gate,)), ("bias_hh" + sfx, (gate,))]
                if proj_size > 0:
                    shapes.append(("weight_hr" + sfx, (proj_size, hidden_size)))
                for name, shape in shapes:
                    setattr(self, name, Parameter(empty(shape, device=device, dtype=dtype)))
                    self._flat_weights_names.append(name)
        self.reset_parameters()

    def reset_parameters(self):
        """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        _uniform_by_hidden_size_(self)

    @property
    def all_weights(self):
        """Parameters grouped per layer and direction, as PyTorch's ``all_weights``."""
        return [[getattr(self, n) for n in self._flat_weights_names if n.endswith(sfx)
                 and ("_reverse" in n) == ("_reverse" in sfx)]
                for sfx in self._layer_suffixes()]

    def _layer_suffixes(self):
        dirs = 2 if self.bidirectional else 1
        return [f"_l{k}" + ("_reverse" if d else "") for k in range(self.num_layers)
                for d in range(dirs)]

    def flatten_parameters(self):
        """No-op (cuDNN weight packing does not apply)."""

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ---- forward -----------------------------------------------------------------------
    def _check_input(self, input, batch_sizes):
        w = self.weight_ih_l0
        if input.dtype is not w.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({w.dtype}). Convert input: input.to({w.dtype}), or convert "
                             f"model: model.to({input.dtype})")
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")

    def _check_hidden(self, hx, expected, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != tuple(expected):
            raise RuntimeError(msg.format(_tuple_shape(expected), _fmt(hx.shape)))

    def forward(self, input, hx=None):
        mode = self.mode
        packed = isinstance(input, PackedSequence)
        dirs = 2 if self.bidirectional else 1
        real_h = self.proj_size if self.proj_size > 0 else self.hidden_size
        if packed:
            data, bsz_t, sorted_idx, unsorted_idx = input
            bsz = [int(v) for v in bsz_t.numpy()]
            B = bsz[0]
            self._check_input(data, bsz)
            x = _packed_to_padded(data, bsz)
            batched = True
        else:
            if input.dim() not in (2, 3):
                raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got "
                                 f"{input.dim()}D instead")
            batched = input.dim() == 3
            x = input if batched else input.unsqueeze(1)
            if batched and self.batch_first:
                x = x.transpose(0, 1)
            self._check_input(x, None)
            if x.shape[0] == 0:
                raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
            B = x.shape[1]
            bsz, sorted_idx, unsorted_idx = None, None, None
        hshape = (self.num_layers * dirs, B, real_h)
        cshape = (self.num_layers * dirs, B, self.hidden_size)
        if hx is None:
            h0 = zeros(hshape, dtype=x.dtype, device=x.device)
            c0 = zeros(cshape, dtype=x.dtype, device=x.device) if mode == "LSTM" else None
        else:
            if mode == "LSTM":
                if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                    raise RuntimeError("LSTM expects hx to be a tuple (h_0, c_0)")
                h0, c0 = hx
            else:
                h0, c0 = hx, None
            if not batched:
                if h0.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                       f"{h0.dim()}-D tensor")
                h0 = h0.unsqueeze(1)
                c0 = c0.unsqueeze(1) if c0 is not None else None
            elif h0.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got "
                                   f"{h0.dim()}-D tensor")
            if sorted_idx is not None:
                h0 = h0.index_select(1, sorted_idx)
                c0 = c0.index_select(1, sorted_idx) if c0 is not None else None
            if mode == "LSTM":
                self._check_hidden(h0, hshape, "Expected hidden[0] size {}, got {}")
                self._check_hidden(c0, cshape, "Expected hidden[1] size {}, got {}")
            else:
                self._check_hidden(h0, hshape)
        hn, cn = [], []
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                k = layer * dirs + d
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                out, h, c = self._run_direction(layer_in, sfx, h0[k], None if c0 is None
                                                else c0[k], bsz, bool(d))
                outs.append(out)
                hn.append(h)
                cn.append(c)
            layer_in = outs[0] if dirs == 1 else cat(outs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_in = _dropout(layer_in, self.dropout, True)
        h_n = stack(hn)
        c_n = stack(cn) if mode == "LSTM" else None
        output = layer_in
        if packed:
            output = PackedSequence(_padded_to_packed(output, bsz), bsz_t, sorted_idx,
                                    unsorted_idx)
            if unsorted_idx is not None:
                h_n = h_n.index_select(1, unsorted_idx)
                c_n = c_n.index_select(1, unsorted_idx) if c_n is not None else None
        else:
            if not batched:
                output = output.squeeze(1)
                h_n = h_n.squeeze(1)
                c_n = c_n.squeeze(1) if c_n is not None else None
            elif self.batch_first:
                output = output.transpose(0, 1)
        return output, ((h_n, c_n) if mode == "LSTM" else h_n)

    def _run_direction(self, x, sfx, h0, c0, bsz, reverse):
        w_ih = getattr(self, "weight_ih" + sfx)
        w_hh = getattr(self, "weight_hh" + sfx)
        b_ih = getattr(self, "bias_ih" + sfx) if self.bias else None
        b_hh = getattr(self, "bias_hh" + sfx) if self.bias else None
        gru = self.mode == "GRU"
        # the input projection of every step as one GEMM with the bias added in place
        xw = LinearOp.apply(x, w_ih, None if b_ih is None else (b_ih if gru else b_ih + b_hh))
        if self.proj_size > 0:
            w_hr = getattr(self, "weight_hr" + sfx)
            return reference("LSTM", xw, h0, c0, w_hh, None, bsz, reverse, w_hr)
        Y = RNNSeq.apply(xw, h0, c0, w_hh, b_hh if gru else None, mode=self.mode,
                         batch_sizes=None if bsz is None else tuple(bsz), reverse=reverse)
        T = x.shape[0]
        return Y[:T], Y[T], (Y[T + 1] if self.mode == "LSTM" else None)


def _packed_rows(bsz):
    b = np.asarray(bsz, dtype=np.int64)
    t_idx = np.repeat(np.arange(len(b)), b)
    b_idx = np.concatenate([np.arange(v) for v in b])
    return t_idx * int(b[0]) + b_idx


def _packed_to_padded(data, bsz):
    T, B = len(bsz), bsz[0]
    pos = _packed_rows(bsz)
    src = np.full(T * B, data.shape[0], dtype=np.int64)
    src[pos] = np.arange(data.shape[0])
    padded = cat([data, data.new_zeros((1,) + tuple(data.shape[1:]))])[
        _tensor(src, device=data.device)]
    return padded.reshape((T, B) + tuple(data.shape[1:]))


def _padded_to_packed(out, bsz):
    flat = out.reshape((out.shape[0] * out.shape[1],) + tuple(out.shape[2:]))
    return flat[_tensor(_packed_rows(bsz), device=out.device)]


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).

    >>> rnn = nn.RNN(10, 20, num_layers=2); out, h_n = rnn(torch.randn(5, 3, 10))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             f"'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)

    def extra_repr(self):
        s = super().extra_repr()
        return s + (f", nonlinearity={self.nonlinearity}" if self.nonlinearity != "tanh" else "")


class LSTM(RNNBase):
    """Long short-term memory: gates (i, f, g, o) from one matmul; returns
    (output, (h_n, c_n)). ``proj_size`` > 0 projects hidden states with ``weight_hr``."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit (gates r, z, n as PyTorch: n uses r * (W_hn h + b_hn))."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)


# ---- cells -----------------------------------------------------------------------------------
class RNNCellBase(Module):
    """Parameters weight_ih, weight_hh, bias_ih, bias_hh of a single recurrent step."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), device=device,
                                         dtype=dtype))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), device=device,
                                         dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        _uniform_by_hidden_size_(self)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input, hx, name):
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} "
                               f"expected {self.input_size}")
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        return x, batched

    def _hidden(self, hx, x, batched):
        if hx is None:
            return zeros((x.shape[0], self.hidden_size), dtype=x.dtype, device=x.device)
        h = hx if batched else hx.unsqueeze(0)
        if h.shape[0] != x.shape[0]:
            raise RuntimeError(f"Input batch size {x.shape[0]} doesn't match hidden0 batch size "
                               f"{h.shape[0]}")
        if h.shape[1] != self.hidden_size:
            raise RuntimeError(f"hidden0 has inconsistent hidden_size: got {h.shape[1]}, "
                               f"expected {self.hidden_size}")
        return h

    def _step(self, mode, x, h, c=None):
        """One fused step (``RNNSeq`` with T = 1): returns its (3, B, H) result."""
        xw = x.matmul(self.weight_ih.t())
        gru = mode == "GRU"
        if self.bias:
            xw = xw + (self.bias_ih if gru else self.bias_ih + self.bias_hh)
        b_hh = self.bias_hh if gru and self.bias else None
        return RNNSeq.apply(xw.unsqueeze(0), h, c, self.weight_hh, b_hh, mode=mode)


class RNNCell(RNNCellBase):
    """One Elman step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)

    def forward(self, input, hx=None):
        x, batched = self._prepare(input, hx, "RNNCell")
        h = self._hidden(hx, x, batched)
        pre = x.matmul(self.weight_ih.t()) + h.matmul(self.weight_hh.t())
        if self.bias:
            pre = pre + (self.bias_ih + self.bias_hh)
        out = pre.tanh() if self.nonlinearity == "tanh" else pre.relu()
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; returns (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        x, batched = self._prepare(input, hx, "LSTMCell")
        if hx is None:
            h = c = self._hidden(None, x, batched)
        else:
            h, c = self._hidden(hx[0], x, batched), self._hidden(hx[1], x, batched)
        h1, c1 = LSTMCellOp.apply(x, h, c, self.weight_ih, self.weight_hh,
                                  self.bias_ih if self.bias else None,
                                  self.bias_hh if self.bias else None)
        return (h1, c1) if batched else (h1.squeeze(0), c1.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: h' = (1 - z) * n + z * h."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        x, batched = self._prepare(input, hx, "GRUCell")
        h = self._hidden(hx, x, batched)
        h1 = self._step("GRU", x, h)[1]
        return h1 if batched else h1.squeeze(0)
