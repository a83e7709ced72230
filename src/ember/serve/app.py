"""The Starlette application of ``ember serve``.

Endpoints: ``POST /predict`` (JSON, ``.npy`` or safetensors bodies, answered in the same format),
``GET /health`` (503 until the model has loaded, then 200), ``GET /metrics`` (Prometheus text)
and ``GET /model`` (name, input and output shapes and dtypes). With an API key every endpoint but
``/health`` (left open for load-balancer probes) needs ``Authorization: Bearer KEY``.

The model loads in a thread after the server starts listening, so ``/health`` can answer 503
meanwhile (with several workers each one loads before it takes connections, see ServeConfig). Every refusal is a JSON ``{"error": "..."}`` with status 400 (malformed body), 401
(API key), 413 (body over ``max_body_mb``), 415 (Content-Type), 422 (wrong shape or dtype),
500 (the model raised, for that request only) or 503 (model not loaded).
"""
import asyncio
import hmac
import json
import logging
import os
import time
import traceback
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import codecs
from .batcher import Batcher
from .metrics import CONTENT_TYPE, Metrics
from .model import load_model

__all__ = ["ServeConfig", "create_app", "app_from_env", "CONFIG_ENV"]

CONFIG_ENV = "EMBER_SERVE_CONFIG"
log = logging.getLogger("ember.serve")


class ServeConfig:
    """What the server runs: ``model`` (``path.onnx`` or ``module:factory``), ``checkpoint``,
    ``max_batch`` rows per forward call, ``max_delay_ms`` a request may wait for others,
    ``api_key`` (None: no auth), ``max_body_mb``, and ``load_first``: load the model before
    taking connections (used with several workers, so that no request reaches a worker that is
    still loading; a model that fails to load then stops the server) instead of in the background
    with ``/health`` at 503 meanwhile."""
    __slots__ = ("model", "checkpoint", "max_batch", "max_delay_ms", "api_key", "max_body_mb",
                 "load_first")

    def __init__(self, model, checkpoint=None, max_batch=64, max_delay_ms=5.0, api_key=None,
                 max_body_mb=16.0, load_first=False):
        self.model, self.checkpoint, self.api_key = model, checkpoint, api_key
        self.load_first = bool(load_first)
        self.max_batch, self.max_delay_ms, self.max_body_mb = int(max_batch), float(max_delay_ms), \
            float(max_body_mb)

    def to_json(self):
        """The config as a JSON string (how uvicorn worker processes receive it)."""
        return json.dumps({k: getattr(self, k) for k in self.__slots__})

    @classmethod
    def from_json(cls, text):
        """The config written by :meth:`to_json`."""
        return cls(**json.loads(text))


def _error(status, message, headers=None):
    return JSONResponse({"error": message}, status_code=status, headers=headers)


class _State:
    __slots__ = ("config", "metrics", "model", "batcher", "load_error", "load_task")

    def __init__(self, config):
        self.config = config
        self.metrics = Metrics(config.max_batch)
        self.model = self.batcher = self.load_error = self.load_task = None


def create_app(config):
    """A Starlette app serving ``config`` (a ServeConfig); the model loads at startup."""
    st = _State(config)
    max_body = int(config.max_body_mb * 1024 * 1024)
    expected_auth = None if not config.api_key else f"Bearer {config.api_key}".encode()

    def unauthorized(request):
        if expected_auth is None:
            return None
        got = request.headers.get("authorization", "").encode()
        if hmac.compare_digest(got, expected_auth):
            return None
        return _error(401, "missing or wrong API key: send 'Authorization: Bearer <key>'",
                      {"WWW-Authenticate": "Bearer"})

    def not_ready():
        if st.model is not None:
            return None
        if st.load_error is not None:
            return _error(503, f"model failed to load: {st.load_error}")
        return _error(503, "model is loading")

    async def read_body(request):
        length = request.headers.get("content-length")
        if length is not None:
            try:
                n = int(length)
            except ValueError:
                raise codecs.BodyError(400, f"bad Content-Length header {length!r}") from None
            if n > max_body:
                raise codecs.BodyError(413, f"body of {n} bytes is over the limit of {max_body} "
                                            f"bytes (--max-body-mb {config.max_body_mb:g})")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body:
                raise codecs.BodyError(413, f"body is over the limit of {max_body} bytes "
                                            f"(--max-body-mb {config.max_body_mb:g})")
            chunks.append(chunk)
        return b"".join(chunks)

    async def predict(request):
        t0 = time.perf_counter()
        try:
            resp = await _predict(request)
        except ClientDisconnect:
            resp = _error(400, "client disconnected while sending the body")
        except Exception as e:      # a bug here must not take the server down
            log.error("internal error in /predict:\n%s", "".join(traceback.format_exception(e)))
            resp = _error(500, f"internal error: {type(e).__name__}: {e}")
        st.metrics.request("/predict", resp.status_code, time.perf_counter() - t0)
        return resp

    async def _predict(request):
        refused = unauthorized(request) or not_ready()
        if refused is not None:
            return refused
        try:
            fmt = codecs.format_of(request.headers.get("content-type"))
            body = await read_body(request)
            array = st.model.check(codecs.decode(fmt, body))
        except codecs.BodyError as e:
            return _error(e.status, str(e))
        try:
            out = await st.batcher.submit(array)
        except Exception as e:      # the model raised: this request fails, the server goes on
            log.error("model raised on a request of shape %s:\n%s", tuple(array.shape),
                      "".join(traceback.format_exception(e)))
            return _error(500, f"model raised {type(e).__name__}: {e}")
        try:
            return Response(codecs.encode(fmt, out), media_type=fmt)
        except Exception as e:
            return _error(500, f"could not encode the output ({out.dtype}, shape "
                               f"{tuple(out.shape)}) as {fmt}: {e}")

    async def health(request):
        if st.model is not None:
            resp = JSONResponse({"status": "ok", "model": st.model.name})
        elif st.load_error is not None:
            resp = JSONResponse({"status": "failed", "error": st.load_error}, status_code=503)
        else:
            resp = JSONResponse({"status": "loading"}, status_code=503)
        st.metrics.request("/health", resp.status_code)
        return resp

    async def metrics(request):
        resp = unauthorized(request) or Response(st.metrics.render(), media_type=CONTENT_TYPE)
        st.metrics.request("/metrics", resp.status_code)
        return resp

    async def model_info(request):
        resp = unauthorized(request) or not_ready()
        if resp is None:
            doc = st.model.describe()
            doc.update(max_batch=config.max_batch, max_delay_ms=config.max_delay_ms)
            resp = JSONResponse(doc)
        st.metrics.request("/model", resp.status_code)
        return resp

    async def http_error(request, exc):
        return _error(exc.status_code, exc.detail)

    async def load():
        try:
            model = await asyncio.get_running_loop().run_in_executor(
                None, load_model, config.model, config.checkpoint)
        except Exception as e:
            st.load_error = f"{type(e).__name__}: {e}"
            log.error("could not load %s:\n%s", config.model, "".join(traceback.format_exception(e)))
            return
        st.batcher = Batcher(model.predict, config.max_batch, config.max_delay_ms / 1000.0,
                             st.metrics)
        st.batcher.start()
        st.model = model
        st.metrics.model_loaded = 1
        log.info("ember serve: %s loaded (pid %d)", config.model, os.getpid())

    @asynccontextmanager
    async def lifespan(app):
        st.load_task = asyncio.get_running_loop().create_task(load())
        if config.load_first:
            await st.load_task
            if st.model is None:
                raise RuntimeError(f"could not load {config.model}: {st.load_error}")
        try:
            yield
        finally:
            if st.batcher is not None:
                await st.batcher.stop()
            st.load_task.cancel()

    routes = [Route("/predict", predict, methods=["POST"]), Route("/health", health),
              Route("/metrics", metrics), Route("/model", model_info)]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: http_error})
    app.state.serve = st
    return app


def app_from_env():
    """The app for the config in the ``EMBER_SERVE_CONFIG`` environment variable (uvicorn's
    factory for worker processes)."""
    text = os.environ.get(CONFIG_ENV)
    if not text:
        raise RuntimeError(f"{CONFIG_ENV} is not set; start the server with `ember serve`")
    return create_app(ServeConfig.from_json(text))
