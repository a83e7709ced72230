"""Bernoulli distribution (``torch.distributions.Bernoulli``)."""
import ember
from . import constraints
from .distribution import Distribution
from .utils import (broadcast_all, expand_probs_or_logits, init_probs_or_logits,
                    probs_logits_properties)

__all__ = ["Bernoulli"]


def _bce_with_logits(logits, target):
    """Elementwise binary cross-entropy with logits, stable for any logit."""
    return logits.clamp(min=0) - logits * target + ember.log1p(ember.exp(-logits.abs()))


class Bernoulli(Distribution):
    """Bernoulli distribution: 1 with probability ``probs`` (or sigmoid(``logits``)), else 0.
    Exactly one of ``probs`` and ``logits`` is given."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, validate_args=None):
        batch_shape = init_probs_or_logits(self, probs, logits)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Bernoulli, _instance)
        batch_shape = ember.Size(batch_shape)
        expand_probs_or_logits(self, new, batch_shape)
        return self._finish_expand(new, batch_shape)

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return ember.where(self.probs == 0.5, ember.full_like(mode, float("nan")), mode)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    logits, probs = probs_logits_properties(is_binary=True)

    def sample(self, sample_shape=ember.Size()):
        shape = tuple(self._extended_shape(sample_shape))
        with ember.no_grad():
            return ember.bernoulli(self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -_bce_with_logits(logits, value)

    def entropy(self):
        return _bce_with_logits(self.logits, self.probs)

    def enumerate_support(self, expand=True):
        values = ember.arange(2, dtype=self._param.dtype, device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
