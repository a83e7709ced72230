"""The error for a PyTorch name Ember leaves out: a module-level ``__getattr__`` for the public
namespaces (``ember``, ``ember.nn``, ``ember.nn.functional``, ``ember.optim`` ...).

Python calls it only after normal lookup fails, so it costs nothing on present names, and it
raises ``AttributeError`` (with ``name``/``obj`` set, for "Did you mean" hints), so ``hasattr``
and ``getattr(mod, name, default)`` behave as usual. The list of what is left out, and why, is
docs/unsupported.md.
"""
import sys

__all__ = ["install"]

DOC = "docs/unsupported.md"


def torch_name(module_name):
    """``ember.nn.functional`` -> ``torch.nn.functional``."""
    return "torch" + module_name[len("ember"):] if module_name.startswith("ember") else module_name


def install(module_name, lazy=()):
    """Give module ``module_name`` a ``__getattr__`` whose AttributeError names the missing
    attribute, its PyTorch name, and docs/unsupported.md. Names in ``lazy`` are subpackages
    imported on first use (``ember.distributions``), so that importing the parent stays fast."""
    mod = sys.modules[module_name]
    torch_mod = torch_name(module_name)

    def __getattr__(name):
        if name in lazy:
            import importlib
            return importlib.import_module(f"{module_name}.{name}")
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}",
                                 name=name, obj=mod)
        raise AttributeError(f"module {module_name!r} has no attribute {name!r} (if "
                             f"{torch_mod}.{name} is a PyTorch name, Ember does not support it: "
                             f"see {DOC})", name=name, obj=mod)

    __getattr__.__qualname__ = f"{module_name}.__getattr__"
    mod.__getattr__ = __getattr__
