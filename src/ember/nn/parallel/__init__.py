"""``ember.nn.parallel``: PyTorch's ``torch.nn.parallel`` (DataParallel, DistributedDataParallel)."""
from ..modules.data_parallel import DataParallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
