"""``ember.vision``: torchvision-shaped datasets, transforms and small models for the examples.

``datasets`` and ``transforms`` load eagerly (NumPy only); ``models`` loads on first use because it
needs ``ember.nn``. Heavy optional libraries are imported only inside the loaders that need them.
"""
import importlib

from . import datasets, transforms

__all__ = ["datasets", "transforms", "models"]


def __getattr__(name):
    if name == "models":
        return importlib.import_module(".models", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
