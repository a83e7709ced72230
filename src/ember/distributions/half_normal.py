"""Half-normal distribution (``torch.distributions.HalfNormal``)."""
import math

from ._half import HalfDistribution
from .normal import Normal

__all__ = ["HalfNormal"]


class HalfNormal(HalfDistribution):
    """|X| for X ~ Normal(0, scale); reparameterised."""
    _family = Normal

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)
