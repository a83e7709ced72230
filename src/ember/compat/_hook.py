"""The import hook behind ``python -m ember.compat``: ``torch`` and every ``torch.*`` module
resolve to Ember's module of the same path, as the very same module objects.

``install()`` puts a finder first on ``sys.meta_path``. Importing ``torch.a.b`` imports
``ember.a.b`` and records every loaded ``ember.*`` module under its ``torch.*`` name in
``sys.modules`` (so ``torch.nn.functional is ember.nn.functional`` and pickles naming
``torch.nn.modules.linear.Linear`` find Ember's class). A ``torch`` module Ember lacks raises
``ModuleNotFoundError`` naming it and docs/unsupported.md.
"""
import importlib
import importlib.abc
import importlib.machinery
import sys

__all__ = ["install", "uninstall", "is_installed", "TorchToEmber"]

DOC = "docs/unsupported.md"


def _ember_name(torch_name):
    return "ember" + torch_name[len("torch"):]


def _alias_loaded():
    """Enter each loaded ``ember.*`` module in ``sys.modules`` under its ``torch.*`` name too."""
    mods = sys.modules
    for name, mod in list(mods.items()):
        if (name == "ember" or name.startswith("ember.")) and mod is not None:
            alias = "torch" + name[len("ember"):]
            if mods.get(alias) is not mod:
                mods[alias] = mod


class TorchToEmber(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finder and loader for ``torch`` / ``torch.*``: the module is Ember's, not a copy."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        ember_name = _ember_name(fullname)
        try:
            module = importlib.import_module(ember_name)
        except ModuleNotFoundError as e:
            if e.name is not None and (ember_name == e.name
                                       or ember_name.startswith(e.name + ".")):
                raise ModuleNotFoundError(f"No module named {fullname!r} (Ember has no "
                                          f"{ember_name}; see {DOC})", name=fullname) from None
            raise
        _alias_loaded()
        spec = importlib.machinery.ModuleSpec(fullname, self,
                                              origin=getattr(module, "__file__", None),
                                              is_package=hasattr(module, "__path__"))
        spec.loader_state = module
        return spec

    def create_module(self, spec):
        module = spec.loader_state
        spec.loader_state = (module, module.__spec__)  # the import system overwrites __spec__
        return module

    def exec_module(self, module):
        _, own_spec = module.__spec__.loader_state
        module.__spec__ = own_spec  # keep Ember's own spec (name ember.*) on the module


_FINDER = TorchToEmber()


def install():
    """Make ``import torch`` (and ``torch.*``) give Ember's modules in this process.

    Refuses when real PyTorch is already imported here, since its modules would mix with
    Ember's."""
    if is_installed():
        return
    real = sys.modules.get("torch")
    if real is not None and getattr(real, "__name__", None) != "ember" and \
            not getattr(real, "_EMBER_COMPAT_SHIM", False):
        raise RuntimeError("ember.compat: real PyTorch is already imported in this process; "
                           "install the hook before anything imports torch")
    sys.meta_path.insert(0, _FINDER)
    if "ember" in sys.modules:
        _alias_loaded()


def uninstall():
    """Remove the hook and the ``torch.*`` entries it made in ``sys.modules``."""
    while _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    for name, mod in list(sys.modules.items()):
        if (name == "torch" or name.startswith("torch.")) and \
                getattr(mod, "__name__", "").split(".")[0] == "ember":
            del sys.modules[name]


def is_installed():
    """Whether ``install()`` is in effect."""
    return _FINDER in sys.meta_path
