"""ember.nn: PyTorch's torch.nn — Module, Parameter, layers, losses, functional, init, utils."""
from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import Module  # noqa: F401
from . import functional, init, utils, modules, parameter  # noqa: F401

# ---- other helpers: append extra imports below this line (do not remove others' lines) ----
from . import parallel  # noqa: F401,E402
from .parallel import DistributedDataParallel  # noqa: F401,E402

from .._unsupported import install as _install_missing  # noqa: E402
_install_missing(__name__)
del _install_missing
