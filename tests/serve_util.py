"""Helpers for the ``ember serve`` tests: model factories the server imports (``serve_util:...``)
and a server started as a subprocess on a free port, talked to over real HTTP with timeouts."""
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import http.client

import numpy as np

import ember
import ember.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")
TIMEOUT = 20
BAD = 666.0            # FaultyNet raises when a row starts with this value


def make_mlp():
    """Linear(4, 8) -> ReLU -> Linear(8, 3), weights from a fixed seed (a checkpoint replaces them)."""
    ember.manual_seed(123)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


class SlowNet(nn.Module):
    """``x @ W + b`` that sleeps ``delay`` seconds per forward call, so requests pile up."""

    def __init__(self, delay=0.05):
        super().__init__()
        self.delay = delay
        self.lin = nn.Linear(4, 2)

    def forward(self, x):
        time.sleep(self.delay)
        return self.lin(x)


def make_slow():
    """A SlowNet whose factory also takes 1.5 s (so /health is 503 for a while)."""
    time.sleep(1.5)
    ember.manual_seed(7)
    return SlowNet(0.05)


def make_very_slow():
    """A SlowNet taking 0.5 s per forward call (in-flight requests to drain on SIGTERM)."""
    ember.manual_seed(7)
    return SlowNet(0.5)


class FaultyNet(nn.Module):
    """Linear(4, 3) that raises ValueError when a row's first value is BAD."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 3)

    def forward(self, x):
        if bool((x[:, 0] == BAD).any()):
            raise ValueError("poisoned row")
        return self.lin(x)


def make_faulty():
    """A seeded FaultyNet."""
    ember.manual_seed(5)
    return FaultyNet()


def make_broken():
    """A factory that raises (the server stays up with /health at 503 and the error)."""
    raise OSError("weights server unreachable")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``ember serve`` as a subprocess: ``request(...)``, ``wait_ready()``, ``stop()``."""

    def __init__(self, *args, env=None):
        self.port = free_port()
        e = dict(os.environ, PYTHONPATH=os.pathsep.join([SRC, HERE]), OMP_NUM_THREADS="1",
                 OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", EMBER_SERVE_ORT_THREADS="1")
        e.update(env or {})
        cmd = [sys.executable, "-m", "ember", "serve", *map(str, args), "--port", str(self.port),
               "--log-level", "warning"]
        self._out = tempfile.TemporaryFile()     # a file, not a pipe: a full pipe would block it
        self.proc = subprocess.Popen(cmd, env=e, stdout=self._out, stderr=subprocess.STDOUT)
        self.health_seen = []          # (status, json) of /health polls while starting

    def log(self):
        """The last 4,000 characters the server printed so far."""
        self._out.seek(0)
        return self._out.read().decode(errors="replace")[-4000:]

    def wait_ready(self, timeout=30):
        """Poll /health until 200; records every answer in ``health_seen``. Raises RuntimeError
        when the server exits, reports that loading failed, or is not ready within ``timeout``
        (the caller stops it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                status, _, body = self.request("GET", "/health", timeout=2)
                self.health_seen.append((status, json.loads(body)))
                if status == 200:
                    return self
                if self.health_seen[-1][1].get("status") == "failed":
                    break
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server not ready within {timeout} s ({self.health_seen[-1:]}):\n"
                           f"{self.log()}")

    def request(self, method, path, body=None, headers=None, timeout=TIMEOUT):
        """One HTTP request on a fresh connection: (status, headers dict, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def predict_json(self, rows, headers=None):
        status, hdrs, body = self.request(
            "POST", "/predict", json.dumps({"inputs": np.asarray(rows).tolist()}),
            {"Content-Type": "application/json", **(headers or {})})
        return status, json.loads(body)

    def metrics(self, headers=None):
        status, _, body = self.request("GET", "/metrics", headers=headers)
        assert status == 200, body
        return parse_metrics(body.decode())

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Stop the server (SIGTERM, then SIGKILL after ``timeout``); returns its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return self.proc.returncode


def npy_bytes(a):
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def parse_metrics(text):
    """{sample name with labels: value} from Prometheus text, checking each line's syntax."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            assert line.startswith(("# HELP ", "# TYPE ")) or not line, line
            continue
        name, value = line.rsplit(" ", 1)
        out[name] = float(value)
    return out
