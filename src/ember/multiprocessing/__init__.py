"""``ember.multiprocessing``: the standard ``multiprocessing`` module plus tensor sharing.

A drop-in for ``torch.multiprocessing``: everything the stdlib module offers (``Process``,
``Queue``, ``SimpleQueue``, ``Pool``, ``Pipe``, ``get_context`` with 'fork', 'spawn' and
'forkserver', ...) is re-exported, and tensors (and ``nn.Parameter``) sent through any of them
travel as handles to shared memory instead of copies (see ``reductions``). ``spawn`` starts
``nprocs`` processes running ``fn(i, *args)`` and re-raises a child's error in the parent.

Sharing strategy: tensors live in named POSIX shared-memory segments, files in ``/dev/shm``
mapped with ``mmap`` (see ``_shared`` for why not ``multiprocessing.shared_memory`` and for the
lifetime rules: a segment's name is removed as soon as its creator released it and no handle is
in flight, and names of processes that died are swept). Both of PyTorch's strategy names are
accepted and use this mechanism; ``'file_system'`` is reported as the default.
"""
import multiprocessing
from multiprocessing import *  # noqa: F401,F403

from .reductions import init_reductions
from ._spawn import (spawn, start_processes, ProcessContext, ProcessException,  # noqa: F401
                     ProcessRaisedException, ProcessExitedException)

__all__ = (["set_sharing_strategy", "get_sharing_strategy", "get_all_sharing_strategies",
            "spawn", "start_processes", "ProcessContext", "ProcessException",
            "ProcessRaisedException", "ProcessExitedException", "init_reductions"]
           + list(multiprocessing.__all__))

_STRATEGIES = {"file_system", "file_descriptor"}
_strategy = ["file_system"]


def set_sharing_strategy(new_strategy):
    """Choose how tensors are shared (``torch.multiprocessing.set_sharing_strategy``)."""
    if new_strategy not in _STRATEGIES:
        raise AssertionError(f"invalid sharing strategy {new_strategy!r}; expected one of "
                             f"{sorted(_STRATEGIES)}")
    _strategy[0] = new_strategy


def get_sharing_strategy():
    """The current sharing strategy's name."""
    return _strategy[0]


def get_all_sharing_strategies():
    """The set of supported sharing strategies."""
    return set(_STRATEGIES)


init_reductions()

from .._unsupported import install as _install_missing  # noqa: E402
_install_missing(__name__)
del _install_missing
