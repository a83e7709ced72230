"""``torch.utils.hooks``: ``RemovableHandle``, the handle every ``register_*_hook`` returns."""
from ..nn._hooks import RemovableHandle  # noqa: F401

__all__ = ["RemovableHandle"]
