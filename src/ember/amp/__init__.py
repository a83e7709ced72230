"""``torch.amp``: ``autocast`` and ``GradScaler`` for scripts that run with mixed precision off.

Ember has no autocast: ``autocast(..., enabled=False)`` is a no-op context manager/decorator and
``enabled=True`` raises (running in float32 instead would give other numbers). ``GradScaler``
is PyTorch's dynamic loss scaling, so ``scaler.scale(loss).backward(); scaler.step(opt);
scaler.update()`` loops run unchanged and give PyTorch's results.
"""
from .autocast_mode import autocast, is_autocast_available, is_autocast_enabled  # noqa: F401
from .grad_scaler import GradScaler  # noqa: F401

__all__ = ["autocast", "GradScaler", "is_autocast_available"]
