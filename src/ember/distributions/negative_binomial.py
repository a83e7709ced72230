"""Negative binomial distribution (``torch.distributions.NegativeBinomial``)."""
import ember
from . import constraints
from .distribution import Distribution
from .gamma import Gamma
from .utils import expand_count_and_probs, init_count_and_probs, probs_logits_properties

__all__ = ["NegativeBinomial"]


class NegativeBinomial(Distribution):
    """Number of successes (each with probability ``probs``) before ``total_count`` failures;
    a Gamma-Poisson mixture. Exactly one of ``probs`` and ``logits``."""
    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        init_count_and_probs(self, total_count, probs, logits)
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(NegativeBinomial, _instance)
        batch_shape = ember.Size(batch_shape)
        expand_count_and_probs(self, new, batch_shape)
        return self._finish_expand(new, batch_shape)

    @property
    def mean(self):
        return self.total_count * ember.exp(self.logits)

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / ember.sigmoid(-self.logits)

    logits, probs = probs_logits_properties(is_binary=True)

    def sample(self, sample_shape=ember.Size()):
        with ember.no_grad():
            # Poisson with a Gamma(total_count, (1 - p) / p) distributed rate
            rate = Gamma(self.total_count, ember.exp(-self.logits),
                         validate_args=False).sample(sample_shape)
            return ember.poisson(rate)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logsigmoid = ember.nn.functional.logsigmoid
        log_unnormalized = (self.total_count * logsigmoid(-self.logits)
                            + value * logsigmoid(self.logits))
        log_norm = (-ember.lgamma(self.total_count + value) + ember.lgamma(1.0 + value)
                    + ember.lgamma(self.total_count))
        # total_count = value = 0: the probability is 1
        log_norm = ember.where(self.total_count + value == 0, ember.zeros_like(log_norm),
                               log_norm)
        return log_unnormalized - log_norm
