"""ember.nn: PyTorch's torch.nn — Module, Parameter, layers, losses, functional, init, utils."""
from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import Module  # noqa: F401
from . import functional, init, modules, parallel, parameter, utils  # noqa: F401
from .parallel import DistributedDataParallel  # noqa: F401

from .._unsupported import install as _install_missing  # noqa: E402
_install_missing(__name__)
del _install_missing
