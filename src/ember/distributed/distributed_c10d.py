"""``torch.distributed.distributed_c10d``: where PyTorch defines the process-group API
(``Backend``, ``ReduceOp``, ``group``, ``init_process_group``, the collectives ...)."""
from . import __all__ as _public
from . import *  # noqa: F401,F403

__all__ = list(_public)
