"""nn.DataParallel on one device: a wrapper that runs ``module`` as is (state_dict keys get the
``module.`` prefix, as in PyTorch)."""
from ..module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """Holds ``module`` under ``self.module`` and forwards calls to it (single device)."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.device_ids = [] if device_ids is None else list(device_ids)
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
