"""``ember serve model.onnx`` (onnxruntime) over real HTTP with two uvicorn workers: a Gemm+Relu
graph built with onnx.helper, answers checked against NumPy and against onnxruntime directly."""
import io
import json

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
safetensors_numpy = pytest.importorskip("safetensors.numpy")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from serve_util import Server, npy_bytes  # noqa: E402

RNG = np.random.default_rng(3)
W = RNG.normal(size=(5, 6)).astype(np.float32)      # Gemm with transB: y = x @ W.T + b
B = RNG.normal(size=(5,)).astype(np.float32)


def numpy_model(x):
    return np.maximum(np.asarray(x, np.float32) @ W.T + B, 0)


def build_onnx(path):
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "W", "b"], ["h"], transB=1),
         helper.make_node("Relu", ["h"], ["y"])],
        "gemm_relu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 5])],
        initializer=[numpy_helper.from_array(W, "W"), numpy_helper.from_array(B, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    path = tmp_path_factory.mktemp("onnx") / "gemm_relu.onnx"
    build_onnx(path)
    s = Server(path, "--workers", 2, "--max-delay-ms", 2)
    s.path = path
    try:
        yield s.wait_ready()
    finally:
        assert s.stop() == 0, s.log()


def test_answers_match_numpy_and_onnxruntime(srv):
    sess = ort.InferenceSession(str(srv.path), providers=["CPUExecutionProvider"])
    for n in (1, 7):
        x = RNG.normal(size=(n, 6)).astype(np.float32)
        want = sess.run(["y"], {"x": x})[0]
        np.testing.assert_allclose(want, numpy_model(x), rtol=1e-5, atol=1e-5)
        status, doc = srv.predict_json(x)
        assert status == 200, doc
        np.testing.assert_allclose(np.array(doc["outputs"], np.float32), want, rtol=1e-6, atol=1e-6)
        status, hdrs, body = srv.request("POST", "/predict", npy_bytes(x),
                                         {"Content-Type": "application/x-npy"})
        assert status == 200 and hdrs["content-type"] == "application/x-npy"
        np.testing.assert_array_equal(np.load(io.BytesIO(body)), want)
        status, _, body = srv.request("POST", "/predict", safetensors_numpy.save({"inputs": x}),
                                      {"Content-Type": "application/x-safetensors"})
        assert status == 200
        np.testing.assert_array_equal(safetensors_numpy.load(body)["outputs"], want)


def test_model_describes_onnx_io(srv):
    status, _, body = srv.request("GET", "/model")
    doc = json.loads(body)
    assert status == 200 and doc["kind"] == "onnx" and doc["name"] == "gemm_relu"
    assert doc["inputs"] == [{"name": "x", "shape": [None, 6], "dtype": "float32"}]
    assert doc["outputs"] == [{"name": "y", "shape": [None, 5], "dtype": "float32"}]


def test_wrong_shape_and_dtype_are_422(srv):
    status, doc = srv.predict_json(np.ones((2, 4)))
    assert status == 422 and "(2, 4) does not match the model's input shape (N, 6)" in doc["error"]
    status, _, body = srv.request("POST", "/predict", npy_bytes(np.ones((2, 6), np.complex128)),
                                  {"Content-Type": "application/x-npy"})
    assert status == 422 and "complex128" in json.loads(body)["error"]


def test_no_key_means_open(srv):
    assert srv.request("GET", "/metrics")[0] == 200
