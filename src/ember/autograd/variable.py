"""``torch.autograd.variable``: the deprecated ``Variable`` (returns a tensor, as in PyTorch)."""
from .api import Variable  # noqa: F401

__all__ = ["Variable"]
