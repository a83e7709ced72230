"""Dropout layers: active in training mode, identity in eval mode (torch.nn's)."""
from ..module import Module
from .. import functional as F

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
           "FeatureAlphaDropout"]


class _DropoutNd(Module):
    _fn = None

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"

    def forward(self, input):
        return type(self)._fn(input, self.p, self.training, self.inplace)


class Dropout(_DropoutNd):
    """Zero elements with probability p during training, scaling the rest by 1/(1-p)."""
    _fn = staticmethod(F.dropout)


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) input during training."""
    _fn = staticmethod(F.dropout1d)


class Dropout2d(_DropoutNd):
    """Zero whole channels of (N, C, H, W) input during training."""
    _fn = staticmethod(F.dropout2d)


class Dropout3d(_DropoutNd):
    """Zero whole channels of (N, C, D, H, W) input during training."""
    _fn = staticmethod(F.dropout3d)


class _AlphaDropoutNd(_DropoutNd):
    def forward(self, input):   # like PyTorch, the alpha variants ignore ``inplace``
        return type(self)._fn(input, self.p, self.training)


class AlphaDropout(_AlphaDropoutNd):
    """Dropout that keeps zero mean / unit variance for SELU networks."""
    _fn = staticmethod(F.alpha_dropout)


class FeatureAlphaDropout(_AlphaDropoutNd):
    """Channel-wise alpha dropout."""
    _fn = staticmethod(F.feature_alpha_dropout)
