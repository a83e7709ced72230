"""|X| for a zero-centred X: what HalfNormal and HalfCauchy share."""
import math

import ember
from . import constraints
from .transformed_distribution import TransformedDistribution
from .transforms import AbsTransform
from .utils import delegated_property

__all__ = ["HalfDistribution"]


class HalfDistribution(TransformedDistribution):
    """|X| for X ~ ``_family(0, scale)`` (a symmetric location-scale family); reparameterised.
    The density is twice the family's on [0, inf), the cdf 2 F(x) - 1, the entropy the family's
    minus log 2. Subclasses set ``_family``."""
    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _family = None
    _value_as_tensor = False  # log_prob converts numbers to tensors (HalfCauchy, as PyTorch's)

    def __init__(self, scale, validate_args=None):
        base_dist = self._family(0, scale, validate_args=False)
        super().__init__(base_dist, AbsTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        family = next(c for c in type(self).__mro__ if HalfDistribution in c.__bases__)
        new = self._get_checked_instance(family, _instance)  # named in the error, as PyTorch's
        return super().expand(batch_shape, _instance=new)

    scale = delegated_property("base_dist", "scale", "The scale of the underlying distribution.")

    @property
    def mode(self):
        return ember.zeros_like(self.scale)

    def log_prob(self, value):
        if self._value_as_tensor:
            value = ember.as_tensor(value, dtype=self.base_dist.scale.dtype,
                                    device=self.base_dist.scale.device)
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return ember.where(value >= 0, log_prob, ember.full_like(log_prob, -math.inf))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - math.log(2)
