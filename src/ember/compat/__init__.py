"""``python -m ember.compat script.py args``: run a PyTorch script unchanged on Ember.

The script runs as ``__main__`` (``sys.argv``, ``__file__`` and ``sys.path[0]`` as Python sets
them for ``python script.py``) with an import hook that makes ``import torch`` and every
``torch.*`` submodule Ember's modules (``torch.Tensor is ember.Tensor``). Processes the script
starts with a fresh interpreter (``multiprocessing`` spawn, ``subprocess``) get the same hook
through ``PYTHONPATH``. ``python -m ember.compat -m package.module args`` runs a module instead.
"""
import os
import runpy
import sys

from ._hook import install, uninstall, is_installed, TorchToEmber  # noqa: F401

__all__ = ["main", "install", "uninstall", "is_installed"]

USAGE = """usage: python -m ember.compat script.py [args ...]
       python -m ember.compat -m module [args ...]

Run a PyTorch script with `import torch` resolving to Ember."""

_SHIM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_shim")


def _share_with_children():
    """Put the stand-in ``torch`` package first on ``PYTHONPATH`` for child interpreters, and
    on ``sys.path`` after the script's folder (``multiprocessing``'s spawn children take this
    process's ``sys.path``). Here the hook answers ``import torch`` before any path is read."""
    parts = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if _SHIM not in parts:
        os.environ["PYTHONPATH"] = os.pathsep.join([_SHIM] + parts)
    if _SHIM not in sys.path:
        sys.path.insert(1 if sys.path else 0, _SHIM)


def _exit_code(e):
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def main(argv):
    """Run ``argv`` (``["script.py", *args]`` or ``["-m", "module", *args]``) with ``torch``
    bound to Ember; return the exit status the script would give ``python``. Exceptions from
    the script propagate (``python -m ember.compat`` prints them as Python does)."""
    argv = list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    if argv[0] == "-m" and len(argv) < 2:
        print("ember.compat: -m needs a module name\n" + USAGE, file=sys.stderr)
        return 2
    if argv[0] != "-m" and not os.path.exists(argv[0]):
        print(f"{sys.executable}: can't open file {os.path.abspath(argv[0])!r}: "
              "[Errno 2] No such file or directory", file=sys.stderr)
        return 2
    install()
    try:
        if argv[0] == "-m":
            sys.argv = [argv[1]] + argv[2:]
            sys.path[0:1] = [os.getcwd()]
            _share_with_children()
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        else:
            script = argv[0]
            sys.argv = argv
            folder = script if os.path.isdir(script) else \
                os.path.dirname(os.path.realpath(script))
            if sys.path:
                sys.path[0] = folder
            else:
                sys.path.append(folder)
            _share_with_children()
            runpy.run_path(script, run_name="__main__")
    except SystemExit as e:
        return _exit_code(e)
    return 0
