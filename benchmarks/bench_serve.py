"""``ember serve`` under load: N requests (default 2,000) from C concurrent clients (default 64,
one keep-alive connection each, stdlib http.client in threads), binary ``.npy`` bodies of one row,
against an Ember MLP (512 -> 2048 -> 2048 -> 10, 21 MB of float32 weights, so a forward
call costs about as much for one row as for a few dozen; env BENCH_SERVE_HIDDEN changes 2048) served with batching on (``--max-batch 64``) and off
(``--max-batch 1``). The two settings run alternately ``--rounds`` times each, each on a fresh
server; prints p50/p99 latency and throughput per run and the best of each, plus the mean batch
size the server reports.

    python benchmarks/bench_serve.py [--requests 2000] [--concurrency 64] [--rounds 2]
"""
import argparse
import http.client
import io
import os
import re
import statistics
import subprocess
import sys
import threading
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")
IN, OUT = 512, 10
HID = int(os.environ.get("BENCH_SERVE_HIDDEN", "2048"))


def make_model():
    """The served model (``bench_serve:make_model``): a seeded 3-layer MLP."""
    import ember
    import ember.nn as nn
    ember.manual_seed(0)
    return nn.Sequential(nn.Linear(IN, HID), nn.ReLU(), nn.Linear(HID, HID), nn.ReLU(),
                         nn.Linear(HID, OUT))


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(max_batch, max_delay_ms):
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([SRC, HERE]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "ember", "serve", "bench_serve:make_model", "--port", str(port),
         "--max-batch", str(max_batch), "--max-delay-ms", str(max_delay_ms),
         "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                c.close()
                return proc, port
            c.close()
        except OSError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start within 60 s")


def _stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def _npy(a):
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def _load(port, requests, concurrency, rows):
    """Latencies (seconds) of ``requests`` POSTs from ``concurrency`` threads; the wall time."""
    bodies = [_npy(r[None]) for r in rows]
    lat, errors, lock = [], [], threading.Lock()
    counter = iter(range(requests))

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        try:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    break
                t = time.perf_counter()
                conn.request("POST", "/predict", bodies[i % len(bodies)],
                             {"Content-Type": "application/x-npy"})
                r = conn.getresponse()
                body = r.read()
                mine.append(time.perf_counter() - t)
                if r.status != 200:
                    errors.append((r.status, body[:200]))
                elif i < len(bodies) and np.load(io.BytesIO(body)).shape != (1, OUT):
                    errors.append(("shape", body[:200]))
        finally:
            conn.close()
            with lock:
                lat.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    wall = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, first: {errors[0]}")
    return lat, wall


def _mean_batch(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/metrics")
    text = c.getresponse().read().decode()
    c.close()
    total = float(re.search(r"^ember_serve_batch_size_sum (\S+)$", text, re.M).group(1))
    count = float(re.search(r"^ember_serve_batch_size_count (\S+)$", text, re.M).group(1))
    return total / max(count, 1)


def main(argv=None):
    """Run the benchmark; prints one line per run and a summary."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--max-delay-ms", type=float, default=5)
    args = p.parse_args(argv)
    rows = np.random.default_rng(0).normal(size=(256, IN)).astype(np.float32)
    results = {64: [], 1: []}
    for rnd in range(args.rounds):
        for mb in (64, 1):
            proc, port = _start(mb, args.max_delay_ms)
            try:
                _load(port, 64, min(8, args.concurrency), rows)           # warm up
                lat, wall = _load(port, args.requests, args.concurrency, rows)
                mean_b = _mean_batch(port)
            finally:
                _stop(proc)
            q = statistics.quantiles(lat, n=100)
            res = dict(p50=q[49] * 1e3, p99=q[98] * 1e3, rps=len(lat) / wall, batch=mean_b)
            results[mb].append(res)
            print(f"round {rnd + 1} max-batch {mb:2d}: p50 {res['p50']:7.1f} ms  p99 "
                  f"{res['p99']:7.1f} ms  {res['rps']:7.0f} req/s  mean batch {mean_b:5.1f}",
                  flush=True)
    on = max(results[64], key=lambda r: r["rps"])
    off = max(results[1], key=lambda r: r["rps"])
    print(f"best of {args.rounds}: batching on {on['rps']:.0f} req/s (p50 {on['p50']:.1f} ms, "
          f"p99 {on['p99']:.1f} ms), off {off['rps']:.0f} req/s (p50 {off['p50']:.1f} ms, "
          f"p99 {off['p99']:.1f} ms); throughput ratio on/off {on['rps'] / off['rps']:.2f}x")


if __name__ == "__main__":
    main()
