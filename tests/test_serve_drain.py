"""SIGTERM drains: requests in flight (in a forward call or still queued) are answered, then the
server exits with status 0 and stops listening."""
import concurrent.futures
import signal
import socket
import time

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

import ember  # noqa: E402
from serve_util import Server, SlowNet  # noqa: E402

ember.manual_seed(7)
REF = SlowNet(0.0).eval()


@pytest.fixture(scope="module")
def srv():
    s = Server("serve_util:make_very_slow", "--max-batch", 4, "--max-delay-ms", 1)
    try:
        yield s.wait_ready()
    finally:
        s.stop(signal.SIGKILL)


def test_sigterm_drains_in_flight_requests(srv):
    xs = [np.full((1, 4), float(i)) for i in range(8)]      # 2+ forward calls of 0.5 s
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futs = [pool.submit(srv.predict_json, x) for x in xs]
        time.sleep(0.3)
        assert not all(f.done() for f in futs)
        t0 = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        answers = [f.result(timeout=30) for f in futs]
    assert srv.proc.wait(timeout=30) == 0, srv.log()
    assert time.monotonic() - t0 < 20
    for x, (status, doc) in zip(xs, answers):
        assert status == 200, doc
        with ember.no_grad():
            want = REF(ember.from_numpy(x.astype(np.float32))).numpy()
        np.testing.assert_allclose(np.array(doc["outputs"]), want, rtol=1e-5, atol=1e-6)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()
