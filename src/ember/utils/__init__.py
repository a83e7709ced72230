"""``ember.utils``: helpers outside the core (``ember.utils.data`` for data loading)."""
from . import data  # noqa: F401
