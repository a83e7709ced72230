"""``ember serve``: HTTP inference with dynamic batching, on Starlette and uvicorn.

    ember serve model.onnx --port 8080
    ember serve mypkg.models:make_net --checkpoint net.pt --max-batch 64 --max-delay-ms 5

Files: ``app`` (the Starlette app and its endpoints), ``batcher`` (stacking concurrent requests
into one forward call), ``model`` (loading .onnx or ``module:factory`` models), ``metrics``
(Prometheus text), ``codecs`` (JSON / .npy / safetensors bodies), ``cli`` (the command line).
Importing this package imports neither Starlette nor uvicorn; ``ember.serve.app`` does.
"""
__all__ = ["main"]


def main(argv=None):
    """``ember serve`` with ``argv`` (default ``sys.argv[1:]`` after ``serve``); returns the exit code."""
    from .cli import main as _main  # lazy: ember.serve.cli is loaded on first use, not at import
    return _main(argv)
