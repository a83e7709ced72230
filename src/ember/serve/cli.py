"""The ``ember serve`` command line: parse the options, check the model argument, run uvicorn."""
import argparse
import logging
import os
import signal
import sys

from .model import check_model_spec

__all__ = ["parser", "main"]

_EXAMPLES = """examples:
  ember serve model.onnx --port 8080
  ember serve mypkg.models:make_net --checkpoint net.pt --max-batch 64 --max-delay-ms 5
  curl -s localhost:8080/predict -H 'Content-Type: application/json' -d '{"inputs": [[1, 2, 3, 4]]}'
"""


def parser():
    """The argparse parser of ``ember serve``."""
    p = argparse.ArgumentParser(
        prog="ember serve", description="Serve a model over HTTP with dynamic batching.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_EXAMPLES)
    p.add_argument("model", metavar="MODEL",
                   help="an exported .onnx file, or module.path:factory returning an ember.nn.Module")
    p.add_argument("--checkpoint", default=None,
                   help="state_dict file (ember.save / torch.save) loaded into the factory's model")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--max-batch", type=int, default=64,
                   help="most rows stacked into one forward call (default 64; 1 turns batching off)")
    p.add_argument("--max-delay-ms", type=float, default=5.0,
                   help="longest a request waits for others to join its batch (default 5)")
    p.add_argument("--workers", type=int, default=1,
                   help="uvicorn worker processes; each loads the model before taking connections (default 1)")
    p.add_argument("--api-key", default=None,
                   help="require 'Authorization: Bearer KEY' (default: env EMBER_SERVE_API_KEY, else none)")
    p.add_argument("--max-body-mb", type=float, default=16.0,
                   help="largest request body in MiB; larger ones get 413 (default 16)")
    p.add_argument("--log-level", default="info",
                   choices=["critical", "error", "warning", "info", "debug"])
    p.add_argument("--access-log", action="store_true", help="log every request")
    return p


def main(argv=None):
    """Run ``ember serve`` with ``argv`` (the arguments after ``serve``); returns the exit code."""
    p = parser()
    args = p.parse_args(argv)
    for name, low in (("max_batch", 1), ("workers", 1), ("port", 0)):
        if getattr(args, name) < low:
            p.error(f"--{name.replace('_', '-')} must be at least {low}, got {getattr(args, name)}")
    if args.max_delay_ms < 0 or args.max_body_mb <= 0:
        p.error("--max-delay-ms must be >= 0 and --max-body-mb > 0")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())        # `module:factory` from the current directory
    problem = check_model_spec(args.model, args.checkpoint)
    if problem:
        p.error(problem)
    try:
        import uvicorn
        import starlette  # noqa: F401
    except ImportError as e:
        print(f"ember serve needs the 'serve' extra (pip install 'ember[serve]'): {e}",
              file=sys.stderr)
        return 2
    # lazy: ember.serve.app is loaded on first use, not at import
    from .app import CONFIG_ENV, ServeConfig
    cfg = ServeConfig(args.model, args.checkpoint, args.max_batch, args.max_delay_ms,
                      args.api_key or os.environ.get("EMBER_SERVE_API_KEY") or None,
                      args.max_body_mb, load_first=args.workers > 1)
    os.environ[CONFIG_ENV] = cfg.to_json()     # worker processes read it
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s: %(message)s")
    # uvicorn drains on SIGTERM/SIGINT, then raises the signal again once it has stopped; a
    # handler here absorbs that, so a drained server exits with status 0.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)
    uvicorn.run("ember.serve.app:app_from_env", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level=args.log_level, access_log=args.access_log,
                timeout_graceful_shutdown=30, lifespan="on")
    return 0
