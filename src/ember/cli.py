"""The ``ember`` command: ``ember serve ...`` (HTTP inference) and ``ember run script.py ...``
(run a PyTorch script on Ember, through ``ember.compat``). Also ``python -m ember ...``."""
import sys

__all__ = ["main"]

_USAGE = """usage: ember <command> [args]

commands:
  serve MODEL [options]    serve an .onnx file or module:factory model over HTTP (ember serve -h)
  run SCRIPT [args]        run a PyTorch script with `torch` backed by Ember
"""


def main(argv=None):
    """Dispatch ``argv`` (default ``sys.argv[1:]``) to a subcommand; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_USAGE, end="", file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    cmd, rest = argv[0], argv[1:]
    if cmd == "serve":
        # lazy: ember.serve is loaded on first use, not at import
        from .serve import main as serve_main
        return serve_main(rest)
    if cmd == "run":
        if not rest:
            print("usage: ember run SCRIPT [args]", file=sys.stderr)
            return 2
        try:
            from .compat import main as compat_main
        except ModuleNotFoundError as e:
            if e.name not in ("ember.compat",):
                raise
            print("ember run needs ember.compat, which this Ember installation does not have",
                  file=sys.stderr)
            return 2
        return compat_main(rest)
    print(f"ember: unknown command {cmd!r}\n\n{_USAGE}", end="", file=sys.stderr)
    return 2
