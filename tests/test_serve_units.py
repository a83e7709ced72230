"""``ember serve`` pieces in-process: the batcher (own rows back, max_batch, shape grouping,
fault isolation), body codecs, the metrics text, input checks and spec inference, and the
``ember`` command line (serve / run dispatch, ``python -m ember``, no Starlette on ``import ember``)."""
import asyncio
import io
import json
import re
import subprocess
import sys
import types

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.serve import codecs
from ember.serve.batcher import Batcher
from ember.serve.metrics import Metrics
from ember.serve.model import ServedModel, TensorSpec, _infer_input, check_model_spec
from serve_util import parse_metrics


class Recorder:
    def __init__(self, fail_on=None):
        self.calls, self.fail_on = [], fail_on

    def __call__(self, batch):
        self.calls.append(batch.shape)
        if self.fail_on is not None and (batch == self.fail_on).any():
            raise ValueError("bad row")
        return batch * 2 + 1


def run_batcher(arrays, max_batch=8, max_delay=0.01, predict=None):
    predict = predict or Recorder()
    metrics = Metrics(max_batch)

    async def main():
        b = Batcher(predict, max_batch, max_delay, metrics)
        b.start()
        outs = await asyncio.gather(*(b.submit(a) for a in arrays), return_exceptions=True)
        await b.stop()
        return outs
    return asyncio.run(main()), predict, metrics


def test_batcher_callers_get_their_own_rows():
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(int(n), 3)) for n in rng.integers(1, 5, 30)]
    outs, rec, metrics = run_batcher(arrays, max_batch=8)
    for a, o in zip(arrays, outs):
        np.testing.assert_array_equal(o, a * 2 + 1)
    assert all(s[0] <= 8 for s in rec.calls)
    assert len(rec.calls) < len(arrays)
    assert sum(s[0] for s in rec.calls) == sum(a.shape[0] for a in arrays)
    assert metrics.batch_size.count == len(rec.calls) and metrics.queue_depth == 0


def test_batcher_big_request_alone_and_shapes_apart():
    arrays = [np.ones((2, 3)), np.ones((20, 3)), np.ones((2, 5)), np.ones((1, 3))]
    outs, rec, _ = run_batcher(arrays, max_batch=8, max_delay=0.05)
    assert rec.calls == [(2, 3), (20, 3), (2, 5), (1, 3)]
    for a, o in zip(arrays, outs):
        np.testing.assert_array_equal(o, a * 2 + 1)


def test_batcher_max_batch_one_is_unbatched():
    arrays = [np.full((1, 2), float(i)) for i in range(5)]
    outs, rec, _ = run_batcher(arrays, max_batch=1)
    assert rec.calls == [(1, 2)] * 5


def test_batcher_fault_fails_only_its_request():
    arrays = [np.full((2, 3), float(i)) for i in range(6)]
    outs, rec, metrics = run_batcher(arrays, max_batch=64, predict=Recorder(fail_on=3.0))
    assert rec.calls[0] == (12, 3)               # one batch, then each request alone
    for i, (a, o) in enumerate(zip(arrays, outs)):
        if i == 3:
            assert isinstance(o, ValueError)
        else:
            np.testing.assert_array_equal(o, a * 2 + 1)
    assert metrics.model_errors == 2


def test_batcher_rejects_bad_settings():
    with pytest.raises(ValueError, match="max_batch must be at least 1, got 0"):
        Batcher(abs, 0)
    with pytest.raises(ValueError, match="max_delay"):
        Batcher(abs, 4, -1)


def test_codecs_round_trip():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert codecs.format_of("application/json; charset=utf-8") == codecs.JSON
    assert codecs.format_of(None) == codecs.JSON
    with pytest.raises(codecs.BodyError, match="unsupported Content-Type 'text/plain'") as e:
        codecs.format_of("text/plain")
    assert e.value.status == 415
    body = codecs.encode(codecs.NPY, x)
    np.testing.assert_array_equal(codecs.decode(codecs.NPY, body), x)
    body = codecs.encode(codecs.SAFETENSORS, x)
    np.testing.assert_array_equal(codecs.decode(codecs.SAFETENSORS, body), x)
    assert json.loads(codecs.encode(codecs.JSON, x)) == {"outputs": x.tolist()}
    np.testing.assert_array_equal(codecs.decode(codecs.JSON, json.dumps({"inputs": x.tolist()})), x)


def test_npy_pickled_objects_refused():
    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(codecs.BodyError, match="malformed .npy") as e:
        codecs.decode(codecs.NPY, buf.getvalue())
    assert e.value.status == 400


def test_metrics_text():
    m = Metrics(max_batch=6)
    m.request("/predict", 200, 0.003)
    m.request("/predict", 200, 0.2)
    m.request("/predict", 422, 0.001)
    m.batch(1)
    m.batch(6)
    s = parse_metrics(m.render())
    assert s['ember_serve_requests_total{endpoint="/predict",status="200"}'] == 2
    assert s['ember_serve_errors_total{endpoint="/predict",status="422"}'] == 1
    assert 'ember_serve_errors_total{endpoint="/predict",status="200"}' not in s
    assert s['ember_serve_request_latency_seconds_bucket{le="0.001"}'] == 1      # le is <=
    assert s['ember_serve_request_latency_seconds_bucket{le="0.005"}'] == 2
    assert s['ember_serve_request_latency_seconds_bucket{le="+Inf"}'] == 3
    assert s["ember_serve_request_latency_seconds_sum"] == pytest.approx(0.204)
    assert [k for k in s if k.startswith("ember_serve_batch_size_bucket")] == [
        f'ember_serve_batch_size_bucket{{le="{b}"}}' for b in ("1.0", "2.0", "4.0", "6.0", "+Inf")]
    assert s['ember_serve_batch_size_bucket{le="4.0"}'] == 1
    assert s["ember_serve_batch_size_sum"] == 7


def test_metrics_label_escaping():
    m = Metrics(4)
    m.request('/a"b\\c\n', 404)
    assert 'endpoint="/a\\"b\\\\c\\n"' in m.render()


def served(shape, dtype=np.float32):
    return ServedModel("m", "ember", TensorSpec("input", shape, dtype),
                       TensorSpec("output", None, dtype), lambda b: b)


def test_check_casts_and_refuses():
    m = served((None, 3))
    out = m.check(np.ones((2, 3), np.int64))
    assert out.dtype == np.float32 and out.flags.c_contiguous
    assert m.check(np.ones((2, 3), np.float64)).dtype == np.float32
    for bad, words in [(np.ones((2, 4)), "(2, 4) does not match the model's input shape (N, 3)"),
                       (np.ones(3), "(3,) does not match"), (np.float32(1), "at least one row"),
                       (np.ones((0, 3)), "at least one row"),
                       (np.ones((2, 3), np.complex64), "complex64 cannot be converted to"),
                       (np.ones((2, 3), bool), "bool cannot be converted")]:
        with pytest.raises(codecs.BodyError, match=re.escape(words)):
            m.check(bad)
    ints = served((None, None), np.int64)
    with pytest.raises(codecs.BodyError, match="float64 cannot be converted to the model's input dtype int64"):
        ints.check(np.ones((1, 5)))
    assert ints.check(np.ones((1, 5), np.int32)).dtype == np.int64
    with pytest.raises(RuntimeError, match="model returned shape"):
        ServedModel("m", "ember", m.input, m.output, lambda b: b[:1]).predict(np.ones((3, 3)))


def test_input_spec_inference():
    f32 = np.dtype(np.float32)
    assert _infer_input(nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU()), f32).shape == (None, 3, None, None)
    assert _infer_input(nn.Sequential(nn.Embedding(10, 4)), f32).dtype == np.int64
    assert _infer_input(nn.Sequential(nn.ReLU()), f32).shape is None
    net = nn.Sequential(nn.ReLU())
    net.input_shape, net.input_dtype = (1, 2, 5), ember.float64
    spec = _infer_input(net, f32)
    assert spec.shape == (None, 2, 5) and spec.dtype == np.float64


def test_check_model_spec_messages(tmp_path):
    assert "does not exist" in check_model_spec(str(tmp_path / "none.onnx"))
    assert "module.path:factory" in check_model_spec("justaname")
    assert "cannot find serve_util:nope" in check_model_spec("serve_util:nope")
    assert "not a callable" in check_model_spec("serve_util:BAD")
    assert check_model_spec("serve_util:make_mlp") is None
    assert "checkpoint" in check_model_spec("serve_util:make_mlp", str(tmp_path / "x.pt"))


def test_cli_dispatch(monkeypatch, capsys):
    from ember.cli import main
    assert main([]) == 2 and "usage: ember" in capsys.readouterr().err
    assert main(["--help"]) == 0 and "serve MODEL" in capsys.readouterr().out
    assert main(["frobnicate"]) == 2 and "unknown command 'frobnicate'" in capsys.readouterr().err
    seen = []
    fake = types.ModuleType("ember.compat")
    fake.main = lambda argv: seen.append(argv) or 7
    monkeypatch.setitem(sys.modules, "ember.compat", fake)
    assert main(["run", "script.py", "--lr", "0.1"]) == 7
    assert seen == [["script.py", "--lr", "0.1"]]
    monkeypatch.setitem(sys.modules, "ember.compat", None)      # an installation without it
    assert main(["run", "script.py"]) == 2
    assert "ember run needs ember.compat" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["serve", "missing.onnx"])
    assert e.value.code == 2 and "'missing.onnx' does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["serve", "serve_util:make_mlp", "--max-batch", "0"])
    assert e.value.code == 2 and "--max-batch must be at least 1, got 0" in capsys.readouterr().err


def test_python_dash_m_ember_and_lazy_imports():
    r = subprocess.run([sys.executable, "-m", "ember", "serve", "--help"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and "--max-delay-ms" in r.stdout and "--api-key" in r.stdout
    code = ("import sys, ember, ember.serve, ember.cli, ember.serve.model; "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'onnxruntime', 'safetensors') "
            "if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_torch_checkpoint_served_like_torch(tmp_path):
    torch = pytest.importorskip("torch")
    from ember.serve.model import load_model
    torch.manual_seed(0)
    tnet = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)).eval()
    path = tmp_path / "torch_mlp.pt"
    torch.save({"model_state_dict": tnet.state_dict(), "epoch": 3}, str(path))
    m = load_model("serve_util:make_mlp", str(path))
    assert m.describe()["inputs"][0]["shape"] == [None, 4]
    x = np.random.default_rng(1).normal(size=(6, 4)).astype(np.float32)
    with torch.no_grad():
        want = tnet(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(m.predict(m.check(x)), want, rtol=1e-5, atol=1e-6)
