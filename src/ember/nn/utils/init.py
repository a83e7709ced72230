"""nn.utils.skip_init: build a module without running its parameter initialisation."""
import inspect

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """An instance of ``module_cls(*args, **kwargs)`` whose parameters are left uninitialised
    (allocated but not drawn). The class must accept a ``device`` argument."""
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    reset = getattr(module_cls, "reset_parameters", None)
    if reset is None:
        return module_cls(*args, **kwargs)
    # construct with a no-op reset_parameters on a throwaway subclass, then restore the class
    shim = type(module_cls.__name__, (module_cls,), {"reset_parameters": lambda self: None})
    module = shim(*args, **kwargs)
    module.__class__ = module_cls
    return module
