"""``torch.backends.mps``: Apple's Metal backend, which Ember does not have."""
__all__ = ["is_available", "is_built"]


def is_available():
    """False: Ember has no MPS device."""
    return False


def is_built():
    """False: Ember is not built with MPS."""
    return False
