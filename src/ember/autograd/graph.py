"""``ember.autograd.graph``: the Node type, as in ``torch.autograd.graph``."""
from .node import Node

__all__ = ["Node"]
