"""A run written by ember.utils.tensorboard, served by the real TensorBoard (started once for
this module as a subprocess, stopped at the end) and read through its HTTP API: runs, scalars,
histograms, an image blob and the graph."""
import io
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import numpy as np
import pytest

pytest.importorskip("tensorboard")
PIL = pytest.importorskip("PIL.Image")

import ember  # noqa: E402
import ember.nn as nn  # noqa: E402
from ember.utils.tensorboard import SummaryWriter  # noqa: E402

STARTUP_S = 90
IMG = np.random.default_rng(1).integers(0, 256, (3, 6, 5), dtype=np.uint8)
WEIGHTS = np.random.default_rng(2).normal(size=300)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(base, path, **query):
    url = f"{base}{path}" + ("?" + urllib.parse.urlencode(query) if query else "")
    with urllib.request.urlopen(url, timeout=20) as r:
        return r.read()


def get_json(base, path, **query):
    return json.loads(get(base, path, **query))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("tbserve")
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
    with SummaryWriter(str(logdir / "demo")) as w:
        for step in range(6):
            w.add_scalar("loss", 2.0 / (step + 1), step)
        w.add_histogram("weights", WEIGHTS, 3)
        w.add_image("picture", IMG, 0)
        w.add_graph(model, ember.randn(5, 4))
    port = free_port()
    cmd = [sys.executable, "-m", "tensorboard.main", "--logdir", str(logdir), "--host",
           "127.0.0.1", "--port", str(port), "--load_fast", "false", "--reload_interval", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_S
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"tensorboard exited early:\n{proc.stderr.read().decode()[-3000:]}")
            try:
                tags = get_json(base, "/data/plugin/scalars/tags")
                if "loss" in tags.get("demo", {}):
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"tensorboard did not serve the run within {STARTUP_S} s")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
        proc.stderr.close()


def test_runs(server):
    assert "demo" in get_json(server, "/data/runs")


def test_scalars_for_a_tag(server):
    rows = get_json(server, "/data/plugin/scalars/scalars", tag="loss", run="demo")
    assert [r[1] for r in rows] == list(range(6))
    np.testing.assert_allclose([r[2] for r in rows], [2.0 / (s + 1) for s in range(6)],
                               rtol=1e-6)


def test_histograms(server):
    rows = get_json(server, "/data/plugin/histograms/histograms", tag="weights", run="demo")
    (wall, step, buckets), = rows
    assert step == 3
    # TensorBoard serves [left, right, count] triples; the counts add up to the values
    assert sum(b[2] for b in buckets) == pytest.approx(len(WEIGHTS))
    assert buckets[0][0] <= WEIGHTS.min() + 1e-5 and buckets[-1][1] >= WEIGHTS.max() - 1e-5


def test_image_blob(server):
    (entry,) = get_json(server, "/data/plugin/images/images", tag="picture", run="demo")
    assert entry["step"] == 0
    blob = get(server, "/data/plugin/images/individualImage?" + entry["query"])
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    np.testing.assert_array_equal(np.asarray(PIL.open(io.BytesIO(blob))), IMG.transpose(1, 2, 0))


def test_graph(server):
    text = get(server, "/data/plugin/graphs/graph", run="demo").decode()
    for name in ("input/input.0", "Sequential/Linear[0]/weight", "Sequential/Tanh[1]/",
                 "Sequential/Linear[2]/bias", "output/output.0"):
        assert f'name: "{name}' in text, name
    assert "_output_shapes" in text and "size: 8" in text
