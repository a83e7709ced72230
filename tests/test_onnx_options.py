"""ember.onnx.export's surface: errors for what cannot be exported, the ImportError without the
onnx package, file objects and paths, ReferenceEvaluator as the runner, and the options
(export_params, opset_version, keep_initializers_as_inputs, training mode)."""
import io
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")

import ember  # noqa: E402
from ember import nn  # noqa: E402
from ember.onnx import OnnxExporterError, UnsupportedOperatorError  # noqa: E402

import onnx_util  # noqa: E402
from onnx_util import check_export, export_bytes  # noqa: E402

R = ember.randn
BATCH = {"input": {0: "batch"}}


def _lenet_small():
    from ember.vision.models import lenet
    ember.manual_seed(0)
    return lenet(image_size=8).eval()


class _Flipper(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)

    def forward(self, x):
        return self.fc(x).cumprod(0)


def test_unsupported_op_names_the_op_and_module():
    model = nn.Sequential(nn.Linear(3, 3), _Flipper())
    with pytest.raises(UnsupportedOperatorError, match=r"'Cumprod'.*opset version 17.*module '1'"):
        ember.onnx.export(model, R(2, 3), io.BytesIO())
    assert issubclass(UnsupportedOperatorError, RuntimeError)
    assert ember.onnx.errors.UnsupportedOperatorError is UnsupportedOperatorError


class _Square(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * x

    @staticmethod
    def backward(ctx, g):
        return 2 * g


class _Custom(nn.Module):
    def forward(self, x):
        return _Square.apply(x) + 1


def test_custom_function_is_refused_by_name():
    with pytest.raises(UnsupportedOperatorError, match="_Square"):
        ember.onnx.export(_Custom(), R(2, 3), io.BytesIO())


class _LeaksValues(nn.Module):
    def forward(self, x):
        scale = ember.tensor(float(x.detach().numpy().max()))  # computed outside the graph
        return x * scale


def test_values_computed_outside_the_graph_are_refused():
    with pytest.raises(OnnxExporterError, match="outside Ember's recorded ops"):
        ember.onnx.export(_LeaksValues(), R(2, 3), io.BytesIO())


@pytest.mark.parametrize("fn, match", [
    (lambda x: ember.sort(x, 1).values, "cannot be rebuilt|outside"),
    (lambda x: x[x > 0], "advanced indexing"),
    (lambda x: x[:, ember.randperm(3)], "index array changed"),
])
def test_data_dependent_results_are_refused(fn, match):
    class M(nn.Module):
        def forward(self, x):
            return fn(x)
    with pytest.raises(OnnxExporterError, match=match):
        ember.onnx.export(M(), R(2, 3), io.BytesIO(), dynamic_axes=BATCH)


class _Branchy(nn.Module):
    def forward(self, x):
        return x * 2 if x.shape[0] < 3 else x + 1


def test_control_flow_on_a_dynamic_size_is_refused():
    with pytest.raises(OnnxExporterError, match="different ops"):
        ember.onnx.export(_Branchy(), R(2, 3), io.BytesIO(), dynamic_axes=BATCH)
    export_bytes(_Branchy(), R(2, 3))  # fine with static shapes


class _Trim(nn.Module):
    def forward(self, x):
        return x[:, : x.shape[1] - 1] * 2, x[:, x.shape[1] - 2]


def test_slices_bounded_by_a_dynamic_size():
    check_export(_Trim(), [(R(2, 5),), (R(3, 8),)], ["input"], {"input": {0: "b", 1: "t"}})


def test_import_error_without_onnx():
    code = ("import sys; sys.modules['onnx'] = None\n"
            "import ember, ember.onnx\n"
            "assert ember.onnx.export is not None and not ember.onnx.is_onnx_available()\n"
            "try:\n"
            "    ember.onnx.export(ember.nn.Linear(2, 2), ember.randn(1, 2), 'x.onnx')\n"
            "except ImportError as e:\n"
            "    print('IMPORT-ERROR', e)\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    assert 'IMPORT-ERROR' in res.stdout and 'pip install "ember[onnx]"' in res.stdout


def test_file_object_and_path(tmp_path):
    model = _lenet_small()
    x = R(2, 1, 8, 8)
    buf = io.BytesIO()
    proto = ember.onnx.export(model, (x,), buf, dynamic_axes=BATCH)
    path = tmp_path / "lenet.onnx"
    ember.onnx.export(model, (x,), str(path), dynamic_axes=BATCH)
    ember.onnx.export(model, (x,), path, dynamic_axes=BATCH)  # os.PathLike
    assert buf.getvalue() == path.read_bytes() == proto.SerializeToString()
    loaded = onnx.load(str(path))
    onnx.checker.check_model(loaded, full_check=True)
    with open(tmp_path / "f.onnx", "wb") as fh:
        ember.onnx.export(model, x, fh)
    assert onnx.load(str(tmp_path / "f.onnx")).graph.node


class _Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 8, batch_first=True)
        self.head = nn.Linear(8, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


@pytest.mark.parametrize("name", ["lenet_small", "forecaster", "gru_attention"])
def test_reference_evaluator(name):
    ember.manual_seed(0)
    if name == "lenet_small":
        model, ins = _lenet_small(), [(R(2, 1, 8, 8),), (R(3, 1, 8, 8),)]
    elif name == "forecaster":
        model, ins = _Forecaster(), [(R(2, 6, 1),), (R(4, 6, 1),)]
    else:
        model, ins = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True), \
            [(R(2, 3, 8),), (R(3, 4, 8),)]
    used = check_export(model, ins, ["input"], {"input": {0: "batch", 1: "seq"}}
                        if name == "gru_attention" else BATCH, engine="reference", atol=1e-4)
    assert used == "reference"


def test_runner_falls_back_to_reference_without_onnxruntime(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    model = nn.Sequential(nn.Linear(4, 3), nn.Tanh())
    used = check_export(model, [(R(2, 4),), (R(5, 4),)], ["input"], BATCH)
    assert used == "reference"


def test_export_params_false():
    pytest.importorskip("onnxruntime")
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.LayerNorm(3), nn.ReLU(), nn.Linear(3, 2)).eval()
    data = export_bytes(model, R(2, 4), export_params=False, dynamic_axes=BATCH)
    g = onnx.load_from_string(data).graph
    assert not g.initializer or all(not t.name[0].isdigit() for t in g.initializer)
    names = [i.name for i in g.input]
    assert names[0] == "input" and {"0.weight", "0.bias", "3.weight"} <= set(names)
    run, _ = onnx_util.runner(data)
    x = R(5, 4)
    feeds = {"input": x.numpy()}
    feeds.update({n: p.detach().numpy() for n, p in model.state_dict().items() if n in names})
    np.testing.assert_allclose(run(feeds)[0], model(x).detach().numpy(), atol=1e-5)


def test_export_params_false_refuses_rnn():
    with pytest.raises(OnnxExporterError, match="constant weights"):
        ember.onnx.export(nn.GRU(2, 3), R(4, 1, 2), io.BytesIO(), export_params=False)


@pytest.mark.parametrize("opset", [18, 19, 20])
def test_opsets(opset):
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.GELU(), nn.LayerNorm(6), nn.Softmax(-1))

    class Red(nn.Module):
        def forward(self, x):
            y = model(x)
            return y.sum(1) + y.amax(1) - y.amin(1) + y.prod(1) + y.mean(1)
    check_export(Red(), [(R(2, 4),), (R(3, 4),)], ["input"], BATCH, opset_version=opset)
    data = export_bytes(model, R(2, 4), opset_version=opset)
    m = onnx.load_from_string(data)
    assert m.opset_import[0].version == opset
    assert ("Gelu" in {n.op_type for n in m.graph.node}) == (opset >= 20)


def test_bad_arguments():
    model = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="opset_version"):
        ember.onnx.export(model, R(1, 2), io.BytesIO(), opset_version=11)
    with pytest.raises(ValueError, match="'nope'"):
        ember.onnx.export(model, R(1, 2), io.BytesIO(), dynamic_axes={"nope": [0]})
    with pytest.raises(IndexError, match="out of range"):
        ember.onnx.export(model, R(1, 2), io.BytesIO(), dynamic_axes={"input": [5]})


def test_exports_in_eval_mode_and_restores_training():
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.Dropout(0.5))
    model.train()
    data = export_bytes(model, R(3, 4), dynamic_axes=BATCH)
    assert model.training and all(m.training for m in model.modules())
    run, _ = onnx_util.runner(data)
    x = R(6, 4)
    model.eval()
    np.testing.assert_allclose(run({"input": x.numpy()})[0], model(x).detach().numpy(),
                               atol=1e-5)


def test_keep_initializers_as_inputs_and_names():
    model = nn.Linear(3, 2)
    data = export_bytes(model, R(2, 3), input_names=["x"], output_names=["y"],
                        keep_initializers_as_inputs=True)
    g = onnx.load_from_string(data).graph
    assert [i.name for i in g.input] == ["x", "weight", "bias"]
    assert [o.name for o in g.output] == ["y"]


class _Keywords(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)

    def forward(self, x, bias=None, scale=1.0):
        y = self.fc(x) * scale
        return y if bias is None else y + bias


def test_trailing_dict_is_keyword_arguments():
    ember.manual_seed(0)
    model = _Keywords().eval()
    data = export_bytes(model, (R(2, 3), {"bias": R(2, 2), "scale": 3.0}),
                        input_names=["x", "bias"],
                        dynamic_axes={"x": {0: "batch"}, "bias": {0: "batch"}})
    run, _ = onnx_util.runner(data)
    x, b = R(4, 3), R(4, 2)
    np.testing.assert_allclose(run({"x": x.numpy(), "bias": b.numpy()})[0],
                               model(x, bias=b, scale=3.0).detach().numpy(), atol=1e-5)


def test_unused_values_that_cannot_be_exported_are_no_error():
    # unbatched max pooling squeezes its (data-dependent) indices too; nobody reads them
    ember.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.MaxPool2d(2))
    check_export(model, [(R(2, 6, 6),)], ["input"], None)

    class Indices(nn.Module):
        def forward(self, x):
            return nn.functional.max_pool2d(x, 2, return_indices=True)
    with pytest.raises(OnnxExporterError, match="output 1"):
        ember.onnx.export(Indices(), R(1, 2, 6, 6), io.BytesIO())


def test_f_none_returns_the_model_only():
    proto = ember.onnx.export(nn.Linear(2, 2), R(1, 2), None, dynamo=False)
    onnx.checker.check_model(proto, full_check=True)
    assert [n.op_type for n in proto.graph.node] == ["Gemm", "Identity"]
