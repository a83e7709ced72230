"""Server metrics in the Prometheus text exposition format (version 0.0.4), without a client
library: counters of requests and errors by endpoint and status, histograms of ``/predict``
latency and of the rows per forward call (the batch size), and gauges for queue depth and for
whether the model has loaded. Each uvicorn worker process keeps its own numbers.
"""
import bisect
import math
import threading

__all__ = ["Metrics", "CONTENT_TYPE"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _batch_buckets(max_batch):
    b, out = 1, []
    while b < max_batch:
        out.append(float(b))
        b *= 2
    out.append(float(max_batch))
    return tuple(out)


def _le(bound):
    return "+Inf" if bound == math.inf else repr(float(bound))


def _escape(v):
    return str(v).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(pairs):
    if not pairs:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in pairs) + "}"


class _Histogram:
    __slots__ = ("bounds", "counts", "sum", "count")

    def __init__(self, bounds):
        self.bounds = tuple(bounds)
        self.counts = [0] * (len(self.bounds) + 1)     # the last one is +Inf only
        self.sum = 0.0
        self.count = 0

    def observe(self, v):
        self.counts[bisect.bisect_left(self.bounds, v)] += 1
        self.sum += v
        self.count += 1

    def lines(self, name):
        acc = 0
        for bound, c in zip(self.bounds + (math.inf,), self.counts):
            acc += c
            yield f'{name}_bucket{{le="{_le(bound)}"}} {acc}'
        yield f"{name}_sum {repr(float(self.sum))}"
        yield f"{name}_count {self.count}"


class Metrics:
    """The numbers of one server process; every method is thread-safe."""
    __slots__ = ("_lock", "requests", "errors", "latency", "batch_size", "queue_depth",
                 "model_loaded", "model_errors")

    def __init__(self, max_batch):
        self._lock = threading.Lock()
        self.requests = {}      # (endpoint, status) -> count
        self.errors = {}
        self.latency = _Histogram(LATENCY_BUCKETS)
        self.batch_size = _Histogram(_batch_buckets(max_batch))
        self.queue_depth = 0
        self.model_loaded = 0
        self.model_errors = 0

    def request(self, endpoint, status, seconds=None):
        """Count one answered request (and an error when status >= 400); ``seconds`` goes into
        the latency histogram (``/predict`` only)."""
        key = (endpoint, str(status))
        with self._lock:
            self.requests[key] = self.requests.get(key, 0) + 1
            if status >= 400:
                self.errors[key] = self.errors.get(key, 0) + 1
            if seconds is not None:
                self.latency.observe(seconds)

    def batch(self, rows):
        """Count one forward call over ``rows`` stacked rows."""
        with self._lock:
            self.batch_size.observe(rows)

    def model_error(self):
        """Count one forward call that raised."""
        with self._lock:
            self.model_errors += 1

    def set_queue_depth(self, n):
        """Rows waiting for a forward call."""
        self.queue_depth = n

    def render(self):
        """The exposition text served by ``GET /metrics``."""
        with self._lock:
            out = []

            def counter(name, help_, table):
                out.append(f"# HELP {name} {help_}")
                out.append(f"# TYPE {name} counter")
                for (ep, st), v in sorted(table.items()):
                    out.append(f"{name}{_labels((('endpoint', ep), ('status', st)))} {v}")

            counter("ember_serve_requests_total", "HTTP requests answered, by endpoint and status.",
                    self.requests)
            counter("ember_serve_errors_total", "HTTP requests answered with status >= 400.",
                    self.errors)
            out.append("# HELP ember_serve_model_errors_total Forward calls that raised (a batch "
                       "that raises is retried one request at a time).")
            out.append("# TYPE ember_serve_model_errors_total counter")
            out.append(f"ember_serve_model_errors_total {self.model_errors}")
            out.append("# HELP ember_serve_request_latency_seconds Time from receiving a /predict "
                       "request to sending its answer.")
            out.append("# TYPE ember_serve_request_latency_seconds histogram")
            out.extend(self.latency.lines("ember_serve_request_latency_seconds"))
            out.append("# HELP ember_serve_batch_size Rows stacked into one forward call.")
            out.append("# TYPE ember_serve_batch_size histogram")
            out.extend(self.batch_size.lines("ember_serve_batch_size"))
            out.append("# HELP ember_serve_queue_depth Rows waiting for a forward call.")
            out.append("# TYPE ember_serve_queue_depth gauge")
            out.append(f"ember_serve_queue_depth {self.queue_depth}")
            out.append("# HELP ember_serve_model_loaded 1 once the model has loaded, else 0.")
            out.append("# TYPE ember_serve_model_loaded gauge")
            out.append(f"ember_serve_model_loaded {self.model_loaded}")
        return "\n".join(out) + "\n"
