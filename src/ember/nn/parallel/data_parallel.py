"""``torch.nn.parallel.data_parallel``: where PyTorch defines DataParallel, and the functional
``data_parallel`` (one device in Ember, so it is a plain call of ``module``)."""
from ..modules.data_parallel import DataParallel  # noqa: F401

__all__ = ["DataParallel", "data_parallel"]


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None):
    """``torch.nn.parallel.data_parallel``: evaluate ``module(*inputs, **module_kwargs)``; with
    one device there is nothing to scatter or gather."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    return module(*inputs, **(module_kwargs or {}))
