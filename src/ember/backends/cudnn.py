"""``torch.backends.cudnn``: flags only (Ember has no cuDNN; ``is_available()`` is False)."""
enabled = True
benchmark = False
benchmark_limit = 10
deterministic = False
allow_tf32 = True

__all__ = ["enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32",
           "is_available", "version", "is_acceptable"]


def is_available():
    """False: Ember does not use cuDNN."""
    return False


def version():
    """None: no cuDNN library is loaded (as PyTorch reports without cuDNN)."""
    return None


def is_acceptable(tensor):
    """False: no tensor is run through cuDNN."""
    return False
