"""``torch.optim.adamw``: where PyTorch defines AdamW (Ember's lives beside Adam)."""
from .adam import AdamW  # noqa: F401

__all__ = ["AdamW"]
