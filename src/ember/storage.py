"""``torch.storage``: the storage classes (Ember has ``UntypedStorage`` only; see
docs/unsupported.md for ``TypedStorage``)."""
from ._storage import UntypedStorage  # noqa: F401

__all__ = ["UntypedStorage"]
