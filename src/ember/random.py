"""``ember.random``: the default generator's seeding and state (``torch.random``)."""
from .ops.random import (Generator, default_generator, manual_seed, seed, initial_seed,
                         get_rng_state, set_rng_state, fork_rng)

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "fork_rng"]
