"""Dynamic batching over real HTTP with a deliberately slow model (50 ms per forward call, 1.5 s
to load): /health is 503 while loading and 200 after, and 50 concurrent clients are served in
batches (mean batch size from /metrics above 1), each getting its own rows."""
import concurrent.futures
import json
import threading
import time

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

import ember  # noqa: E402
from serve_util import Server, SlowNet  # noqa: E402

ember.manual_seed(7)
REF = SlowNet(0.0).eval()          # make_slow's weights, without the sleep


def direct(x):
    with ember.no_grad():
        return REF(ember.from_numpy(np.asarray(x, np.float32))).numpy()


@pytest.fixture(scope="module")
def srv():
    s = Server("serve_util:make_slow", "--max-batch", 64, "--max-delay-ms", 10)
    s.while_loading = None
    try:
        deadline = time.monotonic() + 20
        while s.while_loading is None and time.monotonic() < deadline:   # first answer: loading
            try:
                health = s.request("GET", "/health", timeout=2)
                s.while_loading = (health[0], json.loads(health[2]),
                                   s.predict_json([[1, 2, 3, 4]]), s.request("GET", "/model")[0])
            except OSError:
                time.sleep(0.05)
        yield s.wait_ready()
    finally:
        assert s.stop() == 0, s.log()


def test_health_503_while_loading_then_200(srv):
    status, doc, predict, model = srv.while_loading
    assert status == 503 and doc == {"status": "loading"}
    assert predict == (503, {"error": "model is loading"}) and model == 503
    assert srv.health_seen[-1] == (200, {"status": "ok", "model": "make_slow"})
    assert srv.request("GET", "/health")[0] == 200


def test_concurrent_clients_are_batched(srv):
    before = srv.metrics()
    xs = [np.random.default_rng(i).normal(size=(1, 4)) for i in range(50)]
    go = threading.Barrier(50, timeout=20)

    def client(x):
        go.wait()
        return srv.predict_json(x)

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(client, xs))
    for x, (status, doc) in zip(xs, answers):
        assert status == 200, doc
        np.testing.assert_allclose(np.array(doc["outputs"]), direct(x), rtol=1e-5, atol=1e-6)
    after = srv.metrics()
    calls = after["ember_serve_batch_size_count"] - before["ember_serve_batch_size_count"]
    rows = after["ember_serve_batch_size_sum"] - before["ember_serve_batch_size_sum"]
    assert rows == 50
    assert rows / calls > 1, f"{calls} forward calls for 50 rows: no batching"
    assert after['ember_serve_batch_size_bucket{le="64.0"}'] == after["ember_serve_batch_size_count"]
    assert after["ember_serve_queue_depth"] == 0
