"""A model that raises gives 500 for the request that made it raise, and only that one, even when
that request was batched with others; the server keeps serving. A factory that fails to load
leaves /health at 503 with the error."""
import concurrent.futures

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

import ember  # noqa: E402
from serve_util import BAD, Server, make_faulty  # noqa: E402

REF = make_faulty().eval()


def direct(x):
    with ember.no_grad():
        return REF.lin(ember.from_numpy(np.asarray(x, np.float32))).numpy()


@pytest.fixture(scope="module")
def srv():
    s = Server("serve_util:make_faulty", "--max-delay-ms", 50)   # long delay: requests batch up
    try:
        yield s.wait_ready()
    finally:
        assert s.stop() == 0, s.log()


def test_raising_model_fails_that_request_only(srv):
    good = [np.full((2, 4), float(i)) for i in range(12)]
    bad = np.array([[BAD, 0, 0, 0]])
    reqs = good[:6] + [bad] + good[6:]
    with concurrent.futures.ThreadPoolExecutor(len(reqs)) as pool:
        answers = list(pool.map(srv.predict_json, reqs))
    for x, (status, doc) in zip(reqs, answers):
        if x is bad:
            assert status == 500 and doc["error"] == "model raised ValueError: poisoned row"
        else:
            assert status == 200, doc
            np.testing.assert_allclose(np.array(doc["outputs"]), direct(x), rtol=1e-5, atol=1e-6)
    m = srv.metrics()
    assert m['ember_serve_errors_total{endpoint="/predict",status="500"}'] == 1
    assert m["ember_serve_model_errors_total"] >= 1
    status, doc = srv.predict_json([[1, 2, 3, 4]])
    assert status == 200


def test_factory_that_fails_to_load():
    s = Server("serve_util:make_broken")
    try:
        with pytest.raises(RuntimeError, match="not ready"):
            s.wait_ready(timeout=20)
        status, doc = s.health_seen[-1]
        assert status == 503 and doc["status"] == "failed"
        assert doc["error"] == "OSError: weights server unreachable"
        assert s.request("POST", "/predict", b"{}")[0] == 503
    finally:
        s.stop()
