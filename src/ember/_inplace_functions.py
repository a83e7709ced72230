"""Top-level in-place functions (``torch.relu_(x)``, ``torch.sigmoid_(x)``, ...).

Each is the Tensor method of the same name called on its first argument, as in PyTorch (made
from the op declarations, ``ops._registry``: ``inplace_function=True``); the few that have no
Tensor method (``torch.selu_``, ``torch.dropout_``, ...) call ``nn.functional`` with
``inplace=True``.
"""
import math

from .ops import _registry

# torch has these two, Ember's Tensor has no such method yet: the function raises
# AttributeError naming it (kept so ``hasattr(torch, ...)`` answers as before)
_MISSING_METHODS = ("resize_as_", "as_strided_")


def _functional():
    from .nn import functional  # lazy: ember.nn is a higher layer
    return functional


def selu_(input):
    """In-place SELU of ``input`` (``torch.selu_``)."""
    return _functional().selu(input, inplace=True)


def celu_(input, alpha=1.0):
    """In-place CELU of ``input`` (``torch.celu_``)."""
    return _functional().celu(input, alpha, inplace=True)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """In-place randomized leaky ReLU of ``input`` (``torch.rrelu_``)."""
    return _functional().rrelu(input, lower, upper, training, inplace=True)


def threshold_(input, threshold, value):
    """In-place threshold: elements <= ``threshold`` become ``value`` (``torch.threshold_``)."""
    return _functional().threshold(input, threshold, value, inplace=True)


def dropout_(input, p, train):
    """In-place dropout of ``input`` (``torch.dropout_``)."""
    return _functional().dropout(input, p, train, inplace=True)


def alpha_dropout_(input, p, train):
    """In-place alpha dropout of ``input`` (``torch.alpha_dropout_``)."""
    return _functional().alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout_(input, p, train):
    """In-place channel-wise alpha dropout of ``input`` (``torch.feature_alpha_dropout_``)."""
    return _functional().feature_alpha_dropout(input, p, train, inplace=True)


_FUNCTIONAL_NAMES = ("selu_", "celu_", "rrelu_", "threshold_", "dropout_", "alpha_dropout_",
                     "feature_alpha_dropout_")


def install(namespace):
    """Bind every in-place function into ``namespace`` (the ``ember`` module's dict), skipping
    names the namespace already defines; also the constants ``inf``, ``nan``, ``e``, ``pi``,
    ``newaxis``."""
    _registry.export_inplace_functions(namespace)  # torch.relu_ ... from the op declarations
    for name in _MISSING_METHODS:
        namespace.setdefault(name, _registry._method_caller(name))
    for name in _FUNCTIONAL_NAMES:
        namespace.setdefault(name, globals()[name])
    for name, value in (("inf", math.inf), ("nan", math.nan), ("e", math.e), ("pi", math.pi),
                        ("newaxis", None)):
        namespace.setdefault(name, value)
