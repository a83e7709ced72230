"""``torch.backends``: the switches scripts set for cuDNN, CUDA matmuls and Apple's MPS.

Ember has no cuDNN or MPS; the flags are kept so ``torch.backends.cudnn.benchmark = True`` and
``torch.backends.mps.is_available()`` run unchanged, and they change no result.
"""
from . import cudnn, cuda, mps  # noqa: F401

__all__ = ["cudnn", "cuda", "mps"]
