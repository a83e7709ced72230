"""``ember serve module:factory --checkpoint`` over real HTTP: every answer checked against the
model run directly, in JSON, .npy and safetensors; /model; the API key; bad requests (400, 413,
415, 422, never 500); the metrics counters; concurrent callers each getting their own rows."""
import concurrent.futures
import json

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
safetensors_numpy = pytest.importorskip("safetensors.numpy")

import ember  # noqa: E402
import ember.nn as nn  # noqa: E402
from serve_util import Server, make_mlp, npy_bytes  # noqa: E402

KEY = "s3cret"
AUTH = {"Authorization": f"Bearer {KEY}"}
MAX_BODY_MB = 0.01                 # 10,485 bytes: oversize bodies stay small
RNG = np.random.default_rng(0)


def reference():
    ember.manual_seed(99)         # not make_mlp's seed: answers prove the checkpoint was loaded
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def direct(x):
    with ember.no_grad():
        return REF(ember.from_numpy(np.asarray(x, dtype=np.float32))).numpy()


REF = reference().eval()


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    ckpt = tmp_path_factory.mktemp("serve") / "mlp.pt"
    ember.save(REF.state_dict(), str(ckpt))
    s = Server("serve_util:make_mlp", "--checkpoint", ckpt, "--api-key", KEY,
               "--max-body-mb", MAX_BODY_MB, "--max-delay-ms", 2)
    try:
        yield s.wait_ready()
    finally:
        assert s.stop() == 0, s.log()


def post(srv, body, ctype, headers=AUTH):
    return srv.request("POST", "/predict", body, {"Content-Type": ctype, **headers})


def test_json_rows_match_the_model(srv):
    for n in (1, 3, 17):
        x = RNG.normal(size=(n, 4))
        status, doc = srv.predict_json(x, AUTH)
        assert status == 200, doc
        np.testing.assert_allclose(np.array(doc["outputs"]), direct(x), rtol=1e-5, atol=1e-6)
    with ember.no_grad():
        untrained = make_mlp()(ember.from_numpy(x.astype(np.float32))).numpy()
    assert not np.allclose(untrained, direct(x), atol=1e-3)


def test_npy_answer_in_npy(srv):
    x = RNG.normal(size=(5, 4)).astype(np.float32)
    status, hdrs, body = post(srv, npy_bytes(x), "application/x-npy")
    assert status == 200 and hdrs["content-type"] == "application/x-npy"
    out = np.load(__import__("io").BytesIO(body))
    assert out.dtype == np.float32 and out.shape == (5, 3)
    np.testing.assert_allclose(out, direct(x), rtol=1e-5, atol=1e-6)
    # float64 and int inputs are converted to the model's float32
    for arr in (x.astype(np.float64), np.arange(8, dtype=np.int64).reshape(2, 4)):
        status, _, body = post(srv, npy_bytes(arr), "application/x-npy")
        assert status == 200
        np.testing.assert_allclose(np.load(__import__("io").BytesIO(body)), direct(arr),
                                   rtol=1e-5, atol=1e-6)


def test_safetensors_answer_in_safetensors(srv):
    x = RNG.normal(size=(4, 4)).astype(np.float32)
    for name in ("inputs", "anything"):           # 'inputs', or the one tensor there is
        status, hdrs, body = post(srv, safetensors_numpy.save({name: x}), "application/x-safetensors")
        assert status == 200 and hdrs["content-type"] == "application/x-safetensors"
        out = safetensors_numpy.load(body)
        assert list(out) == ["outputs"]
        np.testing.assert_allclose(out["outputs"], direct(x), rtol=1e-5, atol=1e-6)


def test_model_endpoint(srv):
    status, _, body = srv.request("GET", "/model", headers=AUTH)
    doc = json.loads(body)
    assert status == 200 and doc["kind"] == "ember" and doc["name"] == "make_mlp"
    assert doc["inputs"] == [{"name": "input", "shape": [None, 4], "dtype": "float32"}]
    assert doc["outputs"] == [{"name": "output", "shape": [None, 3], "dtype": "float32"}]
    assert doc["max_batch"] == 64


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": KEY}])
def test_api_key_required(srv, headers):
    status, hdrs, body = post(srv, json.dumps({"inputs": [[1, 2, 3, 4]]}), "application/json",
                              headers)
    assert status == 401 and "API key" in json.loads(body)["error"]
    assert hdrs["www-authenticate"] == "Bearer"
    for path in ("/model", "/metrics"):
        assert srv.request("GET", path, headers=headers)[0] == 401
    assert srv.request("GET", "/health")[0] == 200          # probes need no key


BAD = [
    ("application/json", b'{"inputs": [[1, 2, 3, 4]', 400, "malformed JSON"),
    ("application/json", b'[[1, 2, 3, 4]]', 422, '{"inputs"'),
    ("application/json", b'{"rows": [[1, 2, 3, 4]]}', 422, "keys ['rows']"),
    ("application/json", b'{"inputs": [[1, 2, 3, 4], [1, 2]]}', 422, "rectangular"),
    ("application/json", b'{"inputs": [["a", "b", "c", "d"]]}', 422, "numbers"),
    ("application/json", b'{"inputs": [[1, 2, 3]]}', 422, "(1, 3) does not match the model's input shape (N, 4)"),
    ("application/json", b'{"inputs": [1, 2, 3, 4]}', 422, "(4,) does not match"),
    ("application/json", b'{"inputs": []}', 422, "at least one row"),
    ("application/json", b'{"inputs": [[true, false, true, true]]}', 422, "booleans"),
    ("application/x-npy", b"not an npy file", 400, "malformed .npy"),
    ("application/x-npy", npy_bytes(np.ones((2, 4), np.complex64)), 422, "complex64 cannot be converted"),
    ("application/x-npy", npy_bytes(np.ones((2, 5), np.float32)), 422, "(2, 5)"),
    ("application/x-safetensors", b"\x00\x01garbage", 400, "malformed safetensors"),
    ("text/csv", b"1,2,3,4", 415, "text/csv"),
]


@pytest.mark.parametrize("ctype,body,status,words", BAD)
def test_bad_requests_named(srv, ctype, body, status, words):
    got, hdrs, resp = post(srv, body, ctype)
    assert got == status, resp
    assert hdrs["content-type"] == "application/json"
    assert words in json.loads(resp)["error"]


def test_two_tensors_in_safetensors_refused(srv):
    body = safetensors_numpy.save({"a": np.ones((1, 4), np.float32), "b": np.ones((1, 4), np.float32)})
    status, _, resp = post(srv, body, "application/x-safetensors")
    assert status == 422 and "['a', 'b']" in json.loads(resp)["error"]


def test_oversize_bodies_413(srv):
    x = np.zeros((400, 4), np.float64)            # 12.9 kB > 10.5 kB
    status, _, resp = post(srv, npy_bytes(x), "application/x-npy")
    assert status == 413 and "over the limit of 10485 bytes" in json.loads(resp)["error"]
    # chunked: no Content-Length, counted while reading
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=20)
    try:
        chunks = iter([npy_bytes(x)[i:i + 4096] for i in range(0, 13000, 4096)])
        conn.request("POST", "/predict", body=chunks, encode_chunked=True,
                     headers={"Content-Type": "application/x-npy", **AUTH})
        r = conn.getresponse()
        assert r.status == 413 and "over the limit" in json.loads(r.read())["error"]
    finally:
        conn.close()
    # the server goes on serving
    status, doc = srv.predict_json([[1, 2, 3, 4]], AUTH)
    assert status == 200


def test_concurrent_callers_get_their_own_rows(srv):
    xs = [RNG.normal(size=(1 + i % 5, 4)) for i in range(40)]
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda x: srv.predict_json(x, AUTH), xs))
    for x, (status, doc) in zip(xs, answers):
        assert status == 200
        np.testing.assert_allclose(np.array(doc["outputs"]), direct(x), rtol=1e-5, atol=1e-6)


def test_metrics_count_requests_and_errors(srv):
    before = srv.metrics(AUTH)
    for _ in range(3):
        assert srv.predict_json([[1, 2, 3, 4], [4, 3, 2, 1]], AUTH)[0] == 200
    assert post(srv, b'{"inputs": [[1]]}', "application/json")[0] == 422
    assert post(srv, b"{", "application/json")[0] == 400
    after = srv.metrics(AUTH)

    def diff(name):
        return after.get(name, 0) - before.get(name, 0)
    ok = 'ember_serve_requests_total{endpoint="/predict",status="200"}'
    assert diff(ok) == 3
    assert diff('ember_serve_requests_total{endpoint="/predict",status="422"}') == 1
    assert diff('ember_serve_errors_total{endpoint="/predict",status="422"}') == 1
    assert diff('ember_serve_errors_total{endpoint="/predict",status="400"}') == 1
    assert diff("ember_serve_request_latency_seconds_count") == 5
    assert diff('ember_serve_request_latency_seconds_bucket{le="+Inf"}') == 5
    assert diff("ember_serve_batch_size_count") == 3 and diff("ember_serve_batch_size_sum") == 6
    assert after['ember_serve_requests_total{endpoint="/metrics",status="200"}'] >= 1
    assert after["ember_serve_model_loaded"] == 1 and after["ember_serve_queue_depth"] == 0
    # cumulative buckets never decrease
    les = [v for k, v in after.items() if k.startswith("ember_serve_request_latency_seconds_bucket")]
    assert les == sorted(les)


def test_metrics_parse_with_prometheus_client(srv):
    parser = pytest.importorskip("prometheus_client.parser")
    status, hdrs, body = srv.request("GET", "/metrics", headers=AUTH)
    assert hdrs["content-type"].startswith("text/plain; version=0.0.4")
    fams = {f.name: f for f in parser.text_string_to_metric_families(body.decode())}
    assert fams["ember_serve_requests"].type == "counter"
    assert fams["ember_serve_request_latency_seconds"].type == "histogram"
    assert fams["ember_serve_batch_size"].type == "histogram"
    assert fams["ember_serve_queue_depth"].type == "gauge"
