"""ONNX export of nn.LSTMCell's fused two-output node (``LSTMCellOp``, issue 15): each step
becomes a one-step ONNX LSTM whose Y_h / Y_c are h' and c'. The exported graph runs in
onnxruntime (ReferenceEvaluator without it) at two batch sizes and matches Ember's forward and
PyTorch's."""
import numpy as np
import pytest

onnx = pytest.importorskip("onnx")

import ember  # noqa: E402
from ember import nn  # noqa: E402

from onnx_util import check_export, export_bytes, runner  # noqa: E402

R = ember.randn


class _CellState(nn.Module):
    """One LSTMCell step with the state given: returns (h', c')."""

    def __init__(self, bias=True):
        super().__init__()
        self.cell = nn.LSTMCell(3, 5, bias=bias)

    def forward(self, x, h, c):
        return self.cell(x, (h, c))


class _CellLoop(nn.Module):
    """A Python loop of LSTMCell steps over a (T, B, 3) input, then a linear head on h."""

    def __init__(self):
        super().__init__()
        self.cell = nn.LSTMCell(3, 4)
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        h = c = None
        for t in range(x.shape[0]):
            h, c = self.cell(x[t]) if h is None else self.cell(x[t], (h, c))
        return self.head(h), c


@pytest.mark.parametrize("bias", [True, False])
def test_cell_with_state_inputs(bias):
    ember.manual_seed(0)
    ins = [(R(2, 3), R(2, 5), R(2, 5)), (R(4, 3), R(4, 5), R(4, 5))]
    check_export(_CellState(bias), ins, ["x", "h", "c"],
                 {"x": {0: "batch"}, "h": {0: "batch"}, "c": {0: "batch"}})


def test_cell_loop_exports_one_lstm_per_step():
    ember.manual_seed(0)
    model = _CellLoop()
    check_export(model, [(R(4, 2, 3),), (R(4, 3, 3),)], ["x"], {"x": {1: "batch"}})
    graph = onnx.load_from_string(export_bytes(model, (R(4, 2, 3),), input_names=["x"])).graph
    assert [n.op_type for n in graph.node].count("LSTM") == 4


def test_unbatched_cell():
    ember.manual_seed(0)
    check_export(nn.LSTMCell(3, 4), [(R(3),)], ["x"], {})


def test_cell_export_matches_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    tcell = torch.nn.LSTMCell(3, 5)
    cell = nn.LSTMCell(3, 5)
    cell.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                          tcell.state_dict().items()})
    x, h, c = (np.random.default_rng(k).standard_normal(s).astype(np.float32)
               for k, s in enumerate([(3, 3), (3, 5), (3, 5)]))

    class Wrap(nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = cell

        def forward(self, x, h, c):
            return self.cell(x, (h, c))
    data = export_bytes(Wrap().eval(), (ember.tensor(x), ember.tensor(h), ember.tensor(c)),
                        input_names=["x", "h", "c"])
    run, _ = runner(data)
    got = run({"x": x, "h": h, "c": c})
    with torch.no_grad():
        want = tcell(torch.tensor(x), (torch.tensor(h), torch.tensor(c)))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w.numpy(), atol=1e-5, rtol=1e-5)
