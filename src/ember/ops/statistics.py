"""Statistics of samples: dist, cov, corrcoef."""

import warnings

from .. import _dtype as D
from .._tensor import Tensor
from ._inplace import _cap
from .number_functions import _float
from .norms import vector_norm
from ._registry import register



@register
def dist(input, other, p=2):
    """p-norm of ``input - other`` (broadcast), as a 0-d tensor (``torch.dist``)."""
    diff = input - other
    if not (diff.dtype.is_floating_point or diff.dtype.is_complex):
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {_cap(diff.dtype)} instead.")
    return vector_norm(diff, p)


@register
def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance matrix of the variables in the rows of ``input`` (observations in columns),
    with optional integer frequency and float observation weights (``torch.cov``)."""
    if input.dim() > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.dim()} dimensions")
    x = input if input.dim() == 2 else input.reshape(1, -1)
    n = x.shape[1]
    w = None
    if fweights is not None:
        _check_weights("fweights", fweights, n)
        if fweights.dtype._category != D._INT:
            raise RuntimeError("cov(): expected fweights to have integral dtype but got fweights "
                               f"with {_cap(fweights.dtype)} dtype")
        if bool((fweights < 0).any()):
            raise RuntimeError("cov(): fweights cannot be negative")
        w = fweights
    if aweights is not None:
        _check_weights("aweights", aweights, n)
        if not aweights.dtype.is_floating_point:
            raise RuntimeError("cov(): expected aweights to have floating point dtype but got "
                               f"aweights with {_cap(aweights.dtype)} dtype")
        if bool((aweights < 0).any()):
            raise RuntimeError("cov(): aweights cannot be negative")
        w = aweights if w is None else w * aweights
    x = _float(x) if not x.dtype.is_complex else x
    if w is None:
        w_sum = float(n)
        avg = x.mean(1)
    else:
        w = w.to(x.dtype) if not x.dtype.is_complex else w.to(D.float64 if x.dtype is D.complex128
                                                               else D.float32)
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
    if w is None:
        norm = w_sum - correction
    elif correction == 0:
        norm = w_sum
    elif aweights is None:
        norm = w_sum - correction
    else:
        norm = w_sum - correction * (w * aweights.to(w.dtype)).sum() / w_sum
    if (float(norm) if isinstance(norm, Tensor) else norm) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm = norm * 0 if isinstance(norm, Tensor) else 0.0
    xm = x - avg.unsqueeze(1)
    xw = xm if w is None else xm * w
    c = xw @ xm.transpose(0, 1).conj()
    c = c / norm
    return c.squeeze() if input.dim() < 2 or c.shape[0] == 1 else c


def _check_weights(name, w, n):
    if w.dim() > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                           f"{name} with {w.dim()} dimensions")
    if w.numel() != n:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                           f"observations in the input but got {w.numel()} != {n}")


@register
def corrcoef(input):
    """Pearson correlation coefficients of the rows of ``input`` (``torch.corrcoef``),
    clipped to [-1, 1]."""
    if input.dim() > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.dim()} dimensions")
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = c.diagonal()
    s = d.sqrt() if not d.dtype.is_complex else d.real.sqrt()
    c = c / s.unsqueeze(1) / s.unsqueeze(0)
    if c.dtype.is_complex:
        return c
    return c.clamp(-1, 1)
