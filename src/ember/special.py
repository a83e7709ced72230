"""``ember.special``: PyTorch's ``torch.special`` namespace (same names and signatures).

Most names are Ember ops that also live at top level (``erf``, ``digamma``, ``logsumexp`` ...);
the ones only ``torch.special`` has are ops in ``ember.ops.special_ops``. The kernels NumPy lacks
are vectorised in ``ember._backend.special`` (no SciPy).
"""
from .ops.unary import (sigmoid as _sigmoid, logit, erf, erfc, erfinv, lgamma as _lgamma,
                        digamma, polygamma, sinc, expm1, exp2, log1p)
from .ops.binary import xlogy
from .ops.bessel import i0, mvlgamma as _mvlgamma
from .ops.pointwise import round as _round
from .ops.reduce import logsumexp, softmax as _softmax, log_softmax as _log_softmax
from .ops.special_ops import (erfcx, i0e, i1, i1e, ndtr, ndtri, log_ndtr, entr, bessel_j0,
                              bessel_j1, xlog1py, zeta, gammainc, gammaincc)

__all__ = ["expit", "logit", "erf", "erfc", "erfinv", "erfcx", "xlogy", "xlog1py", "gammaln",
           "digamma", "psi", "polygamma", "multigammaln", "i0", "i0e", "i1", "i1e",
           "log_softmax", "softmax", "logsumexp", "ndtr", "ndtri", "log_ndtr", "sinc", "round",
           "entr", "zeta", "bessel_j0", "bessel_j1", "expm1", "exp2", "log1p", "gammainc",
           "gammaincc"]


def expit(input, *, out=None):
    """The logistic sigmoid 1 / (1 + exp(-input)) (``torch.special.expit``)."""
    return _sigmoid(input, out=out)


def gammaln(input, *, out=None):
    """log |Gamma(input)| (``torch.special.gammaln``, same as ``torch.lgamma``)."""
    return _lgamma(input, out=out)


def psi(input, *, out=None):
    """The digamma function, d/dx log Gamma(x) (``torch.special.psi``)."""
    return digamma(input, out=out)


def multigammaln(input, p, *, out=None):
    """Multivariate log-gamma of dimension ``p`` (``torch.special.multigammaln``)."""
    return _mvlgamma(input, p, out=out)


def round(input, *, decimals=0, out=None):  # noqa: A001  (torch.special.round)
    """Round half to even (``torch.special.round``, same as ``torch.round``)."""
    return _round(input, decimals=decimals, out=out)


def softmax(input, dim, *, dtype=None):
    """exp(input) / sum(exp(input)) along ``dim`` (``torch.special.softmax``)."""
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    """log(softmax(input)) along ``dim``, computed stably (``torch.special.log_softmax``)."""
    return _log_softmax(input, dim, dtype=dtype)


from ._unsupported import install as _install_missing  # noqa: E402
_install_missing(__name__)  # a missing name says so and points to docs/unsupported.md
del _install_missing
