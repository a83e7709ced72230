"""Half-Cauchy distribution (``torch.distributions.HalfCauchy``)."""
import math

import ember
from ._half import HalfDistribution
from .cauchy import Cauchy

__all__ = ["HalfCauchy"]


class HalfCauchy(HalfDistribution):
    """|X| for X ~ Cauchy(0, scale); reparameterised."""
    _family = Cauchy
    _value_as_tensor = True

    @property
    def mean(self):
        return ember.full(tuple(self._extended_shape()), math.inf, dtype=self.scale.dtype,
                          device=self.scale.device)

    @property
    def variance(self):
        return self.base_dist.variance
