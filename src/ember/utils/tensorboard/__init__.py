"""``ember.utils.tensorboard``: log runs for TensorBoard, as ``torch.utils.tensorboard`` does.

Needs the ``tensorboard`` package (``pip install "ember[viz]"``); importing this module without
it raises ImportError, and ``import ember`` never imports it.
"""
try:
    import tensorboard  # noqa: F401
except ImportError as e:  # the same advice PyTorch gives
    raise ImportError("ember.utils.tensorboard needs the tensorboard package: "
                      "pip install tensorboard (or the ember[viz] extra)") from e

from .writer import FileWriter, LogDirError, SummaryWriter  # noqa: E402

__all__ = ["SummaryWriter", "FileWriter", "LogDirError"]
