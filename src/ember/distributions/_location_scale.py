"""The parameter set-up that location-scale families share (Normal, Laplace, Cauchy)."""
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["LocationScale"]


class LocationScale(Distribution):
    """Base of the real-valued families given by ``loc`` and a positive ``scale``, broadcast
    together: their constraints, batch shape, ``expand`` and mode (``loc``); reparameterised.
    The mean is ``loc`` for the symmetric families whose mean exists."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True
    _expand_args = ("loc", "scale")

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.size(), validate_args=validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc
