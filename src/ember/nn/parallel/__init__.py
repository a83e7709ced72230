"""``ember.nn.parallel``: PyTorch's ``torch.nn.parallel`` (DataParallel, DistributedDataParallel)."""
from ..modules.data_parallel import DataParallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
from .data_parallel import data_parallel  # noqa: E402,F401  (shadows the module, as in torch)
