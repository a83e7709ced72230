"""The road to production end to end: an Ember CNN exported with ``ember.onnx.export`` (dynamic
batch), served by ``ember serve model.onnx`` over real HTTP, answers checked against the model's
own forward for .npy and JSON bodies at several batch sizes."""
import io

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

import ember  # noqa: E402
import ember.nn as nn  # noqa: E402
from serve_util import Server, npy_bytes  # noqa: E402


def small_cnn():
    ember.manual_seed(11)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 10)).eval()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    model = small_cnn()
    path = tmp_path_factory.mktemp("export") / "cnn.onnx"
    ember.onnx.export(model, ember.randn(2, 1, 8, 8), str(path), input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"},
                                                             "logits": {0: "batch"}})
    s = Server(path, "--max-delay-ms", 2)
    try:
        yield model, s.wait_ready()
    finally:
        assert s.stop() == 0, s.log()


@pytest.mark.parametrize("n", [1, 5, 17])
def test_npy_answers_match_the_ember_model(served, n):
    model, srv = served
    x = np.random.default_rng(n).normal(size=(n, 1, 8, 8)).astype(np.float32)
    status, hdrs, body = srv.request("POST", "/predict", npy_bytes(x),
                                     {"Content-Type": "application/x-npy"})
    assert status == 200, body
    got = np.load(io.BytesIO(body))
    with ember.no_grad():
        want = model(ember.from_numpy(x)).numpy()
    assert got.shape == (n, 10)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_json_answer_and_model_description(served):
    model, srv = served
    x = np.random.default_rng(0).normal(size=(3, 1, 8, 8)).astype(np.float32)
    status, doc = srv.predict_json(x)
    assert status == 200, doc
    with ember.no_grad():
        want = model(ember.from_numpy(x)).numpy()
    np.testing.assert_allclose(np.asarray(doc["outputs"], np.float32), want, rtol=1e-5, atol=1e-5)
    status, _, body = srv.request("GET", "/model")
    assert status == 200 and b"logits" in body and b"input" in body


def test_wrong_shape_is_422_naming_it(served):
    _, srv = served
    status, hdrs, body = srv.request("POST", "/predict", npy_bytes(np.zeros((2, 1, 9, 8), np.float32)),
                                     {"Content-Type": "application/x-npy"})
    assert status == 422 and b"shape" in body.lower(), body
