"""ember.nn: PyTorch's torch.nn — Module, Parameter, layers, losses, functional, init, utils."""
from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import Module  # noqa: F401
from . import functional, init, modules, parameter, utils  # noqa: F401

from .._unsupported import install as _install_missing  # noqa: E402
_install_missing(__name__)
_missing = __getattr__  # noqa: F821  (set by install)
del _install_missing


def __getattr__(name):
    """``nn.parallel`` (and its ``DistributedDataParallel``) is a distributed tool, a layer
    above nn: it is imported on first use, as an attribute of ``ember.nn`` like
    ``torch.nn.parallel``. Other missing names raise the unsupported-name AttributeError."""
    if name in ("parallel", "DistributedDataParallel"):
        from .parallel import DistributedDataParallel  # lazy: nn.parallel is a higher layer
        globals()["DistributedDataParallel"] = DistributedDataParallel
        return globals()[name]
    return _missing(name)


def __dir__():
    """The module's names, with ``parallel`` listed before its first use (as in torch.nn)."""
    return sorted(set(globals()) | {"parallel"})
