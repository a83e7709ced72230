"""Optimizers with PyTorch's API (``torch.optim``): one file per algorithm."""
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam, AdamW
from .adamax import Adamax
from .nadam import NAdam
from .radam import RAdam
from .rmsprop import RMSprop
from .adagrad import Adagrad
from .adadelta import Adadelta
from .rprop import Rprop
from .asgd import ASGD
from .adafactor import Adafactor
from .muon import Muon
from .lbfgs import LBFGS
from . import lr_scheduler
from . import swa_utils

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad",
           "Adadelta", "Rprop", "ASGD", "Adafactor", "Muon", "LBFGS", "lr_scheduler", "swa_utils"]

from .._unsupported import install as _install_missing  # noqa: E402
_install_missing(__name__)
del _install_missing
